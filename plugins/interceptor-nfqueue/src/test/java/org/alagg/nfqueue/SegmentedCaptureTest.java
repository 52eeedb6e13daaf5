package org.alagg.nfqueue;

import static org.alagg.nfqueue.Fixtures.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

import org.alagg.api.PacketBatch;
import org.alagg.testing.ReferenceChecksum;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A queue bound with NFQA_CFG_F_GSO: a TCP sender's super-packets arrive whole (NFQA_SKB_GSO) and are cut into
 * packets the links carry, and packets whose checksum the kernel left partial (NFQA_SKB_CSUMNOTREADY) are completed.
 */
class SegmentedCaptureTest {
    private static final int LIMIT = 1400;
    private final PacketBatch datagrams = new PacketBatch(4, 70_000);
    private final CaptureConverter converter = new CaptureConverter(7, LIMIT,
            (memory, offset, length, type) -> { throw new AssertionError("a super-packet is not too big"); });
    private final Random random = new Random(14);

    @BeforeEach
    void assumeLittleEndianHost() {
        assumeTrue(Fixtures.littleEndianHost(), "fixtures spell host-order fields little-endian");
    }

    @Test
    void aSuperPacketIsCutIntoPacketsTheLinksCarryAcrossBatches() {
        byte[] payload = new byte[5_000];
        random.nextBytes(payload);
        receive(message(tcp4(payload, 0x18), NfqueueMessages.SKB_GSO | NfqueueMessages.SKB_CSUMNOTREADY, 30),
                message(tcp4(new byte[10], 0x18), NfqueueMessages.SKB_CSUMNOTREADY, 31));
        converter.start(datagrams);
        PacketBatch out = new PacketBatch(2, 2048);
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        assertEquals(2, converter.drain(out));
        assertTrue(converter.hasPending(), "the rest of the super-packet waits");
        collect(out, joined);
        out.clear();
        assertEquals(2, converter.drain(out));
        collect(out, joined);
        assertArrayEquals(payload, joined.toByteArray(), "the super-packet's payload, cut at 1400 - 40 bytes");
        out.clear();
        assertEquals(1, converter.drain(out), "then the next message");
        assertEquals(0, ReferenceChecksum.of(out.packet(0), 20, 30, pseudo(out.packet(0), 30)), "its partial checksum completed");
        assertFalse(converter.hasPending());
        assertEquals(31, converter.verdictId());
        assertEquals(1, converter.superPackets());
        assertEquals(5, converter.packets());
    }

    @Test
    void whatCannotBeCutOrCompletedIsRejectedAndStillDropped() {
        byte[] other = hex("45000015 00010000 40fd0000 0a000001 0a000002 78"); // protocol 253
        receive(message(other, NfqueueMessages.SKB_GSO, 40), message(other, NfqueueMessages.SKB_CSUMNOTREADY, 41));
        converter.start(datagrams);
        assertEquals(0, converter.drain(new PacketBatch(4, 2048)));
        assertEquals(1, converter.rejects(Reject.BAD_SUPER_PACKET));
        assertEquals(1, converter.rejects(Reject.CHECKSUM_NOT_READY));
        assertEquals(41, converter.verdictId(), "both dropped with the verdict");
    }

    private void collect(PacketBatch out, ByteArrayOutputStream joined) {
        for (int i = 0; i < out.size(); i++) {
            ByteBuffer p = out.packet(i);
            int length = out.length(i);
            assertTrue(length <= LIMIT, "packet " + length + " bytes");
            assertEquals(length, p.getShort(2) & 0xFFFF);
            assertEquals(0, ReferenceChecksum.of(p, 0, 20, 0), "IPv4 header checksum");
            assertEquals(0, ReferenceChecksum.of(p, 20, length - 20, pseudo(p, length - 20)), "TCP checksum");
            byte[] data = new byte[length - 40];
            p.get(40, data);
            joined.writeBytes(data);
        }
    }

    private void receive(byte[]... messages) {
        for (byte[] m : messages) {
            datagrams.slot(datagrams.size()).put(m);
            datagrams.commit(m.length, null, -1);
        }
    }

    /** The PACKET_IPV4 fixture's attributes with another payload, NFQA_SKB_INFO and packet id. */
    private static byte[] message(byte[] ip, int skbInfo, int id) {
        byte[] head = hex(Fixtures.PACKET_IPV4);
        ByteBuffer m = ByteBuffer.allocate(Fixtures.AT_PAYLOAD_ATTR + 4 + ip.length);
        m.put(head, 0, Fixtures.AT_PAYLOAD_ATTR);
        m.putInt(Fixtures.AT_PACKET_ID, id).putInt(Fixtures.AT_SKB_INFO + 4, skbInfo);
        m.order(ByteOrder.LITTLE_ENDIAN).putInt(0, m.capacity());
        m.putShort(Fixtures.AT_PAYLOAD_ATTR, (short) (4 + ip.length)).putShort(Fixtures.AT_PAYLOAD_ATTR + 2, (short) 10);
        m.order(ByteOrder.BIG_ENDIAN).put(Fixtures.AT_PAYLOAD_ATTR + 4, ip);
        return m.array();
    }

    /** IPv4 + TCP (no options) with the given payload and flags; the TCP checksum is left as garbage. */
    private static byte[] tcp4(byte[] payload, int flags) {
        ByteBuffer p = ByteBuffer.allocate(40 + payload.length);
        p.put(0, (byte) 0x45).putShort(2, (short) p.capacity()).putShort(4, (short) 7).putShort(6, (short) 0x4000)
                .put(8, (byte) 64).put(9, (byte) 6).putInt(12, 0x0a000001).putInt(16, 0x0a000002);
        p.putShort(10, (short) ReferenceChecksum.of(p, 0, 20, 0));
        p.putShort(20, (short) 40000).putShort(22, (short) 5201).putInt(24, 1000).putInt(28, 1)
                .put(32, (byte) 0x50).put(33, (byte) flags).putShort(34, (short) 500).putShort(36, (short) 0x1234);
        p.put(40, payload);
        return p.array();
    }

    private static long pseudo(ByteBuffer p, int tcpLength) {
        return (p.getShort(12) & 0xFFFF) + (p.getShort(14) & 0xFFFF) + (p.getShort(16) & 0xFFFF)
                + (p.getShort(18) & 0xFFFF) + 6 + tcpLength;
    }
}
