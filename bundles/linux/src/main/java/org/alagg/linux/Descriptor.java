package org.alagg.linux;

import java.nio.channels.ClosedChannelException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The open file descriptor of a socket or device of this package, and the {@link Poller} its receiving thread
 * waits on (if it has one). Held by composition rather than inherited, so that each class keeps its own
 * public API (RawIpSocket has neither {@code fd()} nor {@code wakeup()}) and javadoc.
 *
 * <p>A thread that may race with {@link #close()} from another thread brackets its system calls with
 * {@link #acquire()} and {@link #release()}: the number is closed only once the last such user released it,
 * so no call ever reaches a closed number, or one the process has meanwhile reused for another file. A thread
 * that is stopped before the descriptor is closed may use {@link #checkOpen()} instead.
 */
final class Descriptor {
    private static final int CLOSED = 1;
    private static final int USER = 2;

    /** {@code null} for a descriptor nobody waits on, e.g. a send-only socket. */
    private final Poller poller;
    private final int fd;
    /** {@link #CLOSED} once closed, plus {@link #USER} for each acquirer that has not released yet. */
    private final AtomicInteger state = new AtomicInteger();

    /** Takes over {@code fd} (to close it in {@link #close()}), without a poller. */
    Descriptor(int fd) {
        this(fd, null);
    }

    private Descriptor(int fd, Poller poller) {
        this.fd = fd;
        this.poller = poller;
    }

    /**
     * Takes over {@code fd} with a {@link Poller} on it, for {@link #await} and {@link #wakeup()}. If the
     * poller cannot be made, {@code fd} stays the caller's to close.
     */
    static Descriptor polled(int fd) throws LinuxException {
        return new Descriptor(fd, new Poller(fd));
    }

    /** The descriptor's number, or -1 after {@link #close()}. */
    int fd() {
        return isClosed() ? -1 : fd;
    }

    boolean isClosed() {
        return (state.get() & CLOSED) != 0;
    }

    /** The descriptor's number, for a caller that is stopped before anybody closes it. */
    int checkOpen() throws ClosedChannelException {
        if (isClosed()) {
            throw new ClosedChannelException();
        }
        return fd;
    }

    /** The descriptor's number, kept open until the matching {@link #release()}. */
    int acquire() throws ClosedChannelException {
        int fd = tryAcquire();
        if (fd < 0) {
            throw new ClosedChannelException();
        }
        return fd;
    }

    /** Like {@link #acquire()}, but -1 (and nothing to release) when closed. */
    int tryAcquire() {
        while (true) {
            int s = state.get();
            if ((s & CLOSED) != 0) {
                return -1;
            }
            if (state.compareAndSet(s, s + USER)) {
                return fd;
            }
        }
    }

    /** Ends an {@link #acquire()}; the last user of a closed descriptor closes it. */
    void release() {
        if (state.addAndGet(-USER) == CLOSED) {
            Sys.close(fd);
        }
    }

    /** {@link Poller#await}: readability, a {@link #wakeup()} or the timeout. Polled descriptors only. */
    int await(long timeoutNanos) throws LinuxException, ClosedChannelException {
        return poller.await(timeoutNanos);
    }

    /** Makes the current or next {@link #await} return. Any thread; ignored after close. Polled descriptors only. */
    void wakeup() {
        poller.wakeup();
    }

    /**
     * Closes the poller (waking a waiting thread) and the descriptor, at once or, while a thread still holds it
     * ({@link #acquire()}), when that thread releases it. Later calls do nothing. Any thread.
     */
    void close() {
        while (true) {
            int s = state.get();
            if ((s & CLOSED) != 0) {
                return;
            }
            if (state.compareAndSet(s, s | CLOSED)) {
                if (poller != null) {
                    poller.close();
                }
                if (s == 0) {
                    Sys.close(fd);
                }
                return;
            }
        }
    }
}
