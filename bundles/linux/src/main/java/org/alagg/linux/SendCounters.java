package org.alagg.linux;

import org.alagg.linux.internal.Native;

/**
 * sendmmsg over a prepared {@link MessageVector}, resuming after messages the kernel refuses, and the counts
 * of those; {@link #refuse} counts for senders that write one message a call ({@link TunDevice}). One sending
 * thread; the counts may be read from any thread.
 */
final class SendCounters {
    private volatile long refused;
    private volatile int lastErrno;

    long refused() {
        return refused;
    }

    int lastErrno() {
        return lastErrno;
    }

    /**
     * Sends messages {@code 0 .. count-1}. A message the kernel refuses (ENOBUFS, ENETDOWN, ENXIO, EMSGSIZE,
     * EPERM from a firewall, ...) is counted and skipped; on EAGAIN (socket buffer full) the rest is counted
     * and dropped. Only errors of the socket itself (EBADF, EFAULT, ENOTSOCK) throw.
     *
     * @return how many messages left
     */
    int sendAll(int fd, MessageVector vector, int count, String call) throws LinuxException {
        int done = 0;
        int sent = 0;
        while (done < count) {
            int r = Sys.libc().sendmmsg(fd, vector.address(done), count - done, Linux.MSG_DONTWAIT);
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
                case LinuxException.EAGAIN:
                    refuse(count - done, errno);
                    return sent;
                default:
                    refuse(1, errno);
                    done++;
            }
        }
        return sent;
    }

    void refuse(int messages, int errno) {
        refused += messages;
        lastErrno = errno;
    }
}
