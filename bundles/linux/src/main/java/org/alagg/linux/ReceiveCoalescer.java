package org.alagg.linux;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Joins consecutive segments of one TCP flow (and, where the device takes UDP segmentation offload, consecutive
 * datagrams of one UDP flow) into one large packet for a TUN device with offloads, as the kernel's GRO would: the
 * receiving stack then handles one packet of up to 64 KiB instead of dozens. The result is written with a virtio-net
 * header that marks it as a GSO packet of the first segment's payload size, so the kernel can cut it again exactly
 * (when it forwards it, or hands it to a socket that wants separate segments or datagrams).
 *
 * <p>A packet joins the group when everything but its payload (and TCP sequence number) agrees with the group's
 * first: IP version and addresses, IPv4 TOS/TTL/DF with the next identification, IPv6 traffic class/flow
 * label/hop limit, ports; for TCP also acknowledgement, window and options byte for byte, its sequence number
 * continuing the group's bytes and flags ACK only (PSH joins and ends the group). Its payload is no larger than the
 * first's (a smaller one ends the group), its checksum is right (a joined packet's checksum is no longer verified
 * by the kernel: an invalid one is written alone for the kernel to drop), and the group stays within 65 535 bytes
 * (and 64 datagrams for UDP). Anything else is written alone, unchanged, with an empty virtio-net header. Writing
 * thread only; no allocation.
 */
final class ReceiveCoalescer {
    /** The largest IPv4 total length; IPv6 groups keep to it too. */
    static final int MAX_GROUP = 65_535;
    /** Under the kernel's UDP_MAX_SEGMENTS (128), which virtio_net_hdr_to_skb enforces. */
    static final int MAX_DATAGRAMS = 64;
    private static final int PACKET = VirtioNetHeader.LENGTH;

    private final boolean udp;
    /** The virtio-net header, then the group's packet. */
    private final ByteBuffer out = ByteBuffer.allocateDirect(PACKET + MAX_GROUP).order(ByteOrder.BIG_ENDIAN);
    private int length;
    private int segments;
    private boolean open;
    private int protocol;
    private int ipHeader;
    private int l4Header;
    private int segmentPayload;
    private int nextSequence;
    private int lastId;
    private boolean push;

    /** @param udp whether datagrams are joined too: the device took USO (TUN_F_USO4/6) */
    ReceiveCoalescer(boolean udp) {
        this.udp = udp;
    }

    /** The buffer to write from index 0, once {@link #finish()} made it ready. */
    ByteBuffer buffer() {
        return out;
    }

    /** How many packets the group holds (0: none). */
    int segments() {
        return segments;
    }

    /**
     * Appends the packet to the group when it can join it (see the class comment).
     *
     * @return false when it cannot: {@link #finish} the group, write it, then {@link #begin} with this packet
     */
    boolean join(ByteBuffer b, int ip, int length) {
        if (!open || segments == 0 || IpHeaders.headerLength(b, ip, length) != ipHeader
                || IpHeaders.protocol(b, ip) != protocol || length < ipHeader + l4Header) {
            return false;
        }
        int l4 = ip + ipHeader;
        int firstL4 = PACKET + ipHeader;
        int payload = length - ipHeader - l4Header;
        if (payload <= 0 || payload > segmentPayload || this.length + payload > MAX_GROUP
                || !sameIp(b, ip, IpHeaders.version(b, ip)) || b.getInt(l4) != out.getInt(firstL4) // ports
                || !checksumRight(b, ip, length, ipHeader, protocol)) {
            return false;
        }
        if (protocol == IpHeaders.TCP) {
            int flags = IpHeaders.tcpFlags(b, l4);
            if (b.get(l4 + 12) != out.get(firstL4 + 12) // data offset, and the AE bit
                    || (flags & ~IpHeaders.TCP_PSH) != IpHeaders.TCP_ACK
                    || b.getInt(l4 + 4) != nextSequence
                    || b.getInt(l4 + 8) != out.getInt(firstL4 + 8) // acknowledgement
                    || b.getShort(l4 + 14) != out.getShort(firstL4 + 14) // window
                    || !sameBytes(b, l4 + 20, firstL4 + 20, l4Header - 20)) { // options
                return false;
            }
            nextSequence += payload;
            if ((flags & IpHeaders.TCP_PSH) != 0) {
                push = true;
                open = false;
            }
        } else if ((b.getShort(l4 + 4) & 0xFFFF) != length - ipHeader) { // the UDP length
            return false;
        }
        out.put(PACKET + this.length, b, l4 + l4Header, payload);
        this.length += payload;
        segments++;
        if (IpHeaders.version(b, ip) == 4) {
            lastId = b.getShort(ip + 4) & 0xFFFF;
        }
        if (payload < segmentPayload || (protocol == IpHeaders.UDP && segments == MAX_DATAGRAMS)) {
            open = false;
        }
        return true;
    }

    /** Starts a group with this packet (copied); a packet that cannot start a group is alone in it. */
    void begin(ByteBuffer b, int ip, int length) {
        out.put(PACKET, b, ip, length);
        this.length = length;
        this.segments = 1;
        this.push = false;
        this.open = false;
        int header = IpHeaders.headerLength(b, ip, length);
        // IPv4 options are not compared when joining, so a packet with them is alone (as Linux's GRO has it)
        boolean plain = header > 0 && header == (IpHeaders.version(b, ip) == 4 ? 20 : IpHeaders.IPV6_HEADER);
        int protocol = plain ? IpHeaders.protocol(b, ip) : -1;
        int l4 = ip + header;
        int l4Header;
        if (protocol == IpHeaders.TCP && length >= header + 20) {
            int flags = IpHeaders.tcpFlags(b, l4);
            l4Header = IpHeaders.tcpHeaderLength(b, l4);
            if (l4Header < 20 || (flags & ~IpHeaders.TCP_PSH) != IpHeaders.TCP_ACK || (flags & IpHeaders.TCP_PSH) != 0) {
                return;
            }
        } else if (protocol == IpHeaders.UDP && udp && length >= header + IpHeaders.UDP_HEADER
                && (b.getShort(l4 + 4) & 0xFFFF) == length - header) {
            l4Header = IpHeaders.UDP_HEADER;
        } else {
            return;
        }
        int payload = length - header - l4Header;
        if (payload <= 0 || !checksumRight(b, ip, length, header, protocol)) {
            return;
        }
        this.protocol = protocol;
        this.ipHeader = header;
        this.l4Header = l4Header;
        this.segmentPayload = payload;
        this.nextSequence = protocol == IpHeaders.TCP ? b.getInt(l4 + 4) + payload : 0;
        this.lastId = IpHeaders.version(b, ip) == 4 ? b.getShort(ip + 4) & 0xFFFF : 0;
        this.open = true;
    }

    /**
     * Makes the group ready to write: one packet goes as it came with an empty header; several become one GSO
     * packet (IP length and IPv4 header checksum, PSH of the last TCP segment, UDP length of the whole, the
     * TCP/UDP checksum left partial as the kernel expects with NEEDS_CSUM).
     *
     * @return how many bytes to write from index 0 of {@link #buffer()}
     */
    int finish() {
        if (segments == 1) {
            VirtioNetHeader.put(out, 0, 0, VirtioNetHeader.GSO_NONE, 0, 0, 0, 0);
            return PACKET + length;
        }
        int ip = PACKET;
        int l4 = ip + ipHeader;
        int version = IpHeaders.version(out, ip);
        IpHeaders.setLength(out, ip, ipHeader, length);
        int gsoType;
        if (protocol == IpHeaders.TCP) {
            if (push) {
                out.put(l4 + 13, (byte) (IpHeaders.tcpFlags(out, l4) | IpHeaders.TCP_PSH));
            }
            gsoType = version == 4 ? VirtioNetHeader.GSO_TCPV4 : VirtioNetHeader.GSO_TCPV6;
        } else {
            out.putShort(l4 + 4, (short) (length - ipHeader));
            gsoType = VirtioNetHeader.GSO_UDP_L4;
        }
        int field = IpHeaders.checksumField(protocol);
        long pseudo = InternetChecksum.pseudoHeader(out, ip, version, protocol, length - ipHeader);
        out.putShort(l4 + field, (short) InternetChecksum.fold(pseudo));
        VirtioNetHeader.put(out, 0, VirtioNetHeader.F_NEEDS_CSUM, gsoType, ipHeader + l4Header, segmentPayload,
                ipHeader, field);
        return PACKET + length;
    }

    /** Empties the group after it was written. */
    void clear() {
        segments = 0;
        open = false;
    }

    private boolean sameIp(ByteBuffer b, int ip, int version) {
        int first = PACKET;
        if (version == 4) {
            return b.get(ip + 1) == out.get(first + 1) // TOS
                    && (b.getShort(ip + 6) & 0x4000) == (out.getShort(first + 6) & 0x4000) // DF
                    && b.get(ip + 8) == out.get(first + 8) // TTL
                    && (b.getShort(ip + 4) & 0xFFFF) == ((lastId + 1) & 0xFFFF)
                    && b.getLong(ip + 12) == out.getLong(first + 12); // addresses
        }
        return b.getInt(ip) == out.getInt(first) // version, traffic class, flow label
                && b.get(ip + 7) == out.get(first + 7) // hop limit
                && sameBytes(b, ip + 8, first + 8, 32); // addresses
    }

    private boolean sameBytes(ByteBuffer b, int at, int outAt, int length) {
        int i = 0;
        for (; i + 8 <= length; i += 8) {
            if (b.getLong(at + i) != out.getLong(outAt + i)) {
                return false;
            }
        }
        for (; i < length; i++) {
            if (b.get(at + i) != out.get(outAt + i)) {
                return false;
            }
        }
        return true;
    }

    /** The TCP or UDP checksum of a packet whose IP header and protocol are known verifies (an IPv4 UDP 0 passes). */
    private static boolean checksumRight(ByteBuffer b, int ip, int length, int header, int protocol) {
        int version = IpHeaders.version(b, ip);
        if (protocol == IpHeaders.UDP && version == 4 && b.getShort(ip + header + 6) == 0) {
            return true;
        }
        long pseudo = InternetChecksum.pseudoHeader(b, ip, version, protocol, length - header);
        return InternetChecksum.finish(InternetChecksum.sum(b, ip + header, length - header, pseudo)) == 0;
    }
}
