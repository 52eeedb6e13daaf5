package org.alagg.protocol;

/**
 * What the payload of a frame is, so the receiver knows how to deliver it without looking
 * inside; the wire value is {@link #code()}.
 */
public enum PayloadProtocol {
    /** No inner packet: the payload of a {@link FrameType#PROBE} or {@link FrameType#PROBE_REPLY}. */
    NONE(0),
    /** An IPv4 packet, starting with its IP header. */
    IPV4(1),
    /** An IPv6 packet, starting with its IP header. */
    IPV6(2),
    /** A whole Ethernet frame without FCS (TAP mode). */
    ETHERNET(3);

    private final int code;

    PayloadProtocol(int code) {
        this.code = code;
    }

    /** @return the value of the payload protocol byte on the wire */
    public int code() {
        return code;
    }

    /** @return the payload protocol with that wire value, or {@code null} if none has it */
    static PayloadProtocol fromCode(int code) {
        // a switch, not values(): values() clones an array on every call
        switch (code) {
            case 0: return NONE;
            case 1: return IPV4;
            case 2: return IPV6;
            case 3: return ETHERNET;
            default: return null;
        }
    }
}
