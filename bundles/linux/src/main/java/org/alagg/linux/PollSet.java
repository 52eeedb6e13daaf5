package org.alagg.linux;

import java.io.Closeable;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;

import org.alagg.linux.internal.Native;

/**
 * Waits until any of a changing set of sockets is readable, or until {@link #wakeup()} is called from any
 * thread: an epoll set, each member registered with a token that {@link #token(int)} hands back when it is
 * ready. Nanosecond timeouts (the epoll descriptor is waited on with ppoll, next to an eventfd for the
 * wakeup), no allocation per wait.
 *
 * <p>One thread calls {@link #await}; {@link #add}, {@link #remove}, {@link #wakeup()} and {@link #close()} may
 * come from any thread, also during a wait. A socket closed leaves the set by itself.
 */
public final class PollSet implements Closeable {
    private final int capacity;
    private final Descriptor epoll;
    private final ByteBuffer events;
    private final long eventsAddress;
    /** One event for epoll_ctl, guarded by itself. */
    private final ByteBuffer control;
    private final long controlAddress;
    private int ready;

    /**
     * @param capacity the most ready members one {@link #await} reports (more are reported by the next)
     */
    public PollSet(int capacity) throws LinuxException {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity " + capacity);
        }
        this.capacity = capacity;
        this.events = Structs.allocate(capacity * Structs.EPOLL_EVENT_SIZE);
        this.eventsAddress = Native.address(events);
        this.control = Structs.allocate(Structs.EPOLL_EVENT_SIZE);
        this.controlAddress = Native.address(control);
        int fd = Sys.libc().epoll_create1(Linux.EPOLL_CLOEXEC);
        if (fd < 0) {
            throw new LinuxException("epoll_create1", Native.errno());
        }
        try {
            this.epoll = Descriptor.polled(fd);
        } catch (LinuxException e) {
            Sys.close(fd);
            throw e;
        }
    }

    /** Adds a socket: from now on {@link #await} reports {@code token} while it is readable (or has an error). */
    public void add(PacketSocket socket, int token) throws LinuxException, ClosedChannelException {
        add(socket.descriptor(), token);
    }

    /** Removes a socket added before; nothing when it is not in the set, or closed. */
    public void remove(PacketSocket socket) {
        remove(socket.descriptor());
    }

    void add(Descriptor member, int token) throws LinuxException, ClosedChannelException {
        int ep = epoll.acquire();
        try {
            int fd = member.acquire();
            try {
                synchronized (control) {
                    control.putInt(Structs.EPOLL_EVENTS, Linux.EPOLLIN);
                    control.putLong(Structs.EPOLL_DATA, token);
                    if (Sys.libc().epoll_ctl(ep, Linux.EPOLL_CTL_ADD, fd, controlAddress) < 0) {
                        throw new LinuxException("epoll_ctl(EPOLL_CTL_ADD)", Native.errno());
                    }
                }
            } finally {
                member.release();
            }
        } finally {
            epoll.release();
        }
    }

    void remove(Descriptor member) {
        int ep = epoll.tryAcquire();
        if (ep < 0) {
            return;
        }
        try {
            int fd = member.tryAcquire();
            if (fd >= 0) {
                // ENOENT: not (or no longer) in the set
                Sys.libc().epoll_ctl(ep, Linux.EPOLL_CTL_DEL, fd, controlAddress);
                member.release();
            }
        } finally {
            epoll.release();
        }
    }

    /**
     * Waits for a member to be readable, a {@link #wakeup()} or the timeout.
     *
     * @param timeoutNanos the longest wait; 0 checks without waiting; negative waits without limit
     * @return how many members are ready, each told by {@link #token(int)}; 0 after a timeout, a wakeup or an
     *         interrupting signal
     * @throws ClosedChannelException after {@link #close()}
     */
    public int await(long timeoutNanos) throws LinuxException, ClosedChannelException {
        int ep = epoll.acquire();
        try {
            ready = 0;
            int r = ready(ep);
            if (r == 0 && timeoutNanos != 0 && epoll.await(timeoutNanos) > 0) {
                r = ready(ep);
            }
            ready = r;
            return r;
        } finally {
            epoll.release();
        }
    }

    private int ready(int ep) throws LinuxException {
        int r = Sys.libc().epoll_wait(ep, eventsAddress, capacity, 0);
        if (r >= 0) {
            return r;
        }
        int errno = Native.errno();
        if (errno == LinuxException.EINTR) {
            return 0;
        }
        throw new LinuxException("epoll_wait", errno);
    }

    /** The token of ready member {@code k}, {@code 0 <= k <} what the last {@link #await} returned. */
    public int token(int k) {
        if (k < 0 || k >= ready) {
            throw new IndexOutOfBoundsException("ready member " + k + " of " + ready);
        }
        return (int) events.getLong(k * Structs.EPOLL_EVENT_SIZE + Structs.EPOLL_DATA);
    }

    /** Makes the current or next {@link #await} return. Any thread; ignored after {@link #close()}. */
    public void wakeup() {
        epoll.wakeup();
    }

    /**
     * Wakes a waiting thread and closes the set (not its members): at once, or when that thread's
     * {@link #await} returns. Any thread.
     */
    @Override
    public void close() {
        epoll.close();
    }
}
