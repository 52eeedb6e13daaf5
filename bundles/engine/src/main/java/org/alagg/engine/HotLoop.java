package org.alagg.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;

import org.alagg.api.HotThread;

/**
 * One hot thread of the data path: it runs {@link #turn()} until the data path stops, and tells the supervisor
 * when it last finished a turn. A turn's end is the thread's safe point: a part the engine took out of the data
 * path before a turn ended is not used again by that thread, so after {@link DataPath#quiesce} the part may be
 * closed (see there).
 *
 * <p>Calls into plugins are guarded inside the turns; should the thread die anyway (a bug in the engine, an
 * error while reporting an error), the supervisor ({@link DataPath#supervise}) starts a new thread on the same
 * state and counts the restart.
 */
abstract class HotLoop implements Runnable {
    private static final VarHandle TURNS;

    static {
        try {
            TURNS = MethodHandles.lookup().findVarHandle(HotLoop.class, "turns", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final DataPath path;
    final String name;
    final PathError error;
    /** Turns finished; written by the hot thread with release semantics, read by the engine. */
    @SuppressWarnings("unused") // through TURNS
    private volatile long turns;
    private volatile long lastTurnNanos = System.nanoTime();
    private volatile long restarts;
    private volatile Thread thread;

    HotLoop(DataPath path, String name, PathError error) {
        this.path = path;
        this.name = name;
        this.error = error;
    }

    /** One batch: a capture and its send, or a receive and its deliveries. Must come back within a turn's wait. */
    abstract void turn();

    /** Called once when the data path stops, on the hot thread, after its last turn. */
    void stopped() {
    }

    @Override
    public final void run() {
        while (path.running) {
            turn();
            finished();
        }
        stopped();
    }

    /**
     * A method of its own, as {@link #turn()} is: this loop runs in the interpreter until thousands of turns have gone
     * by (on-stack replacement), and at a few turns a second the VarHandle access would stay interpreted for minutes.
     */
    private void finished() {
        lastTurnNanos = System.nanoTime();
        TURNS.setRelease(this, (long) TURNS.getOpaque(this) + 1);
    }

    long turns() {
        return (long) TURNS.getAcquire(this);
    }

    synchronized void start() {
        Thread t = new Thread(this, name);
        t.setUncaughtExceptionHandler((dead, e) -> error.report("thread " + name + " died", e));
        thread = t;
        lastTurnNanos = System.nanoTime();
        t.start();
    }

    /** Starts the thread again if it died while the data path runs; true when it did. */
    synchronized boolean restartIfDead() {
        Thread t = thread;
        if (t == null || t.isAlive() || !path.running) {
            return false;
        }
        restarts++;
        start();
        return true;
    }

    boolean isAlive() {
        Thread t = thread;
        return t != null && t.isAlive();
    }

    Thread thread() {
        return thread;
    }

    void join(long millis) throws InterruptedException {
        Thread t = thread;
        if (t != null) {
            t.join(millis);
        }
    }

    HotThread status() {
        return new HotThread(name, isAlive(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastTurnNanos), restarts);
    }
}
