package org.alagg.linux;

/**
 * Counts the messages the kernel refused to send, for senders that report counts rather than marking each
 * refused packet ({@link RawIpSocket}, {@link TunDevice}). One sending thread; the counts may be read from any
 * thread.
 */
final class SendCounters implements MessageVector.Refusals {
    private volatile long refused;
    private volatile int lastErrno;

    long refused() {
        return refused;
    }

    int lastErrno() {
        return lastErrno;
    }

    @Override
    public void refused(int first, int count, int errno) {
        refused += count;
        lastErrno = errno;
    }
}
