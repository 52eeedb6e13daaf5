package org.alagg.linux;

import java.io.Closeable;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;

import org.alagg.linux.internal.Native;

/**
 * Waits until one of a few file descriptors is readable, or until {@link #wakeup()} is called from any
 * thread: ppoll(2) over the descriptors and an internal eventfd. Nanosecond timeouts, no allocation per wait.
 *
 * <p>One thread calls {@link #await(long)}; {@link #wakeup()} may come from any thread, before or during the
 * wait (a wakeup before makes the next wait return at once).
 */
public final class Poller implements Closeable {
    private final int count;
    private final ByteBuffer pollfds;
    private final long pollfdsAddress;
    private final ByteBuffer timespec;
    private final long timespecAddress;
    private final ByteBuffer drain;
    private final long drainAddress;
    private final ByteBuffer one;
    private final long oneAddress;
    private final Descriptor eventFd;

    /**
     * @param fds the descriptors to wait on (each for readability); errors and hang-ups count as ready too
     */
    public Poller(int... fds) throws LinuxException {
        this.count = fds.length;
        int eventFd = Sys.libc().eventfd(0, Linux.EFD_NONBLOCK | Linux.EFD_CLOEXEC);
        if (eventFd < 0) {
            throw new LinuxException("eventfd", Native.errno());
        }
        this.eventFd = new Descriptor(eventFd);
        this.pollfds = Structs.allocate((count + 1) * Structs.POLLFD_SIZE);
        for (int i = 0; i <= count; i++) {
            pollfds.putInt(i * Structs.POLLFD_SIZE + Structs.POLLFD_FD, i < count ? fds[i] : eventFd);
            pollfds.putShort(i * Structs.POLLFD_SIZE + Structs.POLLFD_EVENTS, (short) Linux.POLLIN);
        }
        this.pollfdsAddress = Native.address(pollfds);
        this.timespec = Structs.allocate(Structs.TIMESPEC_SIZE);
        this.timespecAddress = Native.address(timespec);
        this.drain = Structs.allocate(8);
        this.drainAddress = Native.address(drain);
        this.one = Structs.allocate(8);
        one.putLong(0, 1);
        this.oneAddress = Native.address(one);
    }

    /**
     * Waits for readability of the descriptors, a {@link #wakeup()} or the timeout.
     *
     * @param timeoutNanos the longest wait; 0 checks without waiting; negative waits without limit
     * @return how many of the descriptors are ready; 0 after a timeout, a wakeup or an interrupting signal
     */
    public int await(long timeoutNanos) throws LinuxException, ClosedChannelException {
        int event = eventFd.acquire();
        try {
            return await(event, timeoutNanos);
        } finally {
            eventFd.release();
        }
    }

    private int await(int event, long timeoutNanos) throws LinuxException {
        long timeout = 0;
        if (timeoutNanos >= 0) {
            timespec.putLong(0, timeoutNanos / 1_000_000_000L);
            timespec.putLong(8, timeoutNanos % 1_000_000_000L);
            timeout = timespecAddress;
        }
        int r = Sys.libc().ppoll(pollfdsAddress, count + 1, timeout, 0);
        if (r < 0) {
            int errno = Native.errno();
            if (errno == LinuxException.EINTR) {
                return 0;
            }
            throw new LinuxException("ppoll", errno);
        }
        if (r == 0) {
            return 0;
        }
        if (revents(count) != 0) {
            Sys.libc().read(event, drainAddress, 8);
            r--;
        }
        return r;
    }

    /** Whether descriptor {@code index} (of those given at construction) was ready after the last {@link #await}. */
    public boolean isReady(int index) {
        if (index < 0 || index >= count) {
            throw new IndexOutOfBoundsException("descriptor " + index + " of " + count);
        }
        return revents(index) != 0;
    }

    private int revents(int i) {
        return pollfds.getShort(i * Structs.POLLFD_SIZE + Structs.POLLFD_REVENTS)
                & (Linux.POLLIN | Linux.POLLERR | Linux.POLLHUP | Linux.POLLNVAL);
    }

    /** Makes the current or next {@link #await} return. Any thread; ignored after {@link #close()}. */
    public void wakeup() {
        int event = eventFd.tryAcquire();
        if (event >= 0) {
            Sys.libc().write(event, oneAddress, 8);
            eventFd.release();
        }
    }

    /**
     * Wakes a waiting thread and closes the eventfd (not the descriptors waited on): at once, or when that
     * thread's {@link #await} returns. Later waits throw {@link ClosedChannelException}. Any thread.
     */
    @Override
    public void close() {
        int event = eventFd.tryAcquire();
        if (event < 0) {
            return;
        }
        Sys.libc().write(event, oneAddress, 8);
        eventFd.close();
        eventFd.release();
    }
}
