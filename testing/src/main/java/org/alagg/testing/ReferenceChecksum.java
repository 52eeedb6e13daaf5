package org.alagg.testing;

import java.nio.ByteBuffer;

/**
 * The Internet checksum (RFC 1071) written the slow, obvious way, one 16-bit word at a time: what tests hold the
 * product's faster checksums and the packets it builds against.
 */
public final class ReferenceChecksum {
    private ReferenceChecksum() {
    }

    /**
     * The checksum of {@code length} bytes at {@code from} (absolute) on top of {@code initial} (e.g. a pseudo-header's
     * sum of 16-bit words): 0 when the bytes include a right checksum.
     */
    public static int of(ByteBuffer b, int from, int length, long initial) {
        long sum = initial;
        for (int i = 0; i + 1 < length; i += 2) {
            sum += (b.get(from + i) & 0xFF) << 8 | (b.get(from + i + 1) & 0xFF);
        }
        if ((length & 1) != 0) {
            sum += (b.get(from + length - 1) & 0xFF) << 8;
        }
        while (sum >>> 16 != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) ~sum & 0xFFFF;
    }
}
