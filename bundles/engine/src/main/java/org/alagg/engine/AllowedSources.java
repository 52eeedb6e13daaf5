package org.alagg.engine;

import java.nio.ByteBuffer;
import java.util.List;

import org.alagg.api.IpNetwork;
import org.alagg.api.PayloadType;

/**
 * Whether an inner packet's source address is one the peer may use (WireGuard's allowed IPs, on receive). IPv4 and
 * IPv6 packets, and those inside an Ethernet frame (TAP mode, also behind one 802.1Q tag), are checked; other
 * Ethernet frames (ARP) carry no IP source and pass. A packet too short to hold its source, or of another IP
 * version than its type says, does not pass. Ingress thread only; no allocation.
 */
final class AllowedSources {
    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_IPV6 = 0x86DD;
    private static final int ETHERTYPE_VLAN = 0x8100;

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
        if (length < 14) {
            return false;
        }
        int etherType = Short.toUnsignedInt(frame.getShort(typeAt));
        if (etherType == ETHERTYPE_VLAN) {
            if (length < 18) {
                return false;
            }
            typeAt += 4;
            etherType = Short.toUnsignedInt(frame.getShort(typeAt));
        }
        int ip = typeAt + 2;
        int ipLength = length - (ip - offset);
        if (etherType == ETHERTYPE_IPV4) {
            return ip(frame, ip, ipLength, 4);
        }
        if (etherType == ETHERTYPE_IPV6) {
            return ip(frame, ip, ipLength, 6);
        }
        return true; // ARP and the like: no IP source to check
    }

    private boolean ip(ByteBuffer packet, int offset, int length, int version) {
        int sourceAt = version == 4 ? 12 : 8;
        int sourceLength = version == 4 ? 4 : 16;
        if (length < sourceAt + sourceLength || (packet.get(offset) & 0xF0) >>> 4 != version) {
            return false;
        }
        packet.get(offset + sourceAt, source, 0, sourceLength);
        for (IpNetwork n : networks) {
            if (n.contains(source, 0, sourceLength)) {
                return true;
            }
        }
        return false;
    }
}
