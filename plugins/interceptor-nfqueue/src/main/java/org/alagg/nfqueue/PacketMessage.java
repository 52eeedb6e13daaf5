package org.alagg.nfqueue;

import org.alagg.api.PayloadType;

/**
 * What {@link PacketDecoder#decode} read from one netlink message: a reusable mutable holder, so decoding
 * allocates nothing. The payload is not copied: {@link #payloadOffset()} indexes the buffer that was
 * decoded, valid until that buffer is reused.
 *
 * <p>Fields are reset at the start of every decode; after a reject only the fields read before the fault
 * are meaningful ({@link #messageLength()} tells whether the next message can be found).
 */
final class PacketMessage {
    private int messageLength;
    private int messageType;
    private int error;
    private int family;
    private int queue;
    private boolean hasPacketId;
    private int packetId;
    private int hwProtocol;
    private int hook;
    private int mark;
    private int inDevice;
    private int outDevice;
    private int payloadOffset;
    private int payloadLength;
    private boolean hasCapLength;
    private int capLength;
    private int skbInfo;
    private PayloadType payloadType;

    void reset() {
        messageLength = 0;
        messageType = -1;
        error = 0;
        family = 0;
        queue = -1;
        hasPacketId = false;
        packetId = 0;
        hwProtocol = 0;
        hook = 0;
        mark = 0;
        inDevice = 0;
        outDevice = 0;
        payloadOffset = 0;
        payloadLength = 0;
        hasCapLength = false;
        capLength = 0;
        skbInfo = 0;
        payloadType = null;
    }

    /** nlmsg_len of the message, padding excluded; 0 when it could not be trusted (skip the datagram). */
    int messageLength() {
        return messageLength;
    }

    /** nlmsg_type, or -1 when the header could not be read. */
    int messageType() {
        return messageType;
    }

    /** For an NLMSG_ERROR message: its error, 0 or a negative errno. */
    int error() {
        return error;
    }

    /** nfgen_family: the netfilter protocol family of the hook (2 IPv4, 10 IPv6). */
    int family() {
        return family;
    }

    /** nfgenmsg res_id: the queue number, or -1 when not read. */
    int queue() {
        return queue;
    }

    /** Whether all attributes parsed and PACKET_HDR was among them: {@link #packetId()} is trustworthy. */
    boolean hasPacketId() {
        return hasPacketId;
    }

    /** The kernel's packet id, an unsigned 32-bit serial number (the first is 1; it wraps). */
    int packetId() {
        return packetId;
    }

    /** The packet's EtherType as the kernel saw it: 0x0800 or 0x86DD for the IPv4 / IPv6 hooks. */
    int hwProtocol() {
        return hwProtocol;
    }

    /** The netfilter hook: 0 PRE_ROUTING, 1 LOCAL_IN, 2 FORWARD, 3 LOCAL_OUT, 4 POST_ROUTING. */
    int hook() {
        return hook;
    }

    /** skb->mark, 0 when the kernel sent none. */
    int mark() {
        return mark;
    }

    /** Input interface index, 0 when none (e.g. at LOCAL_OUT). */
    int inDevice() {
        return inDevice;
    }

    /** Output interface index, 0 when none. */
    int outDevice() {
        return outDevice;
    }

    /** Where the payload (the IP packet) starts in the decoded buffer. */
    int payloadOffset() {
        return payloadOffset;
    }

    /** How many payload bytes the message holds. */
    int payloadLength() {
        return payloadLength;
    }

    /** The packet's real length when the kernel sent NFQA_CAP_LEN, else the payload length. */
    int packetLength() {
        return hasCapLength ? capLength : payloadLength;
    }

    /** Whether the kernel copied only part of the packet (NFQA_CAP_LEN larger than the payload). */
    boolean truncated() {
        return hasCapLength && Integer.compareUnsigned(capLength, payloadLength) > 0;
    }

    /** NFQA_SKB_INFO bits ({@link NfqueueMessages#SKB_GSO} etc.), 0 when absent. */
    int skbInfo() {
        return skbInfo;
    }

    /** IPv4 or IPv6, set when the decode succeeded. */
    PayloadType payloadType() {
        return payloadType;
    }

    // ---- written by the decoder ----

    void header(int length, int type) {
        this.messageLength = length;
        this.messageType = type;
    }

    void error(int error) {
        this.error = error;
    }

    void nfgen(int family, int queue) {
        this.family = family;
        this.queue = queue;
    }

    void packetHeader(int id, int hwProtocol, int hook) {
        this.packetId = id;
        this.hwProtocol = hwProtocol;
        this.hook = hook;
    }

    void packetIdValid() {
        this.hasPacketId = true;
    }

    void mark(int mark) {
        this.mark = mark;
    }

    void inDevice(int ifindex) {
        this.inDevice = ifindex;
    }

    void outDevice(int ifindex) {
        this.outDevice = ifindex;
    }

    void payload(int offset, int length) {
        this.payloadOffset = offset;
        this.payloadLength = length;
    }

    void capLength(int capLength) {
        this.hasCapLength = true;
        this.capLength = capLength;
    }

    void skbInfo(int skbInfo) {
        this.skbInfo = skbInfo;
    }

    void payloadType(PayloadType type) {
        this.payloadType = type;
    }

    @Override
    public String toString() {
        return "PacketMessage[len=" + messageLength + ", type=0x" + Integer.toHexString(messageType)
                + ", queue=" + queue + ", id=" + Integer.toUnsignedString(packetId)
                + ", hw=0x" + Integer.toHexString(hwProtocol) + ", hook=" + hook
                + ", payload=" + payloadOffset + "+" + payloadLength
                + (truncated() ? " truncated from " + Integer.toUnsignedString(capLength) : "")
                + ", " + payloadType + "]";
    }
}
