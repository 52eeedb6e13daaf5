package org.alagg.linux;

import java.nio.channels.ClosedChannelException;

/**
 * The open file descriptor of a socket or device of this package, and the {@link Poller} its receiving thread
 * waits on (if it has one). Held by composition rather than inherited, so that each class keeps its own
 * public API (RawIpSocket has neither {@code fd()} nor {@code wakeup()}) and javadoc.
 */
final class Descriptor {
    /** {@code null} for a descriptor nobody waits on, e.g. a send-only socket. */
    private final Poller poller;
    private volatile int fd;

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
        return fd;
    }

    /** The descriptor's number, read once so that the caller uses the number it checked. */
    int checkOpen() throws ClosedChannelException {
        int fd = this.fd;
        if (fd < 0) {
            throw new ClosedChannelException();
        }
        return fd;
    }

    /** {@link Poller#await}: readability, a {@link #wakeup()} or the timeout. Polled descriptors only. */
    int await(long timeoutNanos) throws LinuxException, ClosedChannelException {
        return poller.await(timeoutNanos);
    }

    /** Makes the current or next {@link #await} return. Any thread; ignored after close. Polled descriptors only. */
    void wakeup() {
        poller.wakeup();
    }

    /** Closes the poller (waking a waiting thread) and the descriptor; later calls do nothing. Any thread. */
    synchronized void close() {
        int fd = this.fd;
        if (fd < 0) {
            return;
        }
        this.fd = -1;
        if (poller != null) {
            poller.close();
        }
        Sys.close(fd);
    }
}
