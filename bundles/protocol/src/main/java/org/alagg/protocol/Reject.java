package org.alagg.protocol;

/**
 * Why {@link FrameCodec#decode} refused a frame, or {@link #NONE} if it did not. Each reason
 * has a stable {@link #counterName()} so a receiver can count rejects per reason.
 *
 * <p>The constants are listed in the order the decoder checks them; a frame with several
 * faults is reported with the first.
 */
public enum Reject {
    /** Not a reject: the frame was decoded. Never counted. */
    NONE("none"),
    /** Fewer bytes than the fixed header. */
    TRUNCATED("truncated"),
    /** A version this decoder does not speak; nothing after the version byte is trusted. */
    BAD_VERSION("bad_version"),
    /** A frame type byte that names no {@link FrameType}. */
    UNKNOWN_FRAME_TYPE("unknown_frame_type"),
    /** A flag bit set that this version does not define. */
    RESERVED_FLAGS("reserved_flags"),
    /** A payload protocol byte that names no {@link PayloadProtocol}. */
    UNKNOWN_PAYLOAD_PROTOCOL("unknown_payload_protocol"),
    /** The AUTH flag and the auth tag length disagree: one is set and the other is not. */
    AUTH_FLAG_MISMATCH("auth_flag_mismatch"),
    /** The header, inner length and auth tag need more bytes than the frame holds. */
    INNER_LENGTH_OVERFLOW("inner_length_overflow"),
    /**
     * The payload protocol does not fit the frame type: a DATA frame must carry a packet, a
     * probe or probe reply must carry {@link PayloadProtocol#NONE}.
     */
    PAYLOAD_PROTOCOL_MISMATCH("payload_protocol_mismatch"),
    /** The payload is too short for the frame type: an empty DATA frame, or a probe body
     *  shorter than {@link ProbeBody#LENGTH}. */
    SHORT_PAYLOAD("short_payload");

    private final String counterName;

    Reject(String counterName) {
        this.counterName = counterName;
    }

    /** @return a stable lower-case name for counters and logs, e.g. {@code "bad_version"} */
    public String counterName() {
        return counterName;
    }
}
