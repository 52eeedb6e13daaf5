package org.alagg.engine;

import static org.alagg.engine.DataPathTest.await;
import static org.alagg.engine.DataPathTest.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.alagg.api.IpNetwork;
import org.alagg.api.PacketBatch;
import org.alagg.engine.DataPathTest.Crossed;
import org.alagg.engine.DataPathTest.LossyWire;
import org.alagg.engine.DataPathTest.Sink;
import org.alagg.engine.DataPathTest.Source;
import org.alagg.protocol.FrameAuth;
import org.alagg.protocol.FrameCodec;
import org.alagg.protocol.FrameHeader;
import org.alagg.protocol.FrameType;
import org.alagg.protocol.PayloadProtocol;
import org.alagg.reorder.strict.StrictOrder;
import org.alagg.reorder.windowed.WindowedOrder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Frames that cannot be forged or replayed (docs/protocol.md sections 5-7): forged epochs, replays from this and an
 * earlier run, far jumps, floods of epochs, bad tags and spoofed inner sources, each while genuine traffic flows;
 * a key rotation and the epoch's end without losing the stream.
 */
class TrustTest {
    private static final byte[] KEY = key(1);
    private static final byte[] NEW_KEY = key(2);
    /** The test wire's link 0 has this address at both ends (DataPathTest.start). */
    private static final long LINK_0_MAC = 0x020000000000L;
    private final DataPathTest paths = new DataPathTest();

    @AfterEach
    void stop() throws InterruptedException {
        paths.stop();
    }

    static byte[] key(int seed) {
        byte[] k = new byte[32];
        new Random(seed).nextBytes(k);
        return k;
    }

    /** A DATA frame carrying packet {@code n} as the test Source makes it; signed when {@code key} is not null. */
    static byte[] dataFrame(int epoch, int sequence, int n, byte[] key, int source) {
        int tag = key == null ? 0 : FrameAuth.TAG_LENGTH;
        ByteBuffer frame = ByteBuffer.allocate(FrameCodec.HEADER_LENGTH + 60 + tag);
        FrameCodec.encode(new FrameHeader().frameType(FrameType.DATA).payloadProtocol(PayloadProtocol.IPV4).innerLength(60)
                .epoch(epoch).globalSequence(sequence).linkSequence(sequence).authTagLength(tag), frame, 0);
        frame.put(FrameCodec.HEADER_LENGTH, (byte) 0x45).putInt(FrameCodec.HEADER_LENGTH + 4, n)
                .putInt(FrameCodec.HEADER_LENGTH + 12, source);
        if (key != null) {
            FrameAuth auth = new FrameAuth(key);
            auth.digestPayload(frame, 0, 60);
            auth.sign(frame, 0, 60, LINK_0_MAC, LINK_0_MAC);
        }
        return frame.array();
    }

    /** Sends packets {@code from..to-1} at about 1 per ms while {@code attack} runs, and waits for them all. */
    private static void duringTraffic(LossyWire wire, Source source, Sink sink, int from, int to, Runnable attack)
            throws Exception {
        Thread sender = new Thread(() -> {
            for (int n = from; n < to; n++) {
                source.pending.add(n);
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        sender.start();
        Thread.sleep(50);
        attack.run();
        sender.join();
        await("every frame on the wire taken in", wire.arriving::isEmpty);
        Thread.sleep(100); // and the last batch handled
        try {
            await("every genuine packet delivered", () -> sink.delivered.stream().filter(n -> n >= from && n < to).count()
                    == to - from);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + ": " + sink.delivered.stream().filter(n -> n >= from && n < to).count()
                    + " of " + (to - from) + "; " + DataPathTest.runningPaths(), e);
        }
    }

    private static long counter(DataPath path, String name) {
        return path.receiveTotals().get(name);
    }

    @Test
    void withoutAKeyForgedEpochsAndFarJumpsNeitherPassNorInterruptTheStream() throws Exception {
        LossyWire wire = new LossyWire(0, 0);
        Source source = new Source();
        Sink sink = new Sink();
        DataPath path = paths.start(wire, source, sink, 2, new StrictOrder());
        int genuine = DataPathTest.peer(path).send.epoch;
        long challengesBefore = counter(path, "challenges");
        long started = System.nanoTime();
        duringTraffic(wire, source, sink, 0, 300, () -> {
            wire.put(dataFrame(genuine ^ 0x5a5a, 0, 1_000_001, null, 0), 0); // a fresh epoch
            wire.put(dataFrame(genuine, 60_000, 1_000_002, null, 0), 1); // the current epoch, +60 000
            Random random = new Random(9);
            for (int i = 0; i < 10_000; i++) { // a flood of random epochs
                wire.put(dataFrame(random.nextInt(), random.nextInt(), 1_000_003, null, 0), i & 1);
            }
        });
        DataPathTest.assertDeliveredInOrderOnce(sink);
        assertTrue(sink.delivered.stream().noneMatch(n -> n >= 1_000_000), "a forged packet was delivered");
        assertEquals(genuine, DataPathTest.peer(path).receive.peerEpoch, "the genuine epoch stays current");
        assertEquals(0, counter(path, "peer_restarts"));
        assertTrue(counter(path, "epoch_unconfirmed") >= 10_000, "forged epochs counted: " + counter(path, "epoch_unconfirmed"));
        assertEquals(1, counter(path, "rogue"), "the +60 000 frame is rogue");
        assertEquals(0, counter(path, "lost"), "it moved nothing");
        long elapsedMs = (System.nanoTime() - started) / 1_000_000;
        long challenges = counter(path, "challenges") - challengesBefore;
        assertTrue(challenges <= elapsedMs / 100 + 1, "a flood costs one challenge per 100 ms, not one each: "
                + challenges + " in " + elapsedMs + " ms");
        Counting.assertConserved(path);
    }

    @Test
    void replaysFromThisAndAnEarlierRunOfThePeerAreNeverDelivered() throws Exception {
        LossyWire receiverInbox = new LossyWire(0, 0);
        LossyWire peerInbox = new LossyWire(0, 0);
        List<byte[]> recorded = new ArrayList<>();
        LossyWire recording = new LossyWire(0, 0) { // the peer's side of the wire, recording what it sends
            @Override
            public synchronized int send(PacketBatch frames) {
                for (int i = 0; i < frames.size(); i++) {
                    byte[] f = new byte[frames.length(i)];
                    frames.packet(i).get(0, f);
                    recorded.add(f);
                }
                return receiverInbox.send(frames);
            }
        };
        Sink sink = new Sink();
        DataPath receiver = paths.start(new Crossed(receiverInbox, peerInbox), new Source(), sink, 2, new WindowedOrder());
        receiver.interceptor = null;
        DataPathTest.trust(receiver, new Trust(KEY, null, List.of()));
        Source first = new Source();
        DataPath peer = paths.start(new Crossed(peerInbox, recording), first, new Sink(), 2, null);
        DataPathTest.trust(peer, new Trust(KEY, null, List.of()));
        await("the receiver confirmed the peer", () -> DataPathTest.peer(receiver).receive.peerEpochKnown);
        send(first, 0, 100);
        await("the first run delivered", () -> sink.delivered.size() == 100);
        List<byte[]> firstRun = new ArrayList<>(recorded);
        peer.stop();

        Source second = new Source();
        DataPath restarted = paths.start(new Crossed(peerInbox, receiverInbox), second, new Sink(), 2, null);
        DataPathTest.trust(restarted, new Trust(KEY, null, List.of()));
        await("the restart confirmed", () -> DataPathTest.peer(receiver).receive.peerEpoch == DataPathTest.peer(restarted).send.epoch);
        recorded.clear();
        send(second, 100, 200);
        await("the second run delivered", () -> sink.delivered.size() == 200);
        List<byte[]> secondRun = new ArrayList<>(recorded);
        long restarts = counter(receiver, "peer_restarts");

        for (byte[] f : firstRun) { // validly signed, from the run before the restart
            receiverInbox.put(f, 0);
        }
        for (byte[] f : secondRun) { // validly signed, from this run
            receiverInbox.put(f, 1);
        }
        send(second, 200, 210);
        await("the stream goes on", () -> sink.delivered.size() == 210);
        Thread.sleep(300); // time for any challenge a replay caused to be answered
        assertEquals(210, sink.delivered.size(), "a replayed packet was delivered again");
        assertEquals(DataPathTest.peer(restarted).send.epoch, DataPathTest.peer(receiver).receive.peerEpoch, "a replay changed the epoch");
        assertEquals(restarts, counter(receiver, "peer_restarts"));
        Counting.assertConserved(receiver);
    }

    @Test
    void withAKeyFramesWithoutOrWithABadTagTouchNothing() throws Exception {
        LossyWire wire = new LossyWire(0, 0);
        Source source = new Source();
        Sink sink = new Sink();
        DataPath path = paths.start(wire, source, sink, 2, new StrictOrder());
        DataPathTest.trust(path, new Trust(KEY, null, List.of()));
        send(source, 0, 10);
        await("authenticated traffic flows", () -> sink.delivered.size() == 10);
        int epoch = DataPathTest.peer(path).send.epoch;
        long heard = path.links[0].received.snapshot().get("last_received_ns");
        duringTraffic(wire, source, sink, 10, 200, () -> {
            wire.put(dataFrame(epoch, 1_000, 1_000_001, null, 0), 0); // no tag
            wire.put(dataFrame(epoch, 1_001, 1_000_002, key(3), 0), 0); // another key
            byte[] tampered = dataFrame(epoch, 1_002, 1_000_003, KEY, 0);
            tampered[FrameCodec.HEADER_LENGTH + 4] ^= 1; // the payload changed after signing
            wire.put(tampered, 1);
            Random random = new Random(4);
            for (int i = 0; i < 10_000; i++) {
                wire.put(dataFrame(random.nextInt(), random.nextInt(), 1_000_004, key(5), 0), i & 1);
            }
        });
        assertTrue(sink.delivered.stream().noneMatch(n -> n >= 1_000_000), "a forged packet was delivered");
        DataPathTest.assertDeliveredInOrderOnce(sink);
        assertEquals(1, counter(path, "auth_missing"));
        assertEquals(10_002, counter(path, "auth_failed"));
        assertEquals(0, counter(path, "epoch_unconfirmed"), "bad frames never reach the epoch rules");
        assertEquals(0, counter(path, "rogue"));
        assertTrue(path.links[0].received.snapshot().get("last_received_ns") > heard);
        Counting.assertConserved(path);
    }

    /**
     * A receiver checks a packet's further copies against the payload digest of the first (VerifiedDigests): a copy
     * whose header and tag are genuine but whose payload bytes differ must still never pass, when the first copy was
     * verified but not taken (here: rogue, far ahead) and the window has since come near its number.
     */
    @Test
    void aGenuineHeaderOverOtherPayloadBytesIsNeverDelivered() throws Exception {
        LossyWire wire = new LossyWire(0, 0);
        Source source = new Source();
        Sink sink = new Sink();
        DataPath path = paths.start(wire, source, sink, 2, new StrictOrder());
        DataPathTest.trust(path, new Trust(KEY, null, List.of()));
        send(source, 0, 10);
        await("authenticated traffic flows", () -> sink.delivered.size() == 10);
        int epoch = DataPathTest.peer(path).send.epoch;
        byte[] first = dataFrame(epoch, 310, 1_000_001, KEY, 0); // beyond the window (256 ahead): rogue, not taken
        wire.put(first, 0);
        await("the far copy judged rogue", () -> counter(path, "rogue") == 1);
        send(source, 10, 100);
        await("the window came within reach of 310", () -> sink.delivered.size() == 100);
        byte[] other = first.clone();
        other[FrameCodec.HEADER_LENGTH + 4] ^= 1; // same header and tag, another payload
        wire.put(other, 0);
        await("the other bytes refused", () -> counter(path, "auth_failed") == 1);
        send(source, 100, 400);
        await("the genuine stream delivered", () -> sink.delivered.size() == 400);
        assertTrue(sink.delivered.stream().noneMatch(n -> n >= 1_000_000), "a forged packet was delivered");
        DataPathTest.assertDeliveredInOrderOnce(sink);
        Counting.assertConserved(path);
    }

    @Test
    void aKeyRotationInThreeStepsLosesNothing() throws Exception {
        LossyWire aInbox = new LossyWire(0, 0);
        LossyWire bInbox = new LossyWire(0, 0);
        Source aSource = new Source();
        Source bSource = new Source();
        Sink aSink = new Sink();
        Sink bSink = new Sink();
        DataPath a = paths.start(new Crossed(aInbox, bInbox), aSource, aSink, 2, new StrictOrder());
        DataPath b = paths.start(new Crossed(bInbox, aInbox), bSource, bSink, 2, new StrictOrder());
        DataPathTest.trust(a, new Trust(KEY, null, List.of()));
        DataPathTest.trust(b, new Trust(KEY, null, List.of()));
        await("each confirmed the other's epoch", () -> DataPathTest.peer(a).receive.peerEpoch == DataPathTest.peer(b).send.epoch && DataPathTest.peer(b).receive.peerEpoch == DataPathTest.peer(a).send.epoch);
        Trust[][] steps = {
            {new Trust(KEY, NEW_KEY, List.of()), new Trust(KEY, NEW_KEY, List.of())},
            {new Trust(NEW_KEY, KEY, List.of()), null},
            {null, new Trust(NEW_KEY, KEY, List.of())},
            {new Trust(NEW_KEY, null, List.of()), new Trust(NEW_KEY, null, List.of())},
        };
        int n = 0;
        for (Trust[] step : steps) {
            send(aSource, n, n + 200);
            send(bSource, n, n + 200);
            Thread.sleep(2);
            // while packets flow; each side has applied a step before the next one begins, as an operator checks
            if (step[0] != null) {
                DataPathTest.trust(a, step[0]);
            }
            if (step[1] != null) {
                DataPathTest.trust(b, step[1]);
            }
            n += 200;
            int sent = n;
            try {
                await("both directions delivered", () -> aSink.delivered.size() == sent && bSink.delivered.size() == sent);
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + " at step " + n / 200 + ": A got " + aSink.delivered.size()
                        + " " + a.receiveTotals() + " B got " + bSink.delivered.size() + " " + b.receiveTotals());
            }
        }
        assertEquals(0, counter(a, "auth_failed") + counter(b, "auth_failed"), "every frame was accepted under a key");
        DataPathTest.assertDeliveredInOrderOnce(aSink);
        DataPathTest.assertDeliveredInOrderOnce(bSink);
    }

    @Test
    void packetsFromSourcesThePeerMayNotUseKeepTheirPlaceAndAreDropped() throws Exception {
        LossyWire wire = new LossyWire(10, 3);
        Source source = new Source();
        Sink sink = new Sink();
        DataPath path = paths.start(wire, source, sink, 2, new WindowedOrder());
        DataPathTest.trust(path, new Trust(null, null, IpNetwork.parseList("10.9.1.0/24, fd09:1::/64")));
        source.sourceOf = n -> n % 3 == 0 ? 0xC0000242 : 0x0A090100 | n & 0xFF; // every third from 192.0.2.66
        send(source, 0, 3_000);
        await("every packet passed, dropped or lost", () -> counter(path, "passed") + counter(path, "source_not_allowed")
                + counter(path, "lost") >= 3_000 - 5);
        assertTrue(sink.delivered.stream().noneMatch(n -> n % 3 == 0), "a packet from 192.0.2.66 was delivered");
        assertTrue(counter(path, "source_not_allowed") > 900, "counted: " + counter(path, "source_not_allowed"));
        assertTrue(sink.delivered.size() > 1_900, "the window never waited for a dropped packet's number: "
                + sink.delivered.size());
        DataPathTest.assertDeliveredInOrderOnce(sink);
        Counting.assertConserved(path);
    }

    @Test
    void theEpochEndsBeforeTheSequenceReachesTwoToTheThirtyOneAndTheStreamFollows() throws Exception {
        LossyWire wire = new LossyWire(0, 0);
        Source source = new Source();
        Sink sink = new Sink();
        DataPath path = paths.start(wire, source, sink, 2, new WindowedOrder());
        DataPathTest.trust(path, new Trust(KEY, null, List.of()));
        int first = DataPathTest.peer(path).send.epoch;
        DataPathTest.peer(path).send.nextSequence = Egress.EPOCH_END - 300; // handed to the egress thread with the first packet below
        send(source, 0, 20); // the receiver sees the sender's numbers jump: a run re-synchronises it
        await("the jump taken", () -> counter(path, "resets") == 1 && counter(path, "passed") >= 20 - DuplicateDiscard.JUMP_RUN);
        duringTraffic(wire, source, sink, 20, 520, () -> { }); // crosses 2^31 after about 280 packets
        assertTrue(DataPathTest.peer(path).send.epoch != first, "a new epoch began");
        assertEquals(DataPathTest.peer(path).send.epoch, DataPathTest.peer(path).receive.peerEpoch, "the receiver confirmed it");
        assertEquals(1, counter(path, "peer_restarts"));
        DataPathTest.assertDeliveredInOrderOnce(sink);
        Counting.assertConserved(path);
    }
}
