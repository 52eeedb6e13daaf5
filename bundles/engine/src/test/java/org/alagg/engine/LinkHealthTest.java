package org.alagg.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.alagg.api.PacketBatch;
import org.alagg.engine.DataPathTest.LossyWire;
import org.alagg.engine.DataPathTest.Sink;
import org.alagg.engine.DataPathTest.Source;
import org.alagg.protocol.FrameCodec;
import org.alagg.protocol.ProbeBody;
import org.alagg.protocol.ProbeReport;
import org.alagg.reorder.windowed.WindowedOrder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 with two data paths that are each other's peer over two in-memory links: probes on every link, a link whose
 * frames vanish found DOWN within three probe intervals and UP again once its probes are answered, the round-trip time,
 * the loss of both directions from the peer's reports.
 */
class LinkHealthTest {
    private static final long MS = 1_000_000;
    private final DataPathTest paths = new DataPathTest();

    @AfterEach
    void stop() throws InterruptedException {
        paths.stop();
    }

    /** One side: receives from {@code inbox}, sends into {@code outbox}; a link may drop all or some of what it sends. */
    static final class Side extends LossyWire {
        final LossyWire inbox;
        final LossyWire outbox;
        final Random random = new Random(12);
        /** Frames this side sends on this link vanish (carrier stays up); -1: none. */
        volatile int silentLink = -1;
        volatile int lossyLink = -1;
        volatile int lossPercent;
        /** Frames longer than this vanish on {@link #narrowLink} (a smaller MTU at the far end); -1: none. */
        volatile int narrowLink = -1;
        volatile int narrowTo = Integer.MAX_VALUE;

        Side(LossyWire inbox, LossyWire outbox) {
            super(0, 0);
            this.inbox = inbox;
            this.outbox = outbox;
            this.loopsBack = false;
        }

        @Override
        public synchronized int send(PacketBatch frames) {
            for (int i = 0; i < frames.size(); i++) {
                int link = frames.link(i);
                if (link == silentLink || link == lossyLink && random.nextInt(100) < lossPercent
                        || link == narrowLink && frames.length(i) > narrowTo) {
                    continue; // left, as far as the kernel knows
                }
                byte[] frame = new byte[frames.length(i)];
                frames.packet(i).get(0, frame);
                outbox.put(frame, link);
            }
            return frames.size();
        }

        @Override
        public int receive(PacketBatch frames, long timeoutNanos) throws java.io.IOException {
            return inbox.receive(frames, timeoutNanos);
        }
    }

    record Pair(DataPath a, DataPath b, Side aWire, Side bWire, Source aSource, Sink bSink) {
    }

    Pair pair() throws Exception {
        LossyWire aInbox = new LossyWire(0, 0);
        LossyWire bInbox = new LossyWire(0, 0);
        Side aWire = new Side(aInbox, bInbox);
        Side bWire = new Side(bInbox, aInbox);
        Source aSource = new Source();
        Sink bSink = new Sink();
        DataPath b = paths.start(bWire, new Source(), bSink, 2, new WindowedOrder());
        DataPath a = paths.start(aWire, aSource, new Sink(), 2, new WindowedOrder());
        DataPathTest.await("each side confirmed the other's epoch", () -> DataPathTest.peer(a).receive.peerEpochKnown && DataPathTest.peer(b).receive.peerEpochKnown);
        DataPathTest.await("every link UP with probes answered both ways", () -> {
            for (DataPath p : new DataPath[] {a, b}) {
                for (OpenLink l : p.links) {
                    if (!l.isUp() || l.received.snapshot().get("probes_answered") < 3) {
                        return false;
                    }
                }
            }
            return true;
        });
        return new Pair(a, b, aWire, bWire, aSource, bSink);
    }

    /** Waits until the link is DOWN (or UP) and returns how long after {@code start} its state changed, in ms. */
    static long until(OpenLink link, boolean up, long start) throws InterruptedException {
        DataPathTest.await("link " + link.id() + (up ? " UP" : " DOWN"), () -> link.isUp() == up);
        return TimeUnit.NANOSECONDS.toMillis(link.health.sinceNanos - start);
    }

    @Test
    void aSilentLinkIsDownWithinThreeProbeIntervalsOnBothSidesAndUpAgainOnceItsProbesAreAnswered() throws Exception {
        Pair p = pair();
        OpenLink a1 = p.a.links[1];
        OpenLink b1 = p.b.links[1];
        for (int round = 0; round < 3; round++) {
            int from = round * 2000;
            DataPathTest.send(p.aSource, from, from + 1000);
            DataPathTest.await("delivered before the silence", () -> p.bSink.delivered.size() == from + 1000);
            long silent = System.nanoTime();
            p.aWire.silentLink = 1;
            p.bWire.silentLink = 1;
            long aDown = until(a1, false, silent);
            long bDown = until(b1, false, silent);
            assertTrue(aDown <= 300 + 50 && bDown <= 300 + 50, "DOWN within 3 probe intervals of the silence: A "
                    + aDown + " ms, B " + bDown + " ms");
            DataPathTest.await("the reason: silence (first: no probe answered for as long)",
                    () -> a1.health.reason == LinkHealth.SILENT && b1.health.reason == LinkHealth.SILENT);
            assertTrue(p.a.links[0].isUp() && p.b.links[0].isUp(), "the other link stays UP");

            long dataBefore = DataPathTest.dataFramesSent(p.a, 1);
            long probesBefore = a1.sent.snapshot().get("health_probes_sent");
            DataPathTest.send(p.aSource, from + 1000, from + 2000);
            DataPathTest.await("everything delivered by the other link", () -> p.bSink.delivered.size() == from + 2000);
            Thread.sleep(250);
            assertEquals(dataBefore, DataPathTest.dataFramesSent(p.a, 1), "no data is sent on a DOWN link");
            assertTrue(a1.sent.snapshot().get("health_probes_sent") >= probesBefore + 2, "a DOWN link is still probed");

            long healed = System.nanoTime();
            p.aWire.silentLink = -1;
            p.bWire.silentLink = -1;
            long aUp = until(a1, true, healed);
            long bUp = until(b1, true, healed);
            assertTrue(aUp < 1000 && bUp < 1000, "UP within 1 s after it heals: A " + aUp + " ms, B " + bUp + " ms");
            assertTrue(aUp >= 200, "not before " + LinkHealth.UP_STREAK + " probes in a row were answered: " + aUp + " ms");
        }
        DataPathTest.assertDeliveredInOrderOnce(p.bSink);
        assertEquals(6000, p.bSink.delivered.size());
    }

    @Test
    void aOneWayFailureIsNamedOnBothSides() throws Exception {
        Pair p = pair();
        long cut = System.nanoTime();
        p.aWire.silentLink = 1; // A to B is lost on link 1, B to A passes
        until(p.b.links[1], false, cut);
        until(p.a.links[1], false, cut);
        DataPathTest.await("B hears nothing from A", () -> p.b.links[1].health.reason == LinkHealth.SILENT);
        Thread.sleep(100);
        assertEquals(LinkHealth.UNANSWERED, p.a.links[1].health.reason, "A hears B, but its probes go unanswered");
        assertTrue(p.a.links[0].isUp() && p.b.links[0].isUp());
        // the heard lists (over link 0) tell each side which direction of link 1 is broken
        long recently = LinkHealth.DETECT_INTERVALS * p.b.probeIntervalNanos;
        LinkHealth a1 = p.a.links[1].health;
        LinkHealth b1 = p.b.links[1].health;
        DataPathTest.await("B learns that A hears it on link 1", () -> b1.peerHearsNumber == b1.peerListNumber
                && System.nanoTime() - b1.peerListNanos <= recently);
        assertTrue(System.nanoTime() - a1.peerListNanos <= recently && a1.peerHearsNumber < a1.peerListNumber,
                "A learns that B does not hear it on link 1, though B's lists arrive");

        // a scheduler sees the same: link 1 DOWN, link 0 UP with its round-trip time
        java.util.List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        DataPathTest.peer(p.a).scheduler = new org.alagg.api.LinkScheduler() {
            @Override
            public int choose(int sequence, int length, int[] up, int upCount, int[] chosen) {
                throw new AssertionError("the engine calls the form with the links' health");
            }

            @Override
            public int choose(int sequence, int length, int[] up, int upCount, org.alagg.api.LinkConditions links,
                              int[] chosen) {
                seen.add(links.state(0) + " " + links.state(1) + " " + (links.rttNanos(0) > 0) + " " + upCount + " "
                        + links.state(7));
                System.arraycopy(up, 0, chosen, 0, upCount);
                return upCount;
            }
        };
        DataPathTest.send(p.aSource, 0, 10);
        DataPathTest.await("delivered", () -> p.bSink.delivered.size() == 10);
        assertEquals("UP DOWN true 1 DOWN", seen.get(seen.size() - 1), "link 0 UP with an RTT, link 1 DOWN, no link 7");
        DataPathTest.peer(p.a).scheduler = null;
        p.aWire.silentLink = -1;
        until(p.a.links[1], true, cut);
        until(p.b.links[1], true, cut);
    }

    @Test
    void roundTripTimesAreMeasuredByEveryLink() throws Exception {
        Pair p = pair();
        Thread.sleep(1000);
        for (DataPath path : new DataPath[] {p.a, p.b}) {
            for (OpenLink l : path.links) {
                LinkHealth h = l.health;
                long[] rtts = h.sortedRtts();
                long answered = l.received.snapshot().get("probes_answered");
                long sent = l.sent.snapshot().get("health_probes_sent");
                assertTrue(sent >= 10 && sent <= 20, "a probe each 100 ms: " + sent + " in about 1.3 s");
                // the egress thread publishes its sent counts after its batch, the answer may be counted before that
                assertTrue(answered >= sent - 2 && answered <= sent + 1, "answered " + answered + " of " + sent);
                assertTrue(rtts.length > 5 && rtts[0] > 0, "round trips taken: " + rtts.length);
                long p50 = LinkHealth.percentile(rtts, 50);
                long p99 = LinkHealth.percentile(rtts, 99);
                assertTrue(p50 <= p99 && p50 < 5 * MS && p99 < 200 * MS, "in memory (p99 includes the JIT's start), a round trip is short: p50 " + p50 + " p99 " + p99);
                assertTrue(h.srttNanos > 0 && h.srttNanos < 50 * MS && h.rttVarNanos >= 0, "smoothed " + h.srttNanos);
            }
        }
    }

    @Test
    void theLossOfEachDirectionIsKnownOnBothSides() throws Exception {
        Pair p = pair();
        p.aWire.lossyLink = 1;
        p.aWire.lossPercent = 20; // A to B on link 1 only
        Map<String, Long> a0 = p.a.links[1].received.snapshot();
        Map<String, Long> b0 = p.b.links[1].received.snapshot();
        DataPathTest.send(p.aSource, 0, 20_000);
        DataPathTest.await("delivered", () -> p.bSink.delivered.size() >= 20_000 - 50);
        Thread.sleep(500); // the last reports
        Map<String, Long> a = p.a.links[1].received.snapshot();
        Map<String, Long> b = p.b.links[1].received.snapshot();
        double toPeer = ratio(a, a0, "peer_lost", "peer_received");
        double fromPeerAtB = ratio(b, b0, "lost", "frames_sequenced");
        double fromPeerAtA = ratio(a, a0, "lost", "frames_sequenced");
        double toPeerAtB = ratio(b, b0, "peer_lost", "peer_received");
        assertTrue(toPeer > 0.15 && toPeer < 0.25, "A: loss towards the peer from B's reports " + toPeer + " " + a);
        assertTrue(fromPeerAtB > 0.15 && fromPeerAtB < 0.25, "B: loss from the peer " + fromPeerAtB + " " + b);
        assertTrue(Math.abs(toPeer - fromPeerAtB) < 0.02, "both sides tell the same loss: " + toPeer + " " + fromPeerAtB);
        assertTrue(fromPeerAtA < 0.01 && toPeerAtB < 0.01, "the other direction loses nothing: " + fromPeerAtA + " "
                + toPeerAtB);
    }

    private static double ratio(Map<String, Long> now, Map<String, Long> before, String lost, String received) {
        double l = now.get(lost) - before.get(lost);
        double r = now.get(received) - before.get(received);
        return l / (l + r);
    }

    @Test
    void aSilentLinkIsProbedEverLessOftenAndAtOnceAgainWhenThePeerIsHeard() {
        long interval = 100 * MS;
        long t = 1_000_000_000L;
        LinkHealth h = new LinkHealth(t);
        long now = t;
        long last = t;
        java.util.List<Long> gaps = new java.util.ArrayList<>();
        while (now < t + 10_000 * MS) {
            if (h.probeDue(now, interval)) {
                gaps.add((now - last) / MS);
                last = now;
            }
            now += MS;
        }
        assertEquals(java.util.List.of(100L, 100L), gaps.subList(1, 3), "the normal pace while silent for under 3 s");
        assertEquals(32, gaps.indexOf(200L), "doubling once silent for over 3 s (the probe at 3.1 s): " + gaps);
        assertTrue(gaps.containsAll(java.util.List.of(200L, 400L, 800L, 1000L)), "doubling: " + gaps);
        assertTrue(gaps.stream().allMatch(g -> g <= 1000), "never more than 10 intervals apart: " + gaps);
        assertEquals(1000L, gaps.get(gaps.size() - 1));

        // the peer is heard: the next probe goes at once, then the normal pace
        h.heard(now);
        assertTrue(h.probeDue(now + MS, interval), "a probe at once when the peer is heard");
        assertFalse(h.probeDue(now + 99 * MS, interval));
        h.heard(now + 100 * MS);
        assertTrue(h.probeDue(now + 101 * MS, interval), "an interval later, not a long gap");
    }

    @Test
    void theStateFollowsSilenceAndAnswersWithHysteresis() {
        long interval = 100 * MS;
        long t = 1_000_000_000L;
        LinkHealth h = new LinkHealth(t);
        assertTrue(h.probeDue(t, interval));
        assertEquals(1, h.lastProbeId, "probe ids start at 1: 0 is a challenge's");
        assertFalse(h.probeDue(t + 99 * MS, interval));
        assertTrue(h.probeDue(t + 100 * MS, interval));
        assertEquals(t + 200 * MS, h.nextProbeNanos(), "on the interval's grid, not drifting by the lateness");
        h.probeRefused(t + 100 * MS);
        assertEquals(1, h.lastProbeId, "a probe the link's full queue refused never left: its id is taken again");
        assertEquals(t + 101 * MS, h.nextProbeNanos(), "and tried again a millisecond later");
        assertTrue(h.probeDue(t + 101 * MS, interval));
        assertEquals(2, h.lastProbeId);
        assertEquals(t + 300 * MS + 1, h.evaluate(t + 100 * MS, interval, true), "looked at again when silence would be DOWN");
        h.heard(t + 250 * MS);
        h.evaluate(t + 300 * MS + 1, interval, true);
        assertTrue(h.up, "heard: UP while the probes are unanswered for less than 6 intervals");
        h.evaluate(t + 550 * MS + 1, interval, true);
        assertFalse(h.up, "nothing heard for 3 intervals");
        assertEquals(LinkHealth.SILENT, h.reason);
        assertEquals(t + 550 * MS + 1, h.sinceNanos);
        h = new LinkHealth(t);
        h.probeDue(t, interval);
        h.probeDue(t + 100 * MS, interval);
        assertTrue(h.up);
        h.evaluate(t + 300 * MS, interval, true);
        assertTrue(h.up, "3 intervals exactly: still UP");
        h.evaluate(t + 300 * MS + 1, interval, true);
        assertFalse(h.up);
        assertEquals(LinkHealth.SILENT, h.reason);
        assertEquals(t + 300 * MS + 1, h.sinceNanos);

        // it heals: probes 4 to 8 answered (probe 3 was lost), each round trip 2 ms; three answers in a row come
        // 399 ms after it went DOWN: it stays DOWN for the 500 ms hold
        Counters totals = new Counters(OpenLink.RECEIVED);
        ByteBuffer reply = ByteBuffer.allocate(FrameCodec.HEADER_LENGTH + ProbeBody.LENGTH + ProbeReport.LENGTH);
        long now = t + 300 * MS;
        for (int id = 3; id <= 8; id++) {
            h.probeDue(now, interval);
            assertEquals(id, h.lastProbeId);
            now += 100 * MS;
            if (id == 3) {
                continue;
            }
            ProbeBody.write(reply, FrameCodec.HEADER_LENGTH, now - 2 * MS, id);
            ProbeReport.write(reply, FrameCodec.HEADER_LENGTH + ProbeBody.LENGTH, ProbeBody.LENGTH, 100 * id, 10 * id);
            h.heard(now);
            assertTrue(h.replied(reply, FrameCodec.HEADER_LENGTH, ProbeBody.LENGTH + ProbeReport.LENGTH, 7, now, totals));
            assertFalse(h.replied(reply, FrameCodec.HEADER_LENGTH, ProbeBody.LENGTH + ProbeReport.LENGTH, 7, now, totals),
                    "a duplicate reply counts once");
            h.evaluate(now, interval, true);
            assertEquals(id == 8, h.up, "UP after three answers in a row and 500 ms DOWN, not before (answer to " + id
                    + ")");
        }
        assertEquals(2 * MS, h.srttNanos);
        assertEquals(316_407, h.rttVarNanos, "the same round trip each time: the variation shrinks from half of it by 3/4 a sample");
        totals.publish();
        Map<String, Long> c = totals.snapshot();
        assertEquals(5, c.get("probes_answered"));
        assertEquals(400, c.get("peer_received"), "the first report is the baseline, then the differences");
        assertEquals(40, c.get("peer_lost"));

        ProbeBody.write(reply, FrameCodec.HEADER_LENGTH, now, 0);
        assertFalse(h.replied(reply, FrameCodec.HEADER_LENGTH, ProbeBody.LENGTH, 7, now, totals), "a challenge's reply");
        ProbeBody.write(reply, FrameCodec.HEADER_LENGTH, now, 9);
        assertFalse(h.replied(reply, FrameCodec.HEADER_LENGTH, ProbeBody.LENGTH, 7, now, totals), "a probe never sent");

        h.heard(now + 500 * MS);
        h.evaluate(now + 600 * MS, interval, true);
        assertTrue(h.up, "6 intervals exactly");
        h.evaluate(now + 600 * MS + 1, interval, true);
        assertFalse(h.up);
        assertEquals(LinkHealth.UNANSWERED, h.reason, "heard, but this side's probes unanswered");
        h.evaluate(now + 300 * MS + 2, interval, false);
        assertEquals(LinkHealth.TRANSPORT, h.reason);
    }

    /**
     * Every tenth probe is followed by one of the link's full MTU; three missed in a row (unanswered while every plain
     * probe around them was answered) make the MTU too large for the peer or the path, and an answer clears it. A plain
     * probe lost meanwhile, or a frame a full queue refused, makes the miss no evidence: a lossy link loses probes of
     * any size, a congested queue drops large ones first.
     */
    @Test
    void mtuProbesFindFramesOfTheFullMtuLostWhileSmallerOnesPass() {
        long interval = 100 * MS;
        LinkHealth h = new LinkHealth(0);
        Counters totals = new Counters(OpenLink.RECEIVED);
        ByteBuffer reply = ByteBuffer.allocate(FrameCodec.HEADER_LENGTH + 1500);
        long now = 0;
        int mtuProbes = 0;
        for (int round = 1; round <= 80; round++) {
            now += interval;
            assertTrue(h.probeDue(now, interval));
            boolean mtu = h.mtuProbeDue(1463, now, interval, round >= 45 ? 1 : 0, false);
            assertEquals(h.lastProbeId % LinkHealth.MTU_PROBE_EVERY == 1, mtu, "probe " + h.lastProbeId);
            if (mtu) {
                mtuProbes++;
                assertTrue((h.mtuProbeId & LinkHealth.MTU_ID_BIT) != 0);
                assertFalse(h.mtuProbeDue(1463, now + MS, interval, 0, false), "a retried probe brings no second MTU probe");
            }
            // plain probes answered 1 ms later, but for probe 25; a data frame refused by a full queue in round 45;
            // MTU probes answered in rounds 1, 11 and 71 only
            if (round != 25) {
                ProbeBody.write(reply, FrameCodec.HEADER_LENGTH, now, h.lastProbeId);
                h.heard(now + MS);
                assertTrue(h.replied(reply, FrameCodec.HEADER_LENGTH, ProbeBody.LENGTH, 1, now + MS, totals));
            }
            if (mtu && (round <= 11 || round > 70)) {
                ProbeBody.write(reply, FrameCodec.HEADER_LENGTH, now, h.mtuProbeId);
                assertFalse(h.replied(reply, FrameCodec.HEADER_LENGTH, 1463, 1, now + MS, totals),
                        "an MTU probe's reply is not a health probe's answer");
            }
            // misses found at 21, 41 and 61, each within two periods of the one before (no evidence at 31: probe 25
            // was lost; at 51: the queue refused a frame)
            assertEquals(round >= 61 && round <= 70, h.mtuTooLarge(), "round " + round + ", misses " + h.mtuMisses);
        }
        assertEquals(8, mtuProbes);
        assertEquals(79, h.answered, "MTU probes' replies never count as answers");
    }

    /** Two data paths, link 1 taking only frames up to 1400 bytes from A: both name the mismatch on link 1 only. */
    @Test
    void aFarEndThatTakesLessThanThisSidesMtuIsNamed() throws Exception {
        Pair p = pair();
        OpenLink a1 = p.a.links[1];
        long narrowed = System.nanoTime();
        p.aWire.narrowTo = a1.link.mtu() - 100;
        p.aWire.narrowLink = 1;
        DataPathTest.await("A finds the mismatch on link 1", a1.health::mtuTooLarge);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - narrowed);
        assertTrue(ms < 5000, "within 5 s (three MTU probes a second apart): " + ms + " ms");
        assertTrue(a1.isUp(), "smaller frames pass");
        assertFalse(p.a.links[0].health.mtuTooLarge(), "link 0 takes them");
        DataPathTest.await("B too: the echoes of its probes cross the narrow direction",
                p.b.links[1].health::mtuTooLarge);
        p.aWire.narrowLink = -1;
        DataPathTest.await("the mismatch clears", () -> !a1.health.mtuTooLarge());
    }

    /** Health probe ids run modulo 2^30 (skipping 0), never into the MTU probes' bit, and replies across the wrap count. */
    @Test
    void probeIdsWrapBelowTheMtuProbesBit() {
        long interval = 100 * MS;
        LinkHealth h = new LinkHealth(0);
        Counters totals = new Counters(OpenLink.RECEIVED);
        ByteBuffer reply = ByteBuffer.allocate(FrameCodec.HEADER_LENGTH + ProbeBody.LENGTH);
        h.lastProbeId = LinkHealth.ID_MASK - 2;
        long now = 0;
        for (int round = 0; round < 6; round++) {
            now += interval;
            assertTrue(h.probeDue(now, interval));
            assertTrue(h.lastProbeId > 0 && (h.lastProbeId & LinkHealth.MTU_ID_BIT) == 0, "id " + h.lastProbeId);
            ProbeBody.write(reply, FrameCodec.HEADER_LENGTH, now, h.lastProbeId);
            assertTrue(h.replied(reply, FrameCodec.HEADER_LENGTH, ProbeBody.LENGTH, 1, now + MS, totals),
                    "the reply to " + h.lastProbeId);
        }
        assertEquals(4, h.lastProbeId, "2^30 - 2, 2^30 - 1, then 1 to 4 (0 is a challenge's)");
        assertEquals(6, h.streak, "answered in a row across the wrap");
        h.probeRefused(now);
        assertEquals(3, h.lastProbeId, "a refused probe's id is taken again");
    }
}
