package org.alagg.nfqueue;

/**
 * Why a received netlink message gave no packet for the engine, or {@link #NONE}. Each reason has a stable
 * {@link #counterName()} so the interceptor can count rejects per reason.
 *
 * <p>Listed in the order they are checked: {@link PacketDecoder} first (framing, then attributes in the
 * order they come, then the payload), {@link CaptureConverter} last; a message with several faults is
 * reported with the first found.
 */
enum Reject {
    /** Not a reject. Never counted. */
    NONE("none"),
    /** Fewer bytes left in the datagram than an nlmsghdr (16). The rest of the datagram is skipped. */
    SHORT_DATAGRAM("short_datagram"),
    /** nlmsg_len below 16 or past the end of the datagram. The rest of the datagram is skipped. */
    BAD_MESSAGE_LENGTH("bad_message_length"),
    /** An NLMSG_ERROR message with a negative errno, e.g. a failed verdict (ENOENT, EPERM, ENODEV). */
    NETLINK_ERROR("netlink_error"),
    /** Any other message that is not an nfnetlink_queue PACKET: NOOP, DONE, a plain ack, another subsystem. */
    UNEXPECTED_MESSAGE("unexpected_message"),
    /** A PACKET message too short for its nfgenmsg. */
    SHORT_NFGENMSG("short_nfgenmsg"),
    /** An nfgenmsg version other than NFNETLINK_V0. */
    BAD_NFGEN_VERSION("bad_nfgen_version"),
    /** An attribute whose nla_len is below the 4 bytes of its own header. */
    BAD_ATTRIBUTE_LENGTH("bad_attribute_length"),
    /** An attribute (or its header) running past the end of the message. */
    ATTRIBUTE_OVERRUN("attribute_overrun"),
    /** A known attribute shorter than its value: PACKET_HDR under 7 bytes, a u32 attribute under 4. */
    SHORT_ATTRIBUTE("short_attribute"),
    /** No NFQA_PACKET_HDR: no packet id, so no verdict can name the packet. */
    MISSING_PACKET_HDR("missing_packet_hdr"),
    /** No NFQA_PAYLOAD, or an empty one (the queue is not in COPY_PACKET mode). */
    MISSING_PAYLOAD("missing_payload"),
    /** hw_protocol names neither IPv4 nor IPv6, or is unset and the first nibble is neither 4 nor 6. */
    UNKNOWN_PAYLOAD_TYPE("unknown_payload_type"),
    /** hw_protocol says IPv4 (IPv6) but the payload's version nibble says otherwise. */
    PAYLOAD_TYPE_MISMATCH("payload_type_mismatch"),
    /** A packet of another queue than the one this converter serves; its id is not ours to verdict. */
    WRONG_QUEUE("wrong_queue"),
    /** NFQA_CAP_LEN larger than the payload: the kernel copied only part of the packet. Dropped. */
    TRUNCATED_PAYLOAD("truncated_payload"),
    /**
     * A packet longer than the links carry once wrapped in an Alagg frame: handed to the converter's
     * {@link CaptureConverter.Oversize} handler (which answers its sender with an ICMP "too big" or counts
     * it dropped), never to the engine. Its id is in the verdict, i.e. dropped.
     */
    TOO_BIG("too_big"),
    /** A payload longer than a slot of the output batch. Dropped. */
    PAYLOAD_TOO_LARGE("payload_too_large");

    private final String counterName;

    Reject(String counterName) {
        this.counterName = counterName;
    }

    /** @return a stable lower-case name for counters and logs, e.g. {@code "attribute_overrun"} */
    String counterName() {
        return counterName;
    }
}
