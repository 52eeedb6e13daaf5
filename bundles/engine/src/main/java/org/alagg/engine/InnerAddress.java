package org.alagg.engine;

import java.nio.ByteBuffer;

import org.alagg.api.PayloadType;

/**
 * Reads the source or destination address of an inner packet: IPv4 and IPv6 packets, and in an Ethernet frame (TAP
 * mode, behind up to two VLAN tags: 802.1Q, 802.1ad) IPv4, IPv6 and ARP (the sender's address as source, the target's
 * as destination). Any other Ethernet frame has no address, nor does a packet too short to hold it or of another IP
 * version than its type says. No allocation: per packet on both hot threads.
 */
final class InnerAddress {
    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_IPV6 = 0x86DD;
    private static final int ETHERTYPE_ARP = 0x0806;
    private static final int ETHERTYPE_VLAN = 0x8100;
    private static final int ETHERTYPE_QINQ = 0x88A8;
    private static final int ETHERTYPE_QINQ_OLD = 0x9100;
    private static final int MAX_TAGS = 2;

    private InnerAddress() {
    }

    /**
     * Copies the packet's source ({@code source}) or destination address into {@code into} (16 bytes at least).
     *
     * @return its length, 4 or 16; 0 when the packet has none
     */
    static int read(ByteBuffer packet, int offset, int length, PayloadType type, boolean source, byte[] into) {
        if (type == null) {
            return 0;
        }
        return switch (type) {
            case IPV4 -> ip(packet, offset, length, 4, source, into);
            case IPV6 -> ip(packet, offset, length, 6, source, into);
            case ETHERNET -> ethernet(packet, offset, length, source, into);
        };
    }

    private static int ethernet(ByteBuffer frame, int offset, int length, boolean source, byte[] into) {
        int typeAt = offset + 12;
        for (int tags = 0; ; tags++) {
            if (typeAt + 2 > offset + length) {
                return 0;
            }
            int etherType = Short.toUnsignedInt(frame.getShort(typeAt));
            if (etherType == ETHERTYPE_VLAN || etherType == ETHERTYPE_QINQ || etherType == ETHERTYPE_QINQ_OLD) {
                if (tags == MAX_TAGS) {
                    return 0;
                }
                typeAt += 4;
                continue;
            }
            int at = typeAt + 2;
            int rest = offset + length - at;
            return switch (etherType) {
                case ETHERTYPE_IPV4 -> ip(frame, at, rest, 4, source, into);
                case ETHERTYPE_IPV6 -> ip(frame, at, rest, 6, source, into);
                case ETHERTYPE_ARP -> arp(frame, at, rest, source, into);
                default -> 0;
            };
        }
    }

    /** ARP for IPv4 over Ethernet: the sender's protocol address, or the target's. */
    private static int arp(ByteBuffer packet, int offset, int length, boolean source, byte[] into) {
        if (length < 28 || packet.getShort(offset) != 1 || packet.getShort(offset + 2) != ETHERTYPE_IPV4
                || packet.get(offset + 4) != 6 || packet.get(offset + 5) != 4) {
            return 0;
        }
        packet.get(offset + (source ? 14 : 24), into, 0, 4);
        return 4;
    }

    private static int ip(ByteBuffer packet, int offset, int length, int version, boolean source, byte[] into) {
        int at = version == 4 ? (source ? 12 : 16) : (source ? 8 : 24);
        int addressLength = version == 4 ? 4 : 16;
        if (length < at + addressLength || (packet.get(offset) & 0xF0) >>> 4 != version) {
            return 0;
        }
        packet.get(offset + at, into, 0, addressLength);
        return addressLength;
    }
}
