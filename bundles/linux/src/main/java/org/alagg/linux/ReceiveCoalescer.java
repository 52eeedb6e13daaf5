package org.alagg.linux;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Joins consecutive TCP segments of one flow into one large packet for a TUN device with offloads, as the kernel's
 * GRO would: the receiving TCP stack then handles one packet of up to 64 KiB instead of dozens. The result is
 * written with a virtio-net header that marks it as a TSO packet of the first segment's payload size, so the kernel
 * can cut it again exactly (when it forwards it, or hands it to a socket that wants segments).
 *
 * <p>A segment joins the group when everything but its payload and sequence number agrees with the group's first
 * (IP version, addresses, IPv4 TOS/TTL/DF with the next identification, IPv6 traffic class/flow label/hop limit,
 * ports, acknowledgement, window, TCP options byte for byte), its sequence number continues the group's bytes, its
 * flags are ACK (PSH ends the group), its payload is no larger than the first's (a smaller one ends the group), its
 * TCP checksum is right (a joined packet's checksum is no longer verified by the kernel: an invalid one is written
 * alone for the kernel to drop), and the group stays within 65 535 bytes. Anything else is written alone, unchanged,
 * with an empty virtio-net header. Writing thread only; no allocation.
 */
final class ReceiveCoalescer {
    /** The largest IPv4 total length; IPv6 groups keep to it too. */
    static final int MAX_GROUP = 65_535;
    private static final int PACKET = VirtioNetHeader.LENGTH;

    /** The virtio-net header, then the group's packet. */
    private final ByteBuffer out = ByteBuffer.allocateDirect(PACKET + MAX_GROUP).order(ByteOrder.BIG_ENDIAN);
    private int length;
    private int segments;
    private boolean open;
    private int ipHeader;
    private int tcpHeader;
    private int segmentPayload;
    private int nextSequence;
    private int lastId;
    private boolean push;

    /** The buffer to write: {@link #bytes()} from index 0, once {@link #finish()} made it ready. */
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
        if (!open || segments == 0) {
            return false;
        }
        int version = IpHeaders.version(b, ip);
        int header = IpHeaders.headerLength(b, ip, length);
        if (header != ipHeader || this.length + length - ipHeader - tcpHeader > MAX_GROUP
                || IpHeaders.protocol(b, ip) != IpHeaders.TCP || length < header + 20) {
            return false;
        }
        int tcp = ip + header;
        int first = PACKET;
        int firstTcp = first + ipHeader;
        int payload = length - header - tcpHeader;
        int flags = IpHeaders.tcpFlags(b, tcp);
        if (IpHeaders.tcpHeaderLength(b, tcp) != tcpHeader || payload <= 0 || payload > segmentPayload
                || (flags & ~IpHeaders.TCP_PSH) != IpHeaders.TCP_ACK || b.getInt(tcp + 4) != nextSequence
                || !sameIp(b, ip, version) || b.getInt(tcp) != out.getInt(firstTcp) // ports
                || b.getInt(tcp + 8) != out.getInt(firstTcp + 8) // acknowledgement
                || b.getShort(tcp + 14) != out.getShort(firstTcp + 14) // window
                || !sameBytes(b, tcp + 20, firstTcp + 20, tcpHeader - 20) // options
                || !checksumRight(b, ip, length)) {
            return false;
        }
        out.put(PACKET + this.length, b, tcp + tcpHeader, payload);
        this.length += payload;
        segments++;
        nextSequence += payload;
        if (version == 4) {
            lastId = b.getShort(ip + 4) & 0xFFFF;
        }
        if ((flags & IpHeaders.TCP_PSH) != 0) {
            push = true;
            open = false;
        }
        if (payload < segmentPayload) {
            open = false;
        }
        return true;
    }

    /** Starts a group with this packet (copied); a packet that cannot start a TCP group is alone in it. */
    void begin(ByteBuffer b, int ip, int length) {
        out.put(PACKET, b, ip, length);
        this.length = length;
        this.segments = 1;
        this.push = false;
        int header = IpHeaders.headerLength(b, ip, length);
        open = false;
        if (header < 0 || IpHeaders.protocol(b, ip) != IpHeaders.TCP || length < header + 20) {
            return;
        }
        int tcp = ip + header;
        int tcpHeader = IpHeaders.tcpHeaderLength(b, tcp);
        int payload = length - header - tcpHeader;
        int flags = IpHeaders.tcpFlags(b, tcp);
        if (tcpHeader < 20 || payload <= 0 || (flags & ~IpHeaders.TCP_PSH) != IpHeaders.TCP_ACK
                || (flags & IpHeaders.TCP_PSH) != 0 || !checksumRight(b, ip, length)) {
            return;
        }
        this.ipHeader = header;
        this.tcpHeader = tcpHeader;
        this.segmentPayload = payload;
        this.nextSequence = b.getInt(tcp + 4) + payload;
        this.lastId = IpHeaders.version(b, ip) == 4 ? b.getShort(ip + 4) & 0xFFFF : 0;
        this.open = true;
    }

    /**
     * Makes the group ready to write: one packet goes as it came with an empty header; several become one TSO
     * packet (lengths, IPv4 header checksum, PSH of the last, the TCP checksum left partial as the kernel expects
     * with NEEDS_CSUM).
     *
     * @return how many bytes to write from index 0 of {@link #buffer()}
     */
    int finish() {
        if (segments == 1) {
            VirtioNetHeader.put(out, 0, 0, VirtioNetHeader.GSO_NONE, 0, 0, 0, 0);
            return PACKET + length;
        }
        int ip = PACKET;
        int tcp = ip + ipHeader;
        int version = IpHeaders.version(out, ip);
        IpHeaders.setLength(out, ip, ipHeader, length);
        if (push) {
            out.put(tcp + 13, (byte) (IpHeaders.tcpFlags(out, tcp) | IpHeaders.TCP_PSH));
        }
        long pseudo = InternetChecksum.pseudoHeader(out, ip, version, IpHeaders.TCP, length - ipHeader);
        out.putShort(tcp + 16, (short) InternetChecksum.fold(pseudo));
        VirtioNetHeader.put(out, 0, VirtioNetHeader.F_NEEDS_CSUM,
                version == 4 ? VirtioNetHeader.GSO_TCPV4 : VirtioNetHeader.GSO_TCPV6, ipHeader + tcpHeader,
                segmentPayload, ipHeader, 16);
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

    private static boolean checksumRight(ByteBuffer b, int ip, int length) {
        int header = IpHeaders.headerLength(b, ip, length);
        long pseudo = InternetChecksum.pseudoHeader(b, ip, IpHeaders.version(b, ip), IpHeaders.TCP, length - header);
        return InternetChecksum.finish(InternetChecksum.sum(b, ip + header, length - header, pseudo)) == 0;
    }
}
