package org.alagg.nfqueue;

import static org.alagg.nfqueue.Netlink.NLA_HDRLEN;
import static org.alagg.nfqueue.Netlink.NLMSG_ERROR;
import static org.alagg.nfqueue.Netlink.NLMSG_HDRLEN;
import static org.alagg.nfqueue.Netlink.OFFSET_ATTRIBUTES;
import static org.alagg.nfqueue.Netlink.OFFSET_NFGENMSG;

import java.nio.ByteBuffer;
import java.util.Objects;
import org.alagg.api.PayloadType;

/**
 * Reads the netlink messages the kernel sends an nfnetlink_queue socket: PACKET messages and NLMSG_ERROR
 * acks. Hostile or damaged bytes never throw: they are answered with a {@link Reject} reason. Absolute
 * indexes only, nothing allocated, the buffer's position, limit and order untouched.
 */
final class PacketDecoder {
    static final int PACKET_TYPE = NfqueueMessages.type(NfqueueMessages.MSG_PACKET);

    private PacketDecoder() {
    }

    /**
     * Decodes the netlink message at {@code offset} as an nfnetlink_queue PACKET.
     *
     * @param src       the buffer holding the received datagram
     * @param offset    where the message starts
     * @param available bytes from {@code offset} to the end of the datagram (the message may be shorter:
     *                  the next one starts at {@code offset + align(into.messageLength())})
     * @param into      receives the fields; reset first
     * @return {@link Reject#NONE} if {@code into} holds a packet with a payload of a known type
     * @throws IndexOutOfBoundsException if {@code offset} and {@code available} do not lie within
     *         {@code src.limit()}: the caller's bookkeeping is wrong, not the kernel's bytes
     */
    static Reject decode(ByteBuffer src, int offset, int available, PacketMessage into) {
        Objects.checkFromIndexSize(offset, available, src.limit());
        into.reset();
        Reject framing = framing(src, offset, available);
        if (framing != Reject.NONE) {
            return framing;
        }
        int length = Netlink.getHostInt(src, offset + Netlink.OFFSET_LEN);
        int type = Netlink.getHostShort(src, offset + Netlink.OFFSET_TYPE);
        into.header(length, type);
        if (type == NLMSG_ERROR) {
            // a failed verdict lands here; a plain ack does too if someone asked for one
            if (length < NLMSG_HDRLEN + 4) {
                return Reject.UNEXPECTED_MESSAGE;
            }
            int error = Netlink.getHostInt(src, offset + NLMSG_HDRLEN);
            into.error(error);
            return error != 0 ? Reject.NETLINK_ERROR : Reject.UNEXPECTED_MESSAGE;
        }
        if (type != PACKET_TYPE) {
            return Reject.UNEXPECTED_MESSAGE;
        }
        if (length < OFFSET_ATTRIBUTES) {
            return Reject.SHORT_NFGENMSG;
        }
        if (src.get(offset + OFFSET_NFGENMSG + 1) != Netlink.NFNETLINK_V0) {
            return Reject.BAD_NFGEN_VERSION;
        }
        into.nfgen(Byte.toUnsignedInt(src.get(offset + OFFSET_NFGENMSG)),
                Netlink.getBeShort(src, offset + OFFSET_NFGENMSG + 2));

        boolean sawPacketHeader = false;
        boolean sawPayload = false;
        int end = offset + length;
        int at = offset + OFFSET_ATTRIBUTES;
        while (at < end) {
            if (end - at < NLA_HDRLEN) {
                return Reject.ATTRIBUTE_OVERRUN;
            }
            int attributeLength = Netlink.getHostShort(src, at);
            if (attributeLength < NLA_HDRLEN) {
                return Reject.BAD_ATTRIBUTE_LENGTH;
            }
            if (attributeLength > end - at) {
                return Reject.ATTRIBUTE_OVERRUN;
            }
            int attributeType = Netlink.getHostShort(src, at + 2) & Netlink.NLA_TYPE_MASK;
            int value = at + NLA_HDRLEN;
            int valueLength = attributeLength - NLA_HDRLEN;
            switch (attributeType) {
                case NfqueueMessages.NFQA_PACKET_HDR:
                    if (valueLength < NfqueueMessages.PACKET_HDR_LENGTH) {
                        return Reject.SHORT_ATTRIBUTE;
                    }
                    into.packetHeader(Netlink.getBeInt(src, value), Netlink.getBeShort(src, value + 4),
                            Byte.toUnsignedInt(src.get(value + 6)));
                    sawPacketHeader = true;
                    break;
                case NfqueueMessages.NFQA_MARK:
                    if (valueLength < 4) {
                        return Reject.SHORT_ATTRIBUTE;
                    }
                    into.mark(Netlink.getBeInt(src, value));
                    break;
                case NfqueueMessages.NFQA_IFINDEX_INDEV:
                    if (valueLength < 4) {
                        return Reject.SHORT_ATTRIBUTE;
                    }
                    into.inDevice(Netlink.getBeInt(src, value));
                    break;
                case NfqueueMessages.NFQA_IFINDEX_OUTDEV:
                    if (valueLength < 4) {
                        return Reject.SHORT_ATTRIBUTE;
                    }
                    into.outDevice(Netlink.getBeInt(src, value));
                    break;
                case NfqueueMessages.NFQA_PAYLOAD:
                    into.payload(value, valueLength);
                    sawPayload = valueLength > 0;
                    break;
                case NfqueueMessages.NFQA_CAP_LEN:
                    if (valueLength < 4) {
                        return Reject.SHORT_ATTRIBUTE;
                    }
                    into.capLength(Netlink.getBeInt(src, value));
                    break;
                case NfqueueMessages.NFQA_SKB_INFO:
                    if (valueLength < 4) {
                        return Reject.SHORT_ATTRIBUTE;
                    }
                    into.skbInfo(Netlink.getBeInt(src, value));
                    break;
                default:
                    // timestamps, hardware address, conntrack, uid/gid, secctx, vlan, l2hdr...: not ours
                    break;
            }
            // the kernel does not pad the last attribute (the payload): 'at' may pass 'end' here
            at += Netlink.align(attributeLength);
        }
        if (!sawPacketHeader) {
            return Reject.MISSING_PACKET_HDR;
        }
        into.packetIdValid();
        if (!sawPayload) {
            return Reject.MISSING_PAYLOAD;
        }
        return payloadType(src, into);
    }

    /**
     * The payload type from hw_protocol, checked against the IP version nibble; the nibble alone when
     * hw_protocol is 0 (unset). The kernel sets skb->protocol from the hook's family before queueing,
     * so for the IPv4 and IPv6 hooks both always agree.
     */
    private static Reject payloadType(ByteBuffer src, PacketMessage into) {
        PayloadType byNibble = PayloadType.ofIpVersion(Byte.toUnsignedInt(src.get(into.payloadOffset())));
        PayloadType byProtocol;
        int hw = into.hwProtocol();
        if (hw == PayloadType.IPV4.etherType()) {
            byProtocol = PayloadType.IPV4;
        } else if (hw == PayloadType.IPV6.etherType()) {
            byProtocol = PayloadType.IPV6;
        } else if (hw == 0) {
            byProtocol = byNibble;
        } else {
            return Reject.UNKNOWN_PAYLOAD_TYPE;
        }
        if (byProtocol == null) {
            return Reject.UNKNOWN_PAYLOAD_TYPE;
        }
        if (byNibble != byProtocol) {
            return Reject.PAYLOAD_TYPE_MISMATCH;
        }
        into.payloadType(byProtocol);
        return Reject.NONE;
    }

    /**
     * Decodes the NLMSG_ERROR message at {@code offset}: an ack (error 0) or a failure (negative errno)
     * answering the request whose sequence number it carries.
     *
     * @return {@link Reject#NONE} if {@code into} holds the answer; {@link Reject#UNEXPECTED_MESSAGE} for
     *         any other message type; {@link Reject#SHORT_DATAGRAM} / {@link Reject#BAD_MESSAGE_LENGTH}
     *         for bad framing; {@link Reject#SHORT_ATTRIBUTE} if the nlmsgerr does not fit the message
     * @throws IndexOutOfBoundsException as for {@link #decode}
     */
    static Reject decodeAck(ByteBuffer src, int offset, int available, NetlinkAck into) {
        Objects.checkFromIndexSize(offset, available, src.limit());
        Reject framing = framing(src, offset, available);
        if (framing != Reject.NONE) {
            return framing;
        }
        if (Netlink.getHostShort(src, offset + Netlink.OFFSET_TYPE) != NLMSG_ERROR) {
            return Reject.UNEXPECTED_MESSAGE;
        }
        if (Netlink.getHostInt(src, offset + Netlink.OFFSET_LEN) < NLMSG_HDRLEN + Netlink.NLMSGERR_LENGTH) {
            return Reject.SHORT_ATTRIBUTE;
        }
        int request = offset + NLMSG_HDRLEN + 4;
        into.set(Netlink.getHostInt(src, offset + Netlink.OFFSET_SEQ),
                Netlink.getHostInt(src, offset + NLMSG_HDRLEN),
                Netlink.getHostShort(src, request + Netlink.OFFSET_TYPE),
                Netlink.getHostShort(src, request + Netlink.OFFSET_FLAGS),
                Netlink.getHostInt(src, request + Netlink.OFFSET_SEQ));
        return Reject.NONE;
    }

    /** The nlmsghdr checks both decoders share (NLMSG_OK in netlink.h). */
    private static Reject framing(ByteBuffer src, int offset, int available) {
        if (available < NLMSG_HDRLEN) {
            return Reject.SHORT_DATAGRAM;
        }
        int length = Netlink.getHostInt(src, offset + Netlink.OFFSET_LEN); // u32: above 2^31 reads negative
        if (length < NLMSG_HDRLEN || length > available) {
            return Reject.BAD_MESSAGE_LENGTH;
        }
        return Reject.NONE;
    }
}
