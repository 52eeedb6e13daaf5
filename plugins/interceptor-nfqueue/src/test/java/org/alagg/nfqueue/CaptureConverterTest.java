package org.alagg.nfqueue;

import static org.alagg.nfqueue.Fixtures.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.alagg.api.PacketBatch;
import org.alagg.api.PayloadType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Datagram batches (fixtures per netlink.h / nfnetlink_queue.h, host order little-endian) to IP packet batches. */
class CaptureConverterTest {
    private final PacketBatch datagrams = new PacketBatch(8, 512);
    private final PacketBatch out = new PacketBatch(8, 1500);
    private final CaptureConverter converter = new CaptureConverter(7);

    @BeforeEach
    void assumeLittleEndianHost() {
        assumeTrue(Fixtures.littleEndianHost(), "fixtures spell host-order fields little-endian");
    }

    private static byte[] withId(String fixture, int id) {
        byte[] b = hex(fixture);
        ByteBuffer.wrap(b).putInt(Fixtures.AT_PACKET_ID, id); // big-endian packet_id
        return b;
    }

    private void receive(byte[]... messages) {
        for (byte[] m : messages) {
            datagrams.slot(datagrams.size()).put(m);
            datagrams.commit(m.length, null, -1);
        }
    }

    private static byte[] packet(PacketBatch batch, int i) {
        ByteBuffer p = batch.packet(i);
        byte[] b = new byte[p.remaining()];
        p.get(0, b);
        return b;
    }

    @Test
    void packetsCopiedWithTheirTypeAndVerdictCoversTheHighestId() {
        byte[] v4 = withId(Fixtures.PACKET_IPV4, 40);
        byte[] v6 = withId(Fixtures.PACKET_IPV6, 42);
        receive(v4, hex(Fixtures.ERROR_ENOENT_FOR_VERDICT), v6, withId(Fixtures.PACKET_IPV4, 41));
        converter.start(datagrams);
        assertEquals(3, converter.drain(out));
        assertFalse(converter.hasPending());

        assertEquals(3, out.size());
        assertEquals(PayloadType.IPV4, out.payload(0));
        assertEquals(PayloadType.IPV6, out.payload(1));
        assertEquals(-1, out.link(0));
        assertEquals(-1, out.link(1));
        assertArrayEquals(Arrays.copyOfRange(v4, Fixtures.IPV4_PAYLOAD_OFFSET, Fixtures.IPV4_LENGTH), packet(out, 0));
        assertArrayEquals(Arrays.copyOfRange(v6, Fixtures.IPV6_PAYLOAD_OFFSET,
                Fixtures.IPV6_PAYLOAD_OFFSET + Fixtures.IPV6_PAYLOAD_LENGTH), packet(out, 1));

        assertEquals(1, converter.rejects(Reject.NETLINK_ERROR));
        assertEquals(-Errno.ENOENT, converter.lastError());
        assertEquals(3, converter.packets());

        assertTrue(converter.verdictDue());
        assertEquals(42, converter.verdictId(), "the highest id, not the last one");
        ByteBuffer verdict = ByteBuffer.allocateDirect(NfqueueMessages.MAX_LENGTH);
        int length = converter.encodeVerdict(verdict, 0, 9);
        assertEquals(Fixtures.hex(hex(Fixtures.VERDICT_BATCH_DROP_42_7)), Fixtures.hex(verdict, 0, length));
        converter.verdictSent();
        assertFalse(converter.verdictDue());
        assertThrows(IllegalStateException.class, () -> converter.encodeVerdict(verdict, 0, 10));
    }

    @Test
    void fullOutputBatchLeavesTheRestPending() {
        PacketBatch small = new PacketBatch(2, 1500);
        receive(withId(Fixtures.PACKET_IPV4, 1), withId(Fixtures.PACKET_IPV4, 2), withId(Fixtures.PACKET_IPV6, 3));
        converter.start(datagrams);
        assertEquals(2, converter.drain(small));
        assertTrue(converter.hasPending());
        assertEquals(2, converter.verdictId(), "the packet not taken is not in the verdict");
        assertThrows(IllegalStateException.class, () -> converter.start(datagrams));
        small.clear();
        assertEquals(1, converter.drain(small));
        assertEquals(PayloadType.IPV6, small.payload(0));
        assertEquals(3, converter.verdictId());
        assertFalse(converter.hasPending());
        assertEquals(0, converter.drain(small));
    }

    @Test
    void severalMessagesInOneDatagram() {
        byte[] one = withId(Fixtures.PACKET_IPV4, 5);
        byte[] two = withId(Fixtures.PACKET_IPV6, 6);
        byte[] both = new byte[Netlink.align(one.length) + two.length];
        System.arraycopy(one, 0, both, 0, one.length);
        System.arraycopy(two, 0, both, Netlink.align(one.length), two.length);
        receive(both);
        converter.start(datagrams);
        assertEquals(2, converter.drain(out));
        assertEquals(6, converter.verdictId());
    }

    @Test
    void rejectedPacketsAreCountedAndStillDropped() {
        byte[] truncated = withId(Fixtures.PACKET_IPV6, 10);
        truncated[56 + 7] = (byte) 0xff; // CAP_LEN 255 > 42
        byte[] otherQueue = withId(Fixtures.PACKET_IPV4, 500);
        otherQueue[19] = 8; // res_id 8
        byte[] garbage = hex("ffff0000 0003");
        byte[] badMessageLength = withId(Fixtures.PACKET_IPV4, 600);
        badMessageLength[0] = (byte) 200;
        receive(truncated, otherQueue, garbage, badMessageLength, withId(Fixtures.PACKET_IPV4, 11));
        PacketBatch tiny = new PacketBatch(4, 30); // IPv4 fixture's 21 bytes fit, IPv6's 42 do not
        converter.start(datagrams);
        assertEquals(1, converter.drain(tiny));
        assertEquals(1, converter.rejects(Reject.TRUNCATED_PAYLOAD));
        assertEquals(1, converter.rejects(Reject.WRONG_QUEUE));
        assertEquals(1, converter.rejects(Reject.SHORT_DATAGRAM));
        assertEquals(1, converter.rejects(Reject.BAD_MESSAGE_LENGTH));
        assertEquals(11, converter.verdictId(), "truncated 10 dropped too; queue 8's 500 and unframed 600 are not ours");

        datagrams.clear();
        receive(withId(Fixtures.PACKET_IPV6, 12));
        converter.start(datagrams);
        assertEquals(0, converter.drain(tiny));
        assertEquals(1, converter.rejects(Reject.PAYLOAD_TOO_LARGE));
        assertEquals(12, converter.verdictId());
    }

    @Test
    void packetsLongerThanTheLinksCarryGoToTheOversizeHandlerNotTheEngine() {
        java.util.List<String> handed = new java.util.ArrayList<>();
        CaptureConverter limited = new CaptureConverter(7, 30, (memory, offset, length, type) ->
                handed.add(type + " " + length + " " + Fixtures.hex(memory, offset, length)));
        byte[] v6 = withId(Fixtures.PACKET_IPV6, 21); // 42 bytes: over the limit of 30
        receive(withId(Fixtures.PACKET_IPV4, 20), v6);
        limited.start(datagrams);
        assertEquals(1, limited.drain(out));
        assertEquals(PayloadType.IPV4, out.payload(0));
        assertEquals(java.util.List.of("IPV6 42 " + Fixtures.hex(Arrays.copyOfRange(v6, Fixtures.IPV6_PAYLOAD_OFFSET,
                Fixtures.IPV6_PAYLOAD_OFFSET + Fixtures.IPV6_PAYLOAD_LENGTH))), handed);
        assertEquals(1, limited.rejects(Reject.TOO_BIG));
        assertEquals(0, limited.rejects(Reject.PAYLOAD_TOO_LARGE));
        assertEquals(21, limited.verdictId(), "the oversized packet is dropped with the verdict");
    }

    @Test
    void aNewLimitAppliesFromTheNextPacket() {
        java.util.List<Integer> handed = new java.util.ArrayList<>();
        CaptureConverter limited = new CaptureConverter(7, 100, (memory, offset, length, type) -> handed.add(length));
        receive(withId(Fixtures.PACKET_IPV6, 1)); // 42 bytes
        limited.start(datagrams);
        assertEquals(1, limited.drain(out), "under 100");
        limited.maxPacketLength(41);
        datagrams.clear();
        receive(withId(Fixtures.PACKET_IPV6, 2));
        limited.start(datagrams);
        assertEquals(0, limited.drain(out), "over 41");
        assertEquals(java.util.List.of(42), handed);
        limited.maxPacketLength(42);
        datagrams.clear();
        receive(withId(Fixtures.PACKET_IPV6, 3));
        limited.start(datagrams);
        assertEquals(1, limited.drain(out), "exactly the limit passes");
        assertEquals(2, out.size());
    }

    @Test
    void packetIdsWrapAtTwoToThe32() {
        receive(withId(Fixtures.PACKET_IPV4, 0xFFFFFFFE), withId(Fixtures.PACKET_IPV4, 1), withId(Fixtures.PACKET_IPV4, 0xFFFFFFFF));
        converter.start(datagrams);
        assertEquals(3, converter.drain(out));
        assertEquals(1, converter.verdictId(), "1 comes after 0xffffffff in serial order, as nfq_id_after has it");
    }

    @Test
    void drainAllocatesNothingPerPacket() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported());
        receive(withId(Fixtures.PACKET_IPV4, 1), withId(Fixtures.PACKET_IPV6, 2), withId(Fixtures.PACKET_IPV4, 3),
                hex(Fixtures.ERROR_ENOENT_FOR_VERDICT), withId(Fixtures.PACKET_IPV6, 4));
        ByteBuffer verdict = ByteBuffer.allocateDirect(NfqueueMessages.MAX_LENGTH);
        Runnable round = () -> {
            converter.start(datagrams);
            out.clear();
            converter.drain(out);
            converter.encodeVerdict(verdict, 0, 1);
            converter.verdictSent();
        };
        for (int i = 0; i < 50_000; i++) {
            round.run(); // warm up: let the JIT compile the loop
        }
        long id = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(id);
        int rounds = 20_000;
        for (int i = 0; i < rounds; i++) {
            round.run();
        }
        long allocated = threads.getThreadAllocatedBytes(id) - before;
        assertTrue(allocated < rounds, "allocated " + allocated + " bytes for " + 4 * rounds + " packets");
    }
}
