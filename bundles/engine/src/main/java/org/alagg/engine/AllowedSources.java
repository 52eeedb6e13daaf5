package org.alagg.engine;

import java.nio.ByteBuffer;
import java.util.List;

import org.alagg.api.IpNetwork;
import org.alagg.api.PayloadType;

/**
 * Whether an inner packet's source address is one the peer may use (WireGuard's allowed IPs, on receive). IPv4 and
 * IPv6 packets are checked, and in an Ethernet frame (TAP mode, behind up to two VLAN tags: 802.1Q, 802.1ad) IPv4,
 * IPv6 and ARP (its sender address); any other Ethernet frame does not pass, nor does a packet too short to hold
 * its source or of another IP version than its type says. Ingress thread only; no allocation.
 */
final class AllowedSources {
    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_IPV6 = 0x86DD;
    private static final int ETHERTYPE_ARP = 0x0806;
    private static final int ETHERTYPE_VLAN = 0x8100;
    private static final int ETHERTYPE_QINQ = 0x88A8;
    private static final int ETHERTYPE_QINQ_OLD = 0x9100;
    private static final int MAX_TAGS = 2;

    private final IpNetwork[] networks;
    private final byte[] source = new byte[16];

    AllowedSources(List<IpNetwork> networks) {
        this.networks = networks.toArray(new IpNetwork[0]);
    }

    /** Whether every source passes (no networks configured). */
    boolean any() {
        return networks.length == 0;
    }

    boolean allows(ByteBuffer packet, int offset, int length, PayloadType type) {
        if (networks.length == 0) {
            return true;
        }
        switch (type) {
            case IPV4:
                return ip(packet, offset, length, 4);
            case IPV6:
                return ip(packet, offset, length, 6);
            case ETHERNET:
                return ethernet(packet, offset, length);
            default:
                return false;
        }
    }

    private boolean ethernet(ByteBuffer frame, int offset, int length) {
        int typeAt = offset + 12;
        for (int tags = 0; ; tags++) {
            if (typeAt + 2 > offset + length) {
                return false;
            }
            int etherType = Short.toUnsignedInt(frame.getShort(typeAt));
            if (etherType == ETHERTYPE_VLAN || etherType == ETHERTYPE_QINQ || etherType == ETHERTYPE_QINQ_OLD) {
                if (tags == MAX_TAGS) {
                    return false;
                }
                typeAt += 4;
                continue;
            }
            int at = typeAt + 2;
            int rest = offset + length - at;
            switch (etherType) {
                case ETHERTYPE_IPV4:
                    return ip(frame, at, rest, 4);
                case ETHERTYPE_IPV6:
                    return ip(frame, at, rest, 6);
                case ETHERTYPE_ARP:
                    return arp(frame, at, rest);
                default:
                    return false; // no source to check: not let through when sources are restricted
            }
        }
    }

    /** ARP for IPv4 over Ethernet: the sender's protocol address is the source. */
    private boolean arp(ByteBuffer packet, int offset, int length) {
        if (length < 28 || packet.getShort(offset + 2) != ETHERTYPE_IPV4 || packet.get(offset + 5) != 4) {
            return false;
        }
        packet.get(offset + 14, source, 0, 4);
        return listed(4);
    }

    private boolean ip(ByteBuffer packet, int offset, int length, int version) {
        int sourceAt = version == 4 ? 12 : 8;
        int sourceLength = version == 4 ? 4 : 16;
        if (length < sourceAt + sourceLength || (packet.get(offset) & 0xF0) >>> 4 != version) {
            return false;
        }
        packet.get(offset + sourceAt, source, 0, sourceLength);
        return listed(sourceLength);
    }

    private boolean listed(int sourceLength) {
        for (IpNetwork n : networks) {
            if (n.contains(source, 0, sourceLength)) {
                return true;
            }
        }
        return false;
    }
}
