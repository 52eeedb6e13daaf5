package org.alagg.linux;

import java.nio.ByteBuffer;

import org.alagg.linux.internal.Native;

/**
 * A preallocated array of {@code struct mmsghdr}, each with one iovec, for sendmmsg/recvmmsg. Each message's
 * iovec pointer is set once here; callers set the buffer (and the name) per call. One thread at a time.
 */
final class MessageVector {
    /** Told of the messages the kernel refused to send. */
    interface Refusals {
        /** Messages {@code first .. first+count-1} did not leave: the kernel answered {@code errno}. */
        void refused(int first, int count, int errno);
    }

    private final int capacity;
    private final ByteBuffer headers;
    private final ByteBuffer iovecs;
    private final long headersAddress;
    private final long iovecsAddress;

    MessageVector(int capacity) {
        this.capacity = capacity;
        this.headers = Structs.allocate(capacity * Structs.MMSGHDR_SIZE);
        this.iovecs = Structs.allocate(capacity * Structs.IOVEC_SIZE);
        this.headersAddress = Native.address(headers);
        this.iovecsAddress = Native.address(iovecs);
        for (int j = 0; j < capacity; j++) {
            int h = j * Structs.MMSGHDR_SIZE;
            headers.putLong(h + Structs.MSG_IOV, iovecsAddress + (long) j * Structs.IOVEC_SIZE);
            headers.putLong(h + Structs.MSG_IOVLEN, 1);
        }
    }

    int capacity() {
        return capacity;
    }

    /** The address of message {@code j}'s header, for passing {@code count - j} messages from there. */
    long address(int j) {
        return headersAddress + (long) j * Structs.MMSGHDR_SIZE;
    }

    void setBuffer(int j, long address, int length) {
        int v = j * Structs.IOVEC_SIZE;
        iovecs.putLong(v + Structs.IOV_BASE, address);
        iovecs.putLong(v + Structs.IOV_LEN, length);
    }

    void setName(int j, long address, int length) {
        int h = j * Structs.MMSGHDR_SIZE;
        headers.putLong(h + Structs.MSG_NAME, address);
        headers.putInt(h + Structs.MSG_NAMELEN, length);
    }

    void setNameLength(int j, int length) {
        headers.putInt(j * Structs.MMSGHDR_SIZE + Structs.MSG_NAMELEN, length);
    }

    /** The bytes message {@code j} carried, as the kernel reported. */
    int length(int j) {
        return headers.getInt(j * Structs.MMSGHDR_SIZE + Structs.MMSG_LEN);
    }

    /** The flags the kernel set on received message {@code j} (MSG_TRUNC). */
    int flags(int j) {
        return headers.getInt(j * Structs.MMSGHDR_SIZE + Structs.MSG_FLAGS);
    }

    /**
     * Sends messages {@code 0 .. count-1} with sendmmsg, resuming after a message the kernel refuses (EMSGSIZE,
     * ENETDOWN, EPERM from a firewall, ...). EAGAIN (the socket's buffer is full) refuses the rest; so do ENOBUFS
     * (the interface's queue is full) and ENXIO (the interface is gone) when {@code oneInterface} says that every
     * message goes out through the same interface. Only errors of the socket itself (EBADF, EFAULT, ENOTSOCK)
     * throw.
     *
     * @return how many messages left
     */
    int sendAll(int fd, int count, boolean oneInterface, Refusals refusals, String call) throws LinuxException {
        int done = 0;
        int sent = 0;
        while (done < count) {
            int r = Sys.libc().sendmmsg(fd, address(done), count - done, Linux.MSG_DONTWAIT);
            if (r > 0) {
                done += r;
                sent += r;
                continue;
            }
            int errno = r == 0 ? LinuxException.EAGAIN : Native.errno();
            switch (errno) {
                case LinuxException.EINTR:
                    continue;
                case LinuxException.EBADF:
                case LinuxException.EFAULT:
                case LinuxException.ENOTSOCK:
                    throw new LinuxException(call, errno);
                default:
                    boolean rest = errno == LinuxException.EAGAIN
                            || oneInterface && (errno == LinuxException.ENOBUFS || errno == LinuxException.ENXIO);
                    int refused = rest ? count - done : 1;
                    refusals.refused(done, refused, errno);
                    done += refused;
            }
        }
        return sent;
    }

    /** For tests: the raw header memory. */
    ByteBuffer headers() {
        return headers;
    }

    ByteBuffer iovecs() {
        return iovecs;
    }
}
