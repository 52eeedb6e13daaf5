package org.alagg.nfqueue;

import java.nio.ByteBuffer;

import org.alagg.linux.InternetChecksum;

/**
 * The ICMP errors that tell a sender its packet was too long for the path, so that its path MTU discovery
 * shrinks the next ones: ICMPv4 "destination unreachable, fragmentation needed" (RFC 792, next-hop MTU per
 * RFC 1191) and ICMPv6 "packet too big" (RFC 4443). Each answers a captured packet, addressed from the
 * packet's destination back to its source, as a whole IP packet for a raw socket.
 *
 * <p>Absolute indexes only, with explicit network byte order whatever a buffer's {@link ByteBuffer#order()}:
 * nothing is allocated and no buffer's position, limit or order changes. The
 * {@code mayAnswer} checks follow the rules against ICMP errors about ICMP errors, fragments and group
 * addresses (RFC 1122 3.2.2, RFC 1812 4.3.2.7, RFC 4443 2.4 e).
 */
final class TooBigMessages {
    static final int IPV4_HEADER = 20;
    static final int IPV6_HEADER = 40;
    static final int ICMP_HEADER = 8;
    static final int PROTOCOL_ICMP = 1;
    static final int NEXT_HEADER_ICMPV6 = 58;
    static final int ICMP_DEST_UNREACH = 3;
    static final int ICMP_FRAG_NEEDED = 4;
    static final int ICMPV6_PACKET_TOO_BIG = 2;
    /** The IPv6 minimum MTU: an ICMPv6 error must fit it (RFC 4443 2.4 c). */
    static final int IPV6_MIN_MTU = 1280;
    /** The longest fragmentation-needed message: a header with 40 bytes of options and 8 data bytes quoted. */
    static final int MAX_FRAGMENTATION_NEEDED = IPV4_HEADER + ICMP_HEADER + 60 + 8;
    /** IPv4 flags: don't fragment, and the fragment offset's mask. */
    static final int DF = 0x4000;
    static final int FRAGMENT_OFFSET = 0x1FFF;
    /** TOS of the kernel's own ICMP errors (IPTOS_PREC_INTERNETCONTROL). */
    private static final int TOS_INTERNETWORK_CONTROL = 0xC0;
    private static final int TTL = 64;

    private TooBigMessages() {
    }

    /** Whether the IPv4 packet at {@code offset} has the don't-fragment bit. */
    static boolean dontFragment(ByteBuffer packet, int offset) {
        return (Netlink.getBeShort(packet, offset + 6) & DF) != 0;
    }

    /**
     * Whether an ICMP error may answer this IPv4 packet: a well-formed header, the first fragment, a unicast
     * source and destination, and not itself an ICMP error.
     */
    static boolean mayAnswerIpv4(ByteBuffer packet, int offset, int length) {
        if (length < IPV4_HEADER || (packet.get(offset) & 0xF0) != 0x40) {
            return false;
        }
        int headerLength = (packet.get(offset) & 0x0F) * 4;
        if (headerLength < IPV4_HEADER || headerLength > length) {
            return false;
        }
        if ((Netlink.getBeShort(packet, offset + 6) & FRAGMENT_OFFSET) != 0) {
            return false;
        }
        int source = Netlink.getBeInt(packet, offset + 12);
        int destination = Netlink.getBeInt(packet, offset + 16);
        if (source == 0 || isGroupOrBroadcast(source) || isGroupOrBroadcast(destination)) {
            return false;
        }
        if (Byte.toUnsignedInt(packet.get(offset + 9)) == PROTOCOL_ICMP) {
            return length > headerLength && !isIcmpError(Byte.toUnsignedInt(packet.get(offset + headerLength)));
        }
        return true;
    }

    private static boolean isUnspecified(ByteBuffer packet, int address) {
        for (int i = 0; i < 16; i++) {
            if (packet.get(address + i) != 0) {
                return false;
            }
        }
        return true;
    }

    /** Multicast (224.0.0.0/4) or the limited broadcast; a subnet's broadcast address is not known here. */
    private static boolean isGroupOrBroadcast(int address) {
        return (address & 0xF0000000) == 0xE0000000 || address == 0xFFFFFFFF;
    }

    /** Destination unreachable, source quench, redirect, time exceeded, parameter problem. */
    private static boolean isIcmpError(int type) {
        return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
    }

    /**
     * Writes an ICMPv4 "fragmentation needed" answering the IPv4 packet at {@code offset}: from its
     * destination to its source, quoting its header and first 8 data bytes (RFC 792), with the next-hop MTU.
     * The packet must pass {@link #mayAnswerIpv4}.
     *
     * @param into where the answer goes, from index 0; at least {@link #MAX_FRAGMENTATION_NEEDED} bytes
     * @return the answer's length
     */
    static int fragmentationNeeded(ByteBuffer packet, int offset, int length, int mtu, ByteBuffer into) {
        int headerLength = (packet.get(offset) & 0x0F) * 4;
        int quoted = Math.min(length, headerLength + 8);
        int total = IPV4_HEADER + ICMP_HEADER + quoted;
        into.put(0, (byte) 0x45);
        into.put(1, (byte) TOS_INTERNETWORK_CONTROL);
        Netlink.putBeShort(into, 2, total);
        into.putInt(4, 0); // identification 0 (the kernel picks one), no flags, offset 0
        into.put(8, (byte) TTL);
        into.put(9, (byte) PROTOCOL_ICMP);
        into.putShort(10, (short) 0);
        into.put(12, packet, offset + 16, 4);
        into.put(16, packet, offset + 12, 4);
        Netlink.putBeShort(into, 10, checksum(into, 0, IPV4_HEADER, 0));

        int icmp = IPV4_HEADER;
        into.put(icmp, (byte) ICMP_DEST_UNREACH);
        into.put(icmp + 1, (byte) ICMP_FRAG_NEEDED);
        into.putShort(icmp + 2, (short) 0);
        into.putShort(icmp + 4, (short) 0); // unused
        Netlink.putBeShort(into, icmp + 6, Math.min(mtu, 0xFFFF));
        into.put(icmp + ICMP_HEADER, packet, offset, quoted);
        Netlink.putBeShort(into, icmp + 2, checksum(into, icmp, ICMP_HEADER + quoted, 0));
        return total;
    }

    /**
     * Whether an ICMPv6 error may answer this IPv6 packet: a unicast, specified source and not itself an
     * ICMPv6 error (seen when ICMPv6 is the first next header; extension headers are not walked). A multicast
     * destination is allowed: "packet too big" is the exception for it (RFC 4443 2.4 e.2).
     */
    static boolean mayAnswerIpv6(ByteBuffer packet, int offset, int length) {
        if (length < IPV6_HEADER || (packet.get(offset) & 0xF0) != 0x60) {
            return false;
        }
        int source = offset + 8;
        if (packet.get(source) == (byte) 0xFF || isUnspecified(packet, source)) {
            return false;
        }
        if (Byte.toUnsignedInt(packet.get(offset + 6)) == NEXT_HEADER_ICMPV6) {
            return length > IPV6_HEADER && Byte.toUnsignedInt(packet.get(offset + IPV6_HEADER)) >= 128;
        }
        return true;
    }

    /**
     * Writes an ICMPv6 "packet too big" answering the IPv6 packet at {@code offset}: from its destination to
     * its source, with the MTU and as much of the packet as keeps the answer within 1280 bytes (RFC 4443 3.2).
     * The packet must pass {@link #mayAnswerIpv6}.
     *
     * @param into where the answer goes, from index 0; at least {@link #IPV6_MIN_MTU} bytes
     * @return the answer's length
     */
    static int packetTooBig(ByteBuffer packet, int offset, int length, int mtu, ByteBuffer into) {
        int quoted = Math.min(length, IPV6_MIN_MTU - IPV6_HEADER - ICMP_HEADER);
        int payloadLength = ICMP_HEADER + quoted;
        Netlink.putBeInt(into, 0, 0x60000000); // version 6, traffic class 0, flow label 0
        Netlink.putBeShort(into, 4, payloadLength);
        into.put(6, (byte) NEXT_HEADER_ICMPV6);
        into.put(7, (byte) TTL);
        into.put(8, packet, offset + 24, 16);
        into.put(24, packet, offset + 8, 16);

        int icmp = IPV6_HEADER;
        into.put(icmp, (byte) ICMPV6_PACKET_TOO_BIG);
        into.put(icmp + 1, (byte) 0);
        into.putShort(icmp + 2, (short) 0);
        Netlink.putBeInt(into, icmp + 4, mtu);
        into.put(icmp + ICMP_HEADER, packet, offset, quoted);
        // pseudo-header (RFC 8200 8.1): source, destination, upper-layer length, next header
        long sum = InternetChecksum.sum(into, 8, 32, 0) + payloadLength + NEXT_HEADER_ICMPV6;
        Netlink.putBeShort(into, icmp + 2, checksum(into, icmp, payloadLength, sum));
        return IPV6_HEADER + payloadLength;
    }

    /** The Internet checksum (RFC 1071) of {@code length} bytes at {@code offset}, on top of a partial sum. */
    static int checksum(ByteBuffer b, int offset, int length, long partial) {
        return InternetChecksum.finish(InternetChecksum.sum(b, offset, length, partial));
    }
}
