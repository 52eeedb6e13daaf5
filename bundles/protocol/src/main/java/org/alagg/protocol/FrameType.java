package org.alagg.protocol;

/** What a frame is for; the wire value is {@link #code()}. */
public enum FrameType {
    /** Carries one inner packet, numbered by the global sequence. */
    DATA(1),
    /** Asks the peer to echo the {@linkplain ProbeBody probe body} back on the same link. */
    PROBE(2),
    /** The peer's echo of a {@link #PROBE}, body unchanged, so the prober can measure RTT. */
    PROBE_REPLY(3),
    /**
     * Forward error correction: one parity symbol over a group of consecutive DATA frames ({@link Parity}, {@link FecCode});
     * its Global sequence is the group's first number.
     */
    PARITY(4);

    private final int code;

    FrameType(int code) {
        this.code = code;
    }

    /** @return the value of the frame type byte on the wire */
    public int code() {
        return code;
    }

    /** @return the frame type with that wire value, or {@code null} if none has it */
    static FrameType fromCode(int code) {
        // a switch, not values(): values() clones an array on every call
        switch (code) {
            case 1: return DATA;
            case 2: return PROBE;
            case 3: return PROBE_REPLY;
            case 4: return PARITY;
            default: return null;
        }
    }
}
