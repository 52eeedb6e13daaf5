package org.alagg.linux;

import java.nio.ByteBuffer;

/**
 * {@code struct virtio_net_hdr} (linux/virtio_net.h), which a TUN device opened with IFF_VNET_HDR puts in front of
 * every packet, both ways: whether the packet's checksum is still to be completed and whether it is a
 * segmentation-offload super-packet to be cut at {@code gso_size} bytes of payload. Ten bytes, in the host's byte
 * order (a little-endian host here; TUNSETVNETBE is not used).
 */
final class VirtioNetHeader {
    static final int LENGTH = 10;

    /** flags: the checksum at csum_start + csum_offset holds only the pseudo-header's sum. */
    static final int F_NEEDS_CSUM = 1;

    static final int GSO_NONE = 0;
    static final int GSO_TCPV4 = 1;
    static final int GSO_TCPV6 = 4;
    static final int GSO_UDP_L4 = 5;
    /** Or'ed into a TCP gso_type: the sender set CWR, which only the first segment carries. */
    static final int GSO_ECN = 0x80;

    private static final int FLAGS = 0;
    private static final int GSO_TYPE = 1;
    private static final int HDR_LEN = 2;
    private static final int GSO_SIZE = 4;
    private static final int CSUM_START = 6;
    private static final int CSUM_OFFSET = 8;

    private VirtioNetHeader() {
    }

    static int flags(ByteBuffer b, int at) {
        return b.get(at + FLAGS) & 0xFF;
    }

    static int gsoType(ByteBuffer b, int at) {
        return b.get(at + GSO_TYPE) & 0xFF;
    }

    static int gsoSize(ByteBuffer b, int at) {
        return little(b, at + GSO_SIZE);
    }

    static int csumStart(ByteBuffer b, int at) {
        return little(b, at + CSUM_START);
    }

    static int csumOffset(ByteBuffer b, int at) {
        return little(b, at + CSUM_OFFSET);
    }

    /** Writes a header: a plain packet when {@code gsoType} is {@link #GSO_NONE} and {@code flags} 0. */
    static void put(ByteBuffer b, int at, int flags, int gsoType, int hdrLen, int gsoSize, int csumStart,
            int csumOffset) {
        b.put(at + FLAGS, (byte) flags);
        b.put(at + GSO_TYPE, (byte) gsoType);
        putLittle(b, at + HDR_LEN, hdrLen);
        putLittle(b, at + GSO_SIZE, gsoSize);
        putLittle(b, at + CSUM_START, csumStart);
        putLittle(b, at + CSUM_OFFSET, csumOffset);
    }

    /** A 16-bit field in the host's (little-endian) order, whatever the buffer's order. */
    private static int little(ByteBuffer b, int at) {
        return (b.get(at) & 0xFF) | (b.get(at + 1) & 0xFF) << 8;
    }

    private static void putLittle(ByteBuffer b, int at, int value) {
        b.put(at, (byte) value);
        b.put(at + 1, (byte) (value >>> 8));
    }
}
