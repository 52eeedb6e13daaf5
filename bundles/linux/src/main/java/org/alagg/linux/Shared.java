package org.alagg.linux;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A resource hot threads use (a TUN/TAP device the egress thread reads and the ingress thread writes, a bound
 * netfilter queue, delivery sockets) and another thread closes: closed only once no thread uses it, so no read or write can hit
 * a closed descriptor, or a descriptor number the kernel has given to something else meanwhile. A use count
 * and a closed bit in one atomic int: {@link #acquire} and {@link #release} cost one atomic operation each,
 * never wait and allocate nothing; {@link #close} marks the resource closed (no new use begins) and the last
 * user to let go closes it, or {@code close} itself when nobody uses it.
 */
public final class Shared<T> {
    private static final int CLOSED = 1;
    private static final int USER = 2;

    private final T resource;
    private final Consumer<T> closer;
    private final AtomicInteger state = new AtomicInteger();
    private final CountDownLatch closed = new CountDownLatch(1);

    public Shared(T resource, Consumer<T> closer) {
        this.resource = resource;
        this.closer = closer;
    }

    /** The resource, to use until {@link #release}; null once {@link #close} was called (then do not release). */
    public T acquire() {
        while (true) {
            int s = state.get();
            if ((s & CLOSED) != 0) {
                return null;
            }
            if (state.compareAndSet(s, s + USER)) {
                return resource;
            }
        }
    }

    /** Ends a use begun by a successful {@link #acquire}; the last one after {@link #close} closes the resource. */
    public void release() {
        if (state.addAndGet(-USER) == CLOSED) {
            finish();
        }
    }

    /**
     * The resource without using it: for what does not touch its descriptor (its name, a wakeup that is ignored
     * after close, counters).
     */
    public T peek() {
        return resource;
    }

    /**
     * Lets no new use begin and closes the resource as soon as the current uses end: at once when there are
     * none, else in the thread of the last {@link #release}. Wake blocked users first.
     *
     * @return whether the resource is closed within {@code timeoutNanos}
     */
    public boolean close(long timeoutNanos) {
        int s;
        do {
            s = state.get();
        } while ((s & CLOSED) == 0 && !state.compareAndSet(s, s | CLOSED));
        if (s == 0) {
            finish();
        }
        try {
            return closed.await(timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return closed.getCount() == 0;
        }
    }

    private void finish() {
        try {
            closer.accept(resource);
        } finally {
            closed.countDown();
        }
    }
}
