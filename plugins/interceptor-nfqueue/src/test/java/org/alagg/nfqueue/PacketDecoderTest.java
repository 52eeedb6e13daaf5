package org.alagg.nfqueue;

import static org.alagg.nfqueue.Fixtures.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.alagg.api.PayloadType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Decoding the kernel's messages from the hand-built fixtures in {@link Fixtures} (netlink.h, nfnetlink.h,
 * nfnetlink_queue.h; nlmsghdr and nlattr headers little-endian = this host's native order).
 */
class PacketDecoderTest {
    private final PacketMessage m = new PacketMessage();

    @BeforeEach
    void assumeLittleEndianHost() {
        assumeTrue(Fixtures.littleEndianHost(), "fixtures spell host-order fields little-endian");
    }

    @Test
    void ipv4PacketWithUnpaddedOddPayloadAndSkippedTimestamp() {
        for (ByteOrder order : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
            int at = 5;
            ByteBuffer b = Fixtures.direct(hex(Fixtures.PACKET_IPV4), at, order);
            assertEquals(Reject.NONE, PacketDecoder.decode(b, at, Fixtures.IPV4_LENGTH, m), order.toString());
            assertEquals(Fixtures.IPV4_LENGTH, m.messageLength());
            assertEquals(0x0300, m.messageType());
            assertEquals(2, m.family());
            assertEquals(7, m.queue());
            assertTrue(m.hasPacketId());
            assertEquals(0x01020304, m.packetId());
            assertEquals(0x0800, m.hwProtocol());
            assertEquals(3, m.hook());
            assertEquals(5, m.outDevice());
            assertEquals(0, m.inDevice());
            assertEquals(42, m.mark());
            assertEquals(NfqueueMessages.SKB_CSUMNOTREADY, m.skbInfo());
            assertEquals(at + Fixtures.IPV4_PAYLOAD_OFFSET, m.payloadOffset());
            assertEquals(Fixtures.IPV4_PAYLOAD_LENGTH, m.payloadLength());
            assertEquals(Fixtures.IPV4_PAYLOAD_LENGTH, m.packetLength());
            assertFalse(m.truncated());
            assertEquals(PayloadType.IPV4, m.payloadType());
            assertEquals(0x45, b.get(m.payloadOffset()));
            assertEquals('x', b.get(m.payloadOffset() + m.payloadLength() - 1));
            assertEquals(order, b.order(), "order untouched");
            assertEquals(0, b.position());
        }
    }

    @Test
    void ipv4PacketPaddedToAlignmentDecodesTheSame() {
        byte[] padded = new byte[Fixtures.IPV4_LENGTH + 3];
        System.arraycopy(hex(Fixtures.PACKET_IPV4), 0, padded, 0, Fixtures.IPV4_LENGTH);
        padded[0] = (byte) padded.length; // nlmsg_len 104, padding inside the message
        ByteBuffer b = Fixtures.direct(padded, 0, ByteOrder.BIG_ENDIAN);
        assertEquals(Reject.NONE, PacketDecoder.decode(b, 0, padded.length, m));
        assertEquals(Fixtures.IPV4_PAYLOAD_LENGTH, m.payloadLength(), "nla_len, not the padding, gives the length");
    }

    @Test
    void ipv6PacketWithFlagBitsMaskedAndUnknownAttributesSkipped() {
        ByteBuffer b = Fixtures.direct(hex(Fixtures.PACKET_IPV6), 0, ByteOrder.BIG_ENDIAN);
        assertEquals(Reject.NONE, PacketDecoder.decode(b, 0, Fixtures.IPV6_LENGTH, m));
        assertEquals(Fixtures.IPV6_LENGTH, m.messageLength());
        assertEquals(10, m.family());
        assertEquals(7, m.queue());
        assertEquals(9, m.packetId(), "PACKET_HDR found although its type carries NLA_F_NESTED|NLA_F_NET_BYTEORDER");
        assertEquals(0x86DD, m.hwProtocol());
        assertEquals(1, m.hook());
        assertEquals(2, m.inDevice());
        assertEquals(Fixtures.IPV6_PAYLOAD_OFFSET, m.payloadOffset());
        assertEquals(Fixtures.IPV6_PAYLOAD_LENGTH, m.payloadLength());
        assertEquals(42, m.packetLength());
        assertFalse(m.truncated(), "CAP_LEN equal to the payload is not truncation");
        assertEquals(PayloadType.IPV6, m.payloadType());
    }

    @Test
    void capLenAbovePayloadMeansTruncated() {
        byte[] bytes = hex(Fixtures.PACKET_IPV6);
        bytes[56 + 7] = (byte) 0xff; // NFQA_CAP_LEN value 0x000000ff > 42
        ByteBuffer b = Fixtures.direct(bytes, 0, ByteOrder.BIG_ENDIAN);
        assertEquals(Reject.NONE, PacketDecoder.decode(b, 0, bytes.length, m), "decoding reports, the converter rejects");
        assertTrue(m.truncated());
        assertEquals(255, m.packetLength());
    }

    @Test
    void unsetHwProtocolFallsBackToTheVersionNibble() {
        byte[] bytes = hex(Fixtures.PACKET_IPV4);
        bytes[Fixtures.AT_HW_PROTOCOL] = 0;
        bytes[Fixtures.AT_HW_PROTOCOL + 1] = 0;
        ByteBuffer b = Fixtures.direct(bytes, 0, ByteOrder.BIG_ENDIAN);
        assertEquals(Reject.NONE, PacketDecoder.decode(b, 0, bytes.length, m));
        assertEquals(PayloadType.IPV4, m.payloadType());
    }

    @Test
    void twoMessagesInOneDatagramAreFoundByAlignedLength() {
        byte[] one = hex(Fixtures.PACKET_IPV4);
        byte[] two = hex(Fixtures.PACKET_IPV6);
        byte[] both = new byte[Netlink.align(one.length) + two.length];
        System.arraycopy(one, 0, both, 0, one.length);
        System.arraycopy(two, 0, both, Netlink.align(one.length), two.length);
        ByteBuffer b = Fixtures.direct(both, 0, ByteOrder.BIG_ENDIAN);
        assertEquals(Reject.NONE, PacketDecoder.decode(b, 0, both.length, m));
        assertEquals(PayloadType.IPV4, m.payloadType());
        int next = Netlink.align(m.messageLength());
        assertEquals(104, next);
        assertEquals(Reject.NONE, PacketDecoder.decode(b, next, both.length - next, m));
        assertEquals(PayloadType.IPV6, m.payloadType());
    }

    @Test
    void errorAckEbusyForBind() {
        byte[] bytes = hex(Fixtures.ERROR_EBUSY_FOR_BIND);
        ByteBuffer b = Fixtures.direct(bytes, 0, ByteOrder.BIG_ENDIAN);
        NetlinkAck ack = new NetlinkAck();
        assertEquals(Reject.NONE, PacketDecoder.decodeAck(b, 0, bytes.length, ack));
        assertEquals(1, ack.sequence());
        assertEquals(-Errno.EBUSY, ack.error());
        assertFalse(ack.ok());
        assertEquals(0x0302, ack.requestType());
        assertEquals(Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, ack.requestFlags());
        assertEquals(1, ack.requestSequence());
        // in the packet stream the same message is a counted error, not a packet
        assertEquals(Reject.NETLINK_ERROR, PacketDecoder.decode(b, 0, bytes.length, m));
        assertEquals(-16, m.error());
    }

    @Test
    void plainAck() {
        byte[] bytes = hex(Fixtures.ACK_FOR_PARAMS);
        ByteBuffer b = Fixtures.direct(bytes, 0, ByteOrder.LITTLE_ENDIAN);
        NetlinkAck ack = new NetlinkAck();
        assertEquals(Reject.NONE, PacketDecoder.decodeAck(b, 0, bytes.length, ack));
        assertEquals(2, ack.sequence());
        assertEquals(0, ack.error());
        assertTrue(ack.ok());
        assertEquals(0x0302, ack.requestType());
        assertEquals(Reject.UNEXPECTED_MESSAGE, PacketDecoder.decode(b, 0, bytes.length, m), "an ack is no packet");
    }

    @Test
    void ackDecoderRefusesOtherMessages() {
        NetlinkAck ack = new NetlinkAck();
        ByteBuffer packet = Fixtures.direct(hex(Fixtures.PACKET_IPV4), 0, ByteOrder.BIG_ENDIAN);
        assertEquals(Reject.UNEXPECTED_MESSAGE, PacketDecoder.decodeAck(packet, 0, Fixtures.IPV4_LENGTH, ack));
        byte[] shortError = hex("1c000000 0200 0000 01000000 00000000 f0ffffff 1c000000 0203 0500");
        ByteBuffer b = Fixtures.direct(shortError, 0, ByteOrder.BIG_ENDIAN);
        assertEquals(Reject.SHORT_ATTRIBUTE, PacketDecoder.decodeAck(b, 0, shortError.length, ack));
        assertEquals(Reject.SHORT_DATAGRAM, PacketDecoder.decodeAck(b, 0, 15, ack));
    }

    @Test
    void callerBookkeepingErrorsThrow() {
        ByteBuffer b = Fixtures.direct(hex(Fixtures.PACKET_IPV4), 0, ByteOrder.BIG_ENDIAN);
        assertThrows(IndexOutOfBoundsException.class, () -> PacketDecoder.decode(b, 0, Fixtures.IPV4_LENGTH + 1, m));
        assertThrows(IndexOutOfBoundsException.class, () -> PacketDecoder.decode(b, -1, 10, m));
        assertThrows(IndexOutOfBoundsException.class,
                () -> PacketDecoder.decodeAck(b, 10, Fixtures.IPV4_LENGTH, new NetlinkAck()));
    }
}
