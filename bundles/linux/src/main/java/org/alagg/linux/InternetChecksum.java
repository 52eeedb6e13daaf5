package org.alagg.linux;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The Internet checksum (RFC 1071) of IPv4 headers, TCP, UDP and ICMP: the ones' complement of the ones' complement
 * sum of 16-bit big-endian words. Sums are built in steps ({@link #sum} on top of a partial sum, e.g. a
 * pseudo-header's) and finished with {@link #finish}. Eight bytes are added at a time whatever the buffer's byte
 * order (a ones' complement sum is order-independent up to a final byte swap, RFC 1071 section 2 B).
 */
public final class InternetChecksum {
    private InternetChecksum() {
    }

    /**
     * Adds {@code length} bytes at {@code offset} of {@code b} (absolute, the position is not used) to
     * {@code partial}; an odd last byte counts as the high byte of a word.
     *
     * @return a partial sum (at most 32 bits) that further sums and {@link #finish} take
     */
    public static long sum(ByteBuffer b, int offset, int length, long partial) {
        long sum = 0;
        int i = offset;
        int end = offset + length;
        for (; i + 8 <= end; i += 8) {
            long v = b.getLong(i);
            sum += (v >>> 32) + (v & 0xFFFFFFFFL);
        }
        if (i + 4 <= end) {
            sum += b.getInt(i) & 0xFFFFFFFFL;
            i += 4;
        }
        if (i + 2 <= end) {
            sum += b.getShort(i) & 0xFFFF;
            i += 2;
        }
        boolean swapped = b.order() == ByteOrder.LITTLE_ENDIAN;
        if (i < end) {
            int last = b.get(i) & 0xFF;
            sum += swapped ? last : last << 8;
        }
        int folded = fold(sum);
        if (swapped) {
            folded = Integer.reverseBytes(folded) >>> 16;
        }
        return partial + folded;
    }

    /** Adds a 16-bit value (a length, a protocol number) to a partial sum. */
    public static long add(long partial, int word) {
        return partial + (word & 0xFFFF);
    }

    /** The checksum field's value for a partial sum: folded to 16 bits and complemented (0 when it sums right). */
    public static int finish(long partial) {
        return ~fold(partial) & 0xFFFF;
    }

    /** A partial sum folded to 16 bits, not complemented: what a CHECKSUM_PARTIAL header field holds. */
    public static int fold(long partial) {
        long sum = partial;
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) sum;
    }

    /**
     * The sum of the TCP/UDP pseudo-header of the IPv4 or IPv6 packet at {@code ip} (addresses, protocol, the
     * given upper-layer length; RFC 793 3.1, RFC 8200 8.1).
     *
     * @param version 4 or 6
     */
    public static long pseudoHeader(ByteBuffer b, int ip, int version, int protocol, int upperLength) {
        long sum = version == 4 ? sum(b, ip + 12, 8, 0) : sum(b, ip + 8, 32, 0);
        return add(add(sum, protocol), upperLength) + (version == 4 ? 0 : upperLength >>> 16);
    }
}
