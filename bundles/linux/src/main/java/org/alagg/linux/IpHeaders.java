package org.alagg.linux;

import java.nio.ByteBuffer;

/**
 * Where the fields are in an IPv4 or IPv6 packet carrying TCP or UDP directly (no IPv4 options are refused here,
 * no IPv6 extension headers are followed), for the TUN device's segmentation and coalescing. Offsets are absolute
 * in a big-endian buffer; {@code ip} is where the IP header starts.
 */
final class IpHeaders {
    static final int TCP = 6;
    static final int UDP = 17;
    static final int IPV6_HEADER = 40;
    static final int UDP_HEADER = 8;

    static final int TCP_FIN = 0x01;
    static final int TCP_SYN = 0x02;
    static final int TCP_RST = 0x04;
    static final int TCP_PSH = 0x08;
    static final int TCP_ACK = 0x10;
    static final int TCP_CWR = 0x80;

    private IpHeaders() {
    }

    /** 4, 6, or something else (not an IP packet) from the version nibble. */
    static int version(ByteBuffer b, int ip) {
        return (b.get(ip) & 0xFF) >>> 4;
    }

    /**
     * The length of the IP header of a packet of {@code length} bytes whose total length field agrees with it and
     * that is not an IPv4 fragment; -1 otherwise.
     */
    static int headerLength(ByteBuffer b, int ip, int length) {
        if (length < 20) {
            return -1; // nothing is read beyond the packet
        }
        int version = version(b, ip);
        if (version == 4) {
            int header = (b.get(ip) & 0x0F) * 4;
            boolean fragment = (b.getShort(ip + 6) & 0x3FFF) != 0; // MF or an offset
            return header >= 20 && header <= length && (b.getShort(ip + 2) & 0xFFFF) == length && !fragment
                    ? header : -1;
        }
        if (version == 6) {
            return length >= IPV6_HEADER && (b.getShort(ip + 4) & 0xFFFF) + IPV6_HEADER == length ? IPV6_HEADER : -1;
        }
        return -1;
    }

    /** The upper-layer protocol: IPv4's protocol field, IPv6's next header. */
    static int protocol(ByteBuffer b, int ip) {
        return b.get(ip + (version(b, ip) == 4 ? 9 : 6)) & 0xFF;
    }

    /** The TCP header's length from its data offset. */
    static int tcpHeaderLength(ByteBuffer b, int tcp) {
        return ((b.get(tcp + 12) & 0xFF) >>> 4) * 4;
    }

    static int tcpFlags(ByteBuffer b, int tcp) {
        return b.get(tcp + 13) & 0xFF;
    }

    /** Sets the IP total length (IPv4, and its header checksum) or payload length (IPv6) for a new packet length. */
    static void setLength(ByteBuffer b, int ip, int ipHeader, int length) {
        if (version(b, ip) == 4) {
            b.putShort(ip + 2, (short) length);
            b.putShort(ip + 10, (short) 0);
            b.putShort(ip + 10, (short) InternetChecksum.finish(InternetChecksum.sum(b, ip, ipHeader, 0)));
        } else {
            b.putShort(ip + 4, (short) (length - IPV6_HEADER));
        }
    }

    /** The TCP or UDP checksum field's offset within its header. */
    static int checksumField(int protocol) {
        return protocol == TCP ? 16 : 6;
    }
}
