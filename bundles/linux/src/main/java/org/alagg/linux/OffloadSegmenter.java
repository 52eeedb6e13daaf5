package org.alagg.linux;

import java.nio.ByteBuffer;

import org.alagg.api.PacketBatch;
import org.alagg.api.PayloadType;

/**
 * Cuts what a TUN device with offloads hands over into ordinary packets, as the kernel's own GSO would have: a
 * TCP (TSO) or UDP (USO) super-packet of up to 64 KiB into packets of {@code gso_size} bytes of payload, each with
 * its IP length, IPv4 identification and header checksum, TCP sequence number and flags (FIN and PSH only on the
 * last, CWR only on the first) or UDP length, and its full TCP/UDP checksum; a packet whose checksum the kernel
 * left partial (csum_start, csum_offset) gets it completed. One super-packet is cut at a time: what does not fit
 * the batch stays pending for the next call. Reading thread only; no allocation.
 *
 * <p>What is malformed (a header that does not match the packet, a segment that does not fit a slot) is refused
 * whole and counted: the kernel is the only writer here, so this guards against bugs, not attackers.
 */
final class OffloadSegmenter {
    private ByteBuffer source;
    private int ip;
    private int ipHeader;
    private int headers;
    private int protocol;
    private int segmentPayload;
    private int payloadEnd;
    /** Where the next segment's payload starts; {@code payloadEnd} when nothing is pending. */
    private int next;
    private int segment;
    private int firstSequence;
    private int firstId;
    private int flags;
    private long refused;

    /**
     * Takes the packet the device read at {@code ip} (after its virtio-net header at {@code header}): a plain
     * packet is completed and appended to {@code into} at once (the batch must have room); a super-packet becomes
     * pending and {@link #next} cuts it.
     *
     * @return false when the packet was refused (counted in {@link #refused})
     */
    boolean take(ByteBuffer b, int header, int ip, int length, PacketBatch into) {
        int gsoType = VirtioNetHeader.gsoType(b, header) & ~VirtioNetHeader.GSO_ECN;
        if (gsoType == VirtioNetHeader.GSO_NONE) {
            return plain(b, header, ip, length, into);
        }
        int ipHeader = IpHeaders.headerLength(b, ip, length);
        int version = ipHeader < 0 ? -1 : IpHeaders.version(b, ip);
        int protocol = ipHeader < 0 ? -1 : IpHeaders.protocol(b, ip);
        boolean matches = switch (gsoType) {
            case VirtioNetHeader.GSO_TCPV4 -> version == 4 && protocol == IpHeaders.TCP;
            case VirtioNetHeader.GSO_TCPV6 -> version == 6 && protocol == IpHeaders.TCP;
            case VirtioNetHeader.GSO_UDP_L4 -> protocol == IpHeaders.UDP;
            default -> false;
        };
        if (!matches) {
            return refuse();
        }
        int l4 = ip + ipHeader;
        if (ipHeader + (protocol == IpHeaders.TCP ? 20 : IpHeaders.UDP_HEADER) >= length) {
            return refuse(); // before a TCP data offset beyond the packet is read
        }
        int l4Header = protocol == IpHeaders.TCP ? IpHeaders.tcpHeaderLength(b, l4) : IpHeaders.UDP_HEADER;
        int headers = ipHeader + l4Header;
        // a gso_size above the payload means one segment
        int size = Math.min(VirtioNetHeader.gsoSize(b, header), length - headers);
        if ((protocol == IpHeaders.TCP && l4Header < 20) || headers >= length || size <= 0
                || headers + size > into.slotSize()) {
            return refuse();
        }
        this.source = b;
        this.ip = ip;
        this.ipHeader = ipHeader;
        this.headers = headers;
        this.protocol = protocol;
        this.segmentPayload = size;
        this.payloadEnd = ip + length;
        this.next = ip + headers;
        this.segment = 0;
        if (protocol == IpHeaders.TCP) {
            firstSequence = b.getInt(l4 + 4);
            flags = IpHeaders.tcpFlags(b, l4);
        }
        firstId = version == 4 ? b.getShort(ip + 4) & 0xFFFF : 0;
        return true;
    }

    /** Whether a super-packet is still being cut. */
    boolean pending() {
        return next < payloadEnd;
    }

    /** Appends the pending super-packet's next segments to {@code into} while it has room; how many. */
    int next(PacketBatch into) {
        int count = 0;
        ByteBuffer b = source;
        while (next < payloadEnd && !into.isFull()) {
            int payload = Math.min(segmentPayload, payloadEnd - next);
            boolean last = next + payload == payloadEnd;
            int length = headers + payload;
            int slot = into.offset(into.size());
            ByteBuffer out = into.memory();
            out.put(slot, b, ip, headers);
            out.put(slot + headers, b, next, payload);
            int l4 = slot + ipHeader;
            if (IpHeaders.version(out, slot) == 4) {
                out.putShort(slot + 4, (short) (firstId + segment));
            }
            IpHeaders.setLength(out, slot, ipHeader, length);
            if (protocol == IpHeaders.TCP) {
                out.putInt(l4 + 4, firstSequence + segment * segmentPayload);
                int f = flags;
                if (!last) {
                    f &= ~(IpHeaders.TCP_FIN | IpHeaders.TCP_PSH);
                }
                if (segment > 0) {
                    f &= ~IpHeaders.TCP_CWR;
                }
                out.put(l4 + 13, (byte) f);
            } else {
                out.putShort(l4 + 4, (short) (length - ipHeader));
            }
            completeChecksum(out, slot, ipHeader, length, protocol);
            into.commit(length, PayloadType.ofIpVersion(out.get(slot) & 0xFF), -1);
            next += payload;
            segment++;
            count++;
        }
        return count;
    }

    /** Super-packets and packets refused as malformed so far. */
    long refused() {
        return refused;
    }

    private boolean plain(ByteBuffer b, int header, int ip, int length, PacketBatch into) {
        PayloadType payload = length > 0 ? PayloadType.ofIpVersion(b.get(ip) & 0xFF) : null;
        if (payload == null || length > into.slotSize()) {
            return refuse();
        }
        if ((VirtioNetHeader.flags(b, header) & VirtioNetHeader.F_NEEDS_CSUM) != 0) {
            int start = VirtioNetHeader.csumStart(b, header);
            int field = start + VirtioNetHeader.csumOffset(b, header);
            if (field + 2 > length) {
                return refuse();
            }
            // The field holds the pseudo-header's sum: summing from csum_start over it gives the whole.
            int sum = InternetChecksum.finish(InternetChecksum.sum(b, ip + start, length - start, 0));
            if (sum == 0) {
                sum = 0xFFFF; // as the kernel's skb_checksum_help (CSUM_MANGLED_0): a UDP 0 means "no checksum"
            }
            b.putShort(ip + field, (short) sum);
        }
        into.memory().put(into.offset(into.size()), b, ip, length);
        into.commit(length, payload, -1);
        return true;
    }

    /** The TCP or UDP checksum of the packet at {@code ip}, written into it (UDP's 0 is sent as 0xFFFF). */
    static void completeChecksum(ByteBuffer b, int ip, int ipHeader, int length, int protocol) {
        int l4 = ip + ipHeader;
        int field = l4 + IpHeaders.checksumField(protocol);
        b.putShort(field, (short) 0);
        long sum = InternetChecksum.pseudoHeader(b, ip, IpHeaders.version(b, ip), protocol, length - ipHeader);
        int checksum = InternetChecksum.finish(InternetChecksum.sum(b, l4, length - ipHeader, sum));
        b.putShort(field, (short) (protocol == IpHeaders.UDP && checksum == 0 ? 0xFFFF : checksum));
    }

    private boolean refuse() {
        refused++;
        return false;
    }
}
