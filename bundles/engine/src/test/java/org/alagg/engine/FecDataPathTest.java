package org.alagg.engine;

import static org.alagg.engine.DataPathTest.assertDeliveredInOrderOnce;
import static org.alagg.engine.DataPathTest.awaitTotals;
import static org.alagg.engine.DataPathTest.peer;
import static org.alagg.engine.DataPathTest.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Map;

import org.alagg.api.LinkScheduler;
import org.alagg.reorder.windowed.WindowedOrder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Forward error correction through the data path with in-memory links: the egress thread sends m PARITY frames after
 * every k DATA frames, the ingress thread repairs what the links lost, in order, once.
 */
class FecDataPathTest {
    private final DataPathTest paths = new DataPathTest();

    @AfterEach
    void stop() throws InterruptedException {
        paths.stop();
    }

    /** Each packet on one link, in turn: what weighted does on two equal links. */
    static final class Alternate implements LinkScheduler {
        @Override
        public int choose(int sequence, int length, int[] up, int upCount, int[] chosen) {
            chosen[0] = up[Math.floorMod(sequence, upCount)];
            return 1;
        }
    }

    /** What this thread allocated so far (the JVM's exact per-thread count). */
    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean())
                .getCurrentThreadAllocatedBytes();
    }

    private static FecSettings ratio(int k, int m, long timeoutMs) {
        return FecSettings.of(k + ":" + m, timeoutMs, FecSettings.DEFAULT_TARGET_LOSS);
    }

    private DataPath start(DataPathTest.LossyWire wire, DataPathTest.Source source, DataPathTest.Sink sink,
                           FecSettings fec) throws Exception {
        DataPath path = paths.start(wire, source, sink, 2, new WindowedOrder());
        peer(path).scheduler = new Alternate();
        peer(path).fecConfigured = fec;
        peer(path).fec = fec;
        return path;
    }

    @Test
    void fourTwoRepairsTenPercentLossOnEachLink() throws Exception {
        DataPathTest.LossyWire wire = new DataPathTest.LossyWire(10, 40);
        DataPathTest.Source source = new DataPathTest.Source();
        DataPathTest.Sink sink = new DataPathTest.Sink();
        DataPath path = start(wire, source, sink, ratio(4, 2, 5));
        int count = 20_000;
        send(source, 0, count);
        Map<String, Long> stats = awaitTotals(path, "every packet passed or counted lost",
                s -> s.get("passed") + s.get("lost") + s.get("late") >= count - 10);
        assertDeliveredInOrderOnce(sink);
        double loss = 1 - sink.delivered.size() / (double) count;
        Map<String, Long> sent = path.sendTotals();
        System.out.printf("FEC 4:2, 10 %% loss on each link: %.3f %% lost after repair, %s%n", 100 * loss, stats);
        assertTrue(stats.get("fec_repaired") > count * 0.05, "about a tenth of the packets repaired: " + stats);
        assertTrue(loss < 0.02, "4:2 leaves under 1 % of 10 % loss (0.8 % expected), got " + loss + ": " + stats);
        long parity = sent.get("fec_parity_sent");
        assertTrue(parity >= count / 2 - 20 && parity <= count / 2 + 200, "2 parity frames per 4 packets: " + sent);
        assertTrue(stats.get("fec_parity_received") > parity * 0.85, "what the links did not lose: " + stats);
        assertTrue(stats.get("fec_parity_used") >= stats.get("fec_repaired"), "one parity symbol per repair: " + stats);
        assertEquals(0, stats.get("malformed_unknown_frame_type"), stats.toString());
    }

    /**
     * FEC switched off and on and its ratio changed while groups are open (a long group timeout keeps them open across
     * the switches), on links losing 10 %: a group holds consecutive numbers of one setting only, so every repaired
     * packet is the packet of its number (a group going on after a gap would rebuild another packet under it).
     */
    @Test
    void switchingFecWhileGroupsAreOpenNeverRebuildsAWrongPacket() throws Exception {
        DataPathTest.LossyWire wire = new DataPathTest.LossyWire(10, 0);
        DataPathTest.Source source = new DataPathTest.Source();
        DataPathTest.Sink sink = new DataPathTest.Sink();
        FecSettings[] settings = {ratio(4, 2, 200), FecSettings.OFF, ratio(6, 3, 200), FecSettings.OFF};
        DataPath path = start(wire, source, sink, settings[0]);
        int count = 8_000;
        for (int n = 0; n < count; n += 7) { // 7: switches fall inside groups of 4 and of 6
            send(source, n, Math.min(count, n + 7));
            Thread.sleep(0, 200_000);
            peer(path).fec = settings[n / 7 % settings.length];
        }
        Map<String, Long> stats = awaitTotals(path, "every packet passed or counted lost",
                s -> s.get("passed") + s.get("lost") + s.get("late") >= count - 10);
        assertDeliveredInOrderOnce(sink); // a wrong packet rebuilt under a number shows as a repeat or out of order
        assertTrue(stats.get("fec_repaired") > 50, "repairs happened across the switches: " + stats);
    }

    @Test
    void xorRepairsOneLossAGroupAndASparseFlowIsNotHeld() throws Exception {
        DataPathTest.LossyWire wire = new DataPathTest.LossyWire(0, 0);
        DataPathTest.Source source = new DataPathTest.Source();
        DataPathTest.Sink sink = new DataPathTest.Sink();
        DataPath path = start(wire, source, sink, ratio(8, 1, 5));
        // three packets, then nothing: the group closes on its timeout, so its one parity frame goes
        send(source, 0, 3);
        Map<String, Long> stats = awaitTotals(path, "the three passed and the parity came",
                s -> s.get("passed") >= 3 && s.get("fec_parity_received") >= 1);
        assertEquals(1, path.sendTotals().get("fec_parity_sent"), "one group of 3, closed by its timeout");
        assertEquals(0, stats.get("fec_repaired"));
    }

    @Test
    void theCoderAllocatesNothingPerPacket() {
        FecEncoder encoder = new FecEncoder();
        FecSettings settings = ratio(10, 4, 5);
        ByteBuffer packet = ByteBuffer.allocateDirect(1400);
        for (int warm = 0; warm < 20_000; warm++) {
            encoder.add(settings, 1, warm, packet, 1400, 1, 0);
            if (encoder.full()) {
                encoder.close();
            }
        }
        long before = allocatedBytes();
        for (int n = 0; n < 10_000; n++) {
            encoder.add(settings, 1, n, packet, 1400, 1, 0);
            if (encoder.full()) {
                encoder.close();
            }
        }
        long allocated = allocatedBytes() - before;
        assertTrue(allocated < 1024, "encoding allocates nothing per packet: " + allocated + " bytes for 10 000");
    }

    /** The receiver: a group of 4 missing its first packet, repaired from parity 0, again and again, allocates nothing. */
    @Test
    void theRepairAllocatesNothingPerPacket() {
        FecEncoder encoder = new FecEncoder();
        FecSettings settings = ratio(4, 2, 5);
        ByteBuffer[] packets = new ByteBuffer[4];
        for (int i = 0; i < 4; i++) {
            packets[i] = ByteBuffer.allocateDirect(1400);
            packets[i].put(0, (byte) 0x45).putShort(2, (short) (1400 - i)).put(7, (byte) i);
            encoder.add(settings, 1, i, packets[i], 1400 - i, 1, 0);
        }
        ByteBuffer parity = ByteBuffer.allocateDirect(encoder.length());
        parity.put(0, encoder.parity(0), 0, encoder.length());
        FecRepair repair = new FecRepair();
        Counters counters = new Counters(Ingress.COUNTERS);
        int[] repaired = new int[1];
        FecRepair.Repaired to = (sequence, symbol, length, code) -> {
            assertEquals(1400, length);
            assertEquals(0x45, symbol.get(org.alagg.protocol.FecCode.SYMBOL_HEADER));
            repaired[0]++;
        };
        long before = 0;
        int groups = 30_000;
        for (int n = 0; n < groups; n++) {
            if (n == groups / 2) {
                before = allocatedBytes();
            }
            int first = n * 4; // the same packets under new numbers: the code does not depend on them
            for (int i = 1; i < 4; i++) {
                repair.keep(first + i, packets[i], 0, 1400 - i, 1);
            }
            int g = repair.parity(first, 4, 2, 0, parity, 0, encoder.length(), 1, counters, Ingress.FEC_UNREPAIRABLE);
            assertEquals(1, repair.repair(g, to), "one parity symbol used");
        }
        long allocated = allocatedBytes() - before;
        assertEquals(groups, repaired[0]);
        assertTrue(allocated < 1024, "repairing allocates nothing per packet: " + allocated + " bytes for " + groups / 2);
    }

    /**
     * With a key, a PARITY frame under another key changes nothing (it would rebuild a packet the stream has not had);
     * a frame of a type this side does not know (as PARITY is to a peer without FEC) is counted and dropped.
     */
    @Test
    void aForgedParityTouchesNothingAndAnUnknownFrameTypeIsCountedAndDropped() throws Exception {
        DataPathTest.LossyWire wire = new DataPathTest.LossyWire(0, 0);
        DataPathTest.Source source = new DataPathTest.Source();
        DataPathTest.Sink sink = new DataPathTest.Sink();
        DataPath path = start(wire, source, sink, ratio(4, 2, 5));
        byte[] key = TrustTest.key(1);
        DataPathTest.trust(path, new Trust(key, null, java.util.List.of()));
        send(source, 0, 8);
        DataPathTest.await("two groups delivered", () -> sink.delivered.size() == 8);
        int epoch = peer(path).send.epoch;
        int next = peer(path).send.nextSequence;
        wire.put(parityFrame(epoch, next, TrustTest.key(3)), 0); // another key: it would rebuild packet 1 000 001
        byte[] unknown = parityFrame(epoch, next, key);
        unknown[1] = 5; // a frame type no version knows
        wire.put(unknown, 1);
        Map<String, Long> stats = awaitTotals(path, "both frames counted",
                s -> s.get("auth_failed") == 1 && s.get("malformed_unknown_frame_type") == 1);
        send(source, 8, 16);
        DataPathTest.await("the stream goes on", () -> sink.delivered.size() == 16);
        assertTrue(sink.delivered.stream().noneMatch(n -> n >= 1_000_000), "a forged packet was delivered: " + sink.delivered);
        assertEquals(0, stats.get("fec_repaired"), stats.toString());
        assertEquals(1, stats.get("tagless"), stats.toString());
        // the same frame under the key would have done it: the repair is real, only the tag stopped it
        wire.put(parityFrame(epoch, peer(path).send.nextSequence, key), 0);
        DataPathTest.await("the genuine parity rebuilt its packet", () -> sink.delivered.contains(1_000_001));
        assertEquals(1, path.receiveTotals().get("fec_repaired"));
        Counting.assertConserved(path);
    }

    /** A PARITY frame of a group of one (its parity is the packet itself): packet 1 000 001, signed with {@code key}. */
    private static byte[] parityFrame(int epoch, int first, byte[] key) {
        int inner = org.alagg.protocol.Parity.HEADER + org.alagg.protocol.FecCode.SYMBOL_HEADER + 60;
        ByteBuffer frame = ByteBuffer.allocate(org.alagg.protocol.FrameCodec.HEADER_LENGTH + inner
                + org.alagg.protocol.FrameAuth.TAG_LENGTH);
        org.alagg.protocol.FrameCodec.encode(new org.alagg.protocol.FrameHeader()
                .frameType(org.alagg.protocol.FrameType.PARITY).payloadProtocol(org.alagg.protocol.PayloadProtocol.NONE)
                .innerLength(inner).epoch(epoch).globalSequence(first).linkSequence(1_000)
                .authTagLength(org.alagg.protocol.FrameAuth.TAG_LENGTH), frame, 0);
        int at = org.alagg.protocol.FrameCodec.HEADER_LENGTH;
        org.alagg.protocol.Parity.write(frame, at, 1, 1, 0);
        frame.putShort(at + 4, (short) 60).put(at + 6, (byte) 1).put(at + 7, (byte) 0x45).putShort(at + 9, (short) 60)
                .putInt(at + 11, 1_000_001)
                .putInt(at + 23, 0x0A090101);
        org.alagg.protocol.FrameAuth auth = new org.alagg.protocol.FrameAuth(key);
        auth.digestPayload(frame, 0, inner);
        auth.sign(frame, 0, inner, 0x020000000000L, 0x020000000000L);
        return frame.array();
    }
}
