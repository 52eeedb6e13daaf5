package org.alagg.api;

/** What an Alagg frame carries: the captured packet's protocol, so the format stays protocol-agnostic. */
public enum PayloadType {
    /** An IPv4 packet (NFQUEUE or TUN capture). */
    IPV4(0x0800),
    /** An IPv6 packet (NFQUEUE or TUN capture). */
    IPV6(0x86DD),
    /** A whole Ethernet frame (TAP capture). */
    ETHERNET(0x6558);

    private final int etherType;

    PayloadType(int etherType) {
        this.etherType = etherType;
    }

    /** The EtherType that names this payload on the wire (0x6558: transparent Ethernet bridging). */
    public int etherType() {
        return etherType;
    }

    /** The IP payload type given by a packet's first nibble, or {@code null} when it is neither IPv4 nor IPv6. */
    public static PayloadType ofIpVersion(int firstByte) {
        switch (firstByte >>> 4 & 0xF) {
            case 4: return IPV4;
            case 6: return IPV6;
            default: return null;
        }
    }
}
