package org.alagg.engine;

import static org.alagg.engine.DataPathTest.await;
import static org.alagg.engine.DataPathTest.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.alagg.api.Alagg;
import org.alagg.api.IpNetwork;
import org.alagg.api.Link;
import org.alagg.api.LinkTransport;
import org.alagg.api.MacAddress;
import org.alagg.api.PacketBatch;
import org.alagg.api.ReorderOutput;
import org.alagg.api.ReorderSettings;
import org.alagg.api.ReorderStrategy;
import org.alagg.engine.DataPathTest.LossyWire;
import org.alagg.engine.DataPathTest.Sink;
import org.alagg.engine.DataPathTest.Source;
import org.alagg.reorder.windowed.WindowedOrder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One data path serving several peers (a hub and its spokes, each spoke a data path of its own with one peer, two links
 * each) on in-memory wires that lose frames: packets go to the spoke whose networks hold their destination; one spoke's
 * loss, restart, spoofed sources or removal touches no other spoke's delivery.
 */
class HubTest {
    private static final int SPOKES = 3;
    private static final long MS = 1_000_000;

    private final List<DataPath> running = new ArrayList<>();
    /** What reaches the hub, tagged with the hub's link id (spoke k's link j is the hub's link 2k + j). */
    private final LossyWire hubInbox = new LossyWire(0, 0);
    private final LossyWire[] spokeInbox = new LossyWire[SPOKES];
    /** Loss in percent on each hub link, both ways. */
    private final int[] lossPercent = new int[2 * SPOKES];
    /** How many more DATA frames of each spoke to drop on the way to the hub. */
    /** Spoke k's next packet is dropped, every copy of it (its global sequence, whichever links carry it). */
    private final boolean[] dropNextPacket = new boolean[SPOKES];
    /** The global sequence whose copies are dropped, per spoke; set by the first DATA frame after arming. */
    private final Integer[] droppedSequence = new Integer[SPOKES];
    private final org.alagg.protocol.FrameHeader header = new org.alagg.protocol.FrameHeader();
    private final Random random = new Random(5);
    private DataPath hub;
    private final Source hubSource = new Source();
    private final Sink hubSink = new Sink();
    private final DataPath[] spokes = new DataPath[SPOKES];
    private final Source[] spokeSources = new Source[SPOKES];
    private final Sink[] spokeSinks = new Sink[SPOKES];

    @AfterEach
    void stop() throws InterruptedException {
        for (DataPath p : running) {
            p.stop();
        }
    }

    /** Spoke k's network: 10.9.k.0/24. */
    private static int address(int spoke, int host) {
        return 0x0A090000 | spoke << 8 | host;
    }

    /** A wire of the hub or of spoke {@code spoke} (-1: the hub): frames cross to the other end's inbox. */
    private final class Wire implements LinkTransport {
        final int spoke;

        Wire(int spoke) {
            this.spoke = spoke;
        }

        @Override
        public Link open(int id, String interfaceName, MacAddress peer, int etherType) {
            return new TestLink(id, interfaceName, peer, MacAddress.parse("02:00:00:00:ff:0" + (spoke + 1)), n -> false);
        }

        @Override
        public int send(PacketBatch frames) {
            for (int i = 0; i < frames.size(); i++) {
                int hubLink = spoke < 0 ? frames.link(i) : 2 * spoke + frames.link(i);
                if (random(lossPercent[hubLink]) || spoke >= 0 && dropped(spoke, frames, i)) {
                    continue;
                }
                byte[] frame = new byte[frames.length(i)];
                frames.packet(i).get(0, frame);
                if (spoke < 0) {
                    spokeInbox[hubLink / 2].put(frame, hubLink % 2);
                } else {
                    hubInbox.put(frame, hubLink);
                }
            }
            return frames.size();
        }

        @Override
        public int receive(PacketBatch frames, long timeoutNanos) throws java.io.IOException {
            return (spoke < 0 ? hubInbox : spokeInbox[spoke]).receive(frames, timeoutNanos);
        }

        @Override
        public void wakeup() {
        }
    }

    /**
     * Whether this frame of spoke {@code k} is a copy of the packet {@link #dropNextPacket} says to drop: by its global
     * sequence, so every copy goes however many links are UP (a busy machine may have one link DOWN for a moment).
     */
    private synchronized boolean dropped(int k, PacketBatch frames, int i) {
        if (!dropNextPacket[k] && droppedSequence[k] == null
                || org.alagg.protocol.FrameCodec.decode(frames.packet(i), 0, frames.length(i), header)
                != org.alagg.protocol.Reject.NONE || header.frameType() != org.alagg.protocol.FrameType.DATA) {
            return false;
        }
        if (dropNextPacket[k]) {
            dropNextPacket[k] = false;
            droppedSequence[k] = header.globalSequence();
        }
        return header.globalSequence() == droppedSequence[k];
    }

    private synchronized boolean random(int percent) {
        return percent > 0 && random.nextInt(100) < percent;
    }

    private static Reordering reordering() {
        return Reordering.of(new ReorderSettings(256, 20 * MS), null);
    }

    /** The hub: a peer per spoke with the spoke's network, two links each. */
    private void startHub() {
        hub = new DataPath(problem -> { });
        List<Peer> peers = new ArrayList<>();
        List<OpenLink> links = new ArrayList<>();
        Wire wire = new Wire(-1);
        for (int k = 0; k < SPOKES; k++) {
            Peer peer = new Peer("spoke" + k, reordering(), hub);
            peer.trust = new Trust(null, null, IpNetwork.parseList("10.9." + k + ".0/24"));
            peer.strategy = new WindowedOrder();
            peers.add(peer);
            for (int j = 0; j < 2; j++) {
                links.add(new OpenLink(wire.open(2 * k + j, "h" + j, MacAddress.parse("02:00:00:00:0" + k + ":0" + j), 0x88B5),
                        peer));
            }
        }
        hub.publish(peers, links);
        hub.interceptor = hubSource;
        hub.delivery = hubSink;
        hub.transport = wire;
        hubSource.destinationOf = n -> address(n % SPOKES, 1);
        hub.start();
        running.add(hub);
    }

    /** Spoke k: one peer (the hub, taking every packet), two links. */
    private DataPath startSpoke(int k) {
        spokeInbox[k] = spokeInbox[k] == null ? new LossyWire(0, 0) : spokeInbox[k];
        DataPath spoke = DataPathTest.onePeer(reordering(), problem -> { });
        Wire wire = new Wire(k);
        DataPathTest.links(spoke, 2, id -> wire.open(id, "s" + id, MacAddress.parse("02:00:00:00:ff:0" + id), 0x88B5));
        DataPathTest.peer(spoke).strategy = new WindowedOrder();
        spokeSources[k] = new Source();
        spokeSources[k].sourceOf = n -> address(k, 2);
        spokeSinks[k] = spokeSinks[k] == null ? new Sink() : spokeSinks[k];
        spoke.interceptor = spokeSources[k];
        spoke.delivery = spokeSinks[k];
        spoke.transport = wire;
        spoke.start();
        running.add(spoke);
        spokes[k] = spoke;
        return spoke;
    }

    private void startAll() throws InterruptedException {
        for (int k = 0; k < SPOKES; k++) {
            startSpoke(k);
        }
        startHub();
        await("every spoke and the hub confirmed each other's epochs", () -> {
            for (int k = 0; k < SPOKES; k++) {
                if (!DataPathTest.peer(spokes[k]).receive.peerEpochKnown || !hub.peers[k].receive.peerEpochKnown) {
                    return false;
                }
            }
            return true;
        });
    }

    private static long counter(Peer peer, String name) {
        return peer.receive.counters.snapshot().get(name);
    }

    /** Spoke k's packets from the hub are those numbered k modulo the spokes, each once, in order. */
    private void assertSpokeGot(int k, int from, int to) {
        List<Integer> expected = new ArrayList<>();
        for (int n = from; n < to; n++) {
            if (n % SPOKES == k) {
                expected.add(n);
            }
        }
        assertEquals(expected, new ArrayList<>(spokeSinks[k].delivered), "spoke " + k);
    }

    @Test
    void eachSpokeGetsThePacketsForItsNetworkAndTheHubTakesEachSpokesOwn() throws Exception {
        startAll();
        send(hubSource, 0, 3_000);
        for (int k = 0; k < SPOKES; k++) {
            send(spokeSources[k], k * 10_000, k * 10_000 + 1_000);
        }
        await("every packet delivered", () -> hubSink.delivered.size() == 3 * 1_000
                && spokeSinks[0].delivered.size() + spokeSinks[1].delivered.size() + spokeSinks[2].delivered.size() == 3_000);
        for (int k = 0; k < SPOKES; k++) {
            assertSpokeGot(k, 0, 3_000);
            assertEquals(1_000, counter(hub.peers[k], "passed"), "the hub's peer " + k + " passed its spoke's packets");
        }
        Map<String, Long> out = hub.sendTotals();
        assertEquals(3_000, out.get("sent"));
        assertEquals(0, out.get("no_peer"));
        hubSource.destinationOf = n -> 0xC0000201; // 192.0.2.1: no spoke's network, and no peer takes the rest
        send(hubSource, 3_000, 3_010);
        await("counted as no peer's", () -> hub.sendTotals().get("no_peer") == 10);
        Counting.assertConserved(hub);
    }

    @Test
    void oneSpokesLossRestartAndSpoofingTouchNoOtherSpoke() throws Exception {
        startAll();
        lossPercent[2] = 30; // spoke 1's link 0, both ways
        spokeSources[2].sourceOf = n -> n % 2 == 0 ? address(0, 7) : address(2, 7); // half spoofed as spoke 0
        int n = 0;
        for (int round = 0; round < 10; round++) {
            send(hubSource, n, n + 300);
            send(spokeSources[2], 20_000 + n, 20_000 + n + 100);
            n += 300;
            if (round == 4) { // spoke 1 restarts mid-stream: a new run, a new epoch
                spokes[1].stop();
                running.remove(spokes[1]);
                startSpoke(1);
            }
            int sent = n;
            await("spokes 0 and 2 got everything so far", () -> spokeSinks[0].delivered.size() == sent / SPOKES
                    && spokeSinks[2].delivered.size() == sent / SPOKES);
        }
        assertSpokeGot(0, 0, n);
        assertSpokeGot(2, 0, n);
        await("the hub saw spoke 1 restart", () -> counter(hub.peers[1], "peer_restarts") == 1);
        assertEquals(0, counter(hub.peers[0], "peer_restarts") + counter(hub.peers[2], "peer_restarts"));
        assertTrue(spokes[1].links[0].received.snapshot().get("lost") > 0, "spoke 1's lossy link shows its loss");
        for (int k : new int[] {0, 2}) {
            for (OpenLink link : spokes[k].links) {
                assertEquals(0, link.received.snapshot().get("lost"), "spoke " + k + " lost nothing");
            }
        }
        await("spoke 2's packets passed or dropped", () -> counter(hub.peers[2], "passed")
                + counter(hub.peers[2], "source_not_allowed") == 1_000);
        assertEquals(500, counter(hub.peers[2], "source_not_allowed"), "its packets claiming spoke 0's sources");
        assertTrue(hubSink.delivered.stream().allMatch(p -> p % 2 == 1), "no spoofed packet delivered");
        assertEquals(0, counter(hub.peers[0], "source_not_allowed") + counter(hub.peers[0], "passed"),
                "nothing was counted as spoke 0's");
        Counting.assertConserved(hub);
    }

    @Test
    void aSpokeRemovedWhileItsPacketsWaitHandsThemOverAndTheOthersGoOn() throws Exception {
        startAll();
        Peer leaving = hub.peers[2];
        leaving.reordering = Reordering.of(new ReorderSettings(256, 60_000 * MS), leaving.reordering); // waits for a gap
        leaving.strategy = (settings, next) -> { // as a strategy of API 2.4 would: deaf to the engine's lostBefore
            ReorderStrategy windowed = new WindowedOrder().create(settings, next);
            return new ReorderStrategy() {
                @Override
                public void accept(int sequence, int packet, long nowNanos, ReorderOutput out) {
                    windowed.accept(sequence, packet, nowNanos, out);
                }

                @Override
                public long deadline() {
                    return windowed.deadline();
                }

                @Override
                public void expire(long nowNanos, ReorderOutput out) {
                    windowed.expire(nowNanos, out);
                }

                @Override
                public void drain(ReorderOutput out) {
                    windowed.drain(out);
                }
            };
        };
        send(spokeSources[2], 0, 1);
        await("spoke 2's stream started", () -> counter(leaving, "passed") == 1);
        synchronized (this) {
            dropNextPacket[2] = true; // every copy of its next packet: the hub waits for it, holding the rest
        }
        send(spokeSources[2], 1, 51);
        await("the hub holds spoke 2's packets behind the gap", () -> leaving.receive.counters.snapshot().get("held") == 49);
        assertEquals(1, counter(leaving, "passed"));
        List<Peer> remaining = List.of(hub.peers[0], hub.peers[1]);
        hub.publish(remaining, java.util.Arrays.stream(hub.links).filter(l -> l != null && l.peer != leaving).toList());
        await("what it held was handed over and delivered", () -> hubSink.delivered.size() == 50);
        assertEquals(0, leaving.receive.counters.snapshot().get("held"));
        assertEquals(50, counter(leaving, "passed"));
        send(hubSource, 0, 300);
        await("the other spokes go on", () -> spokeSinks[0].delivered.size() == 100 && spokeSinks[1].delivered.size() == 100);
        assertEquals(0, spokeSinks[2].delivered.size(), "nothing goes to the spoke removed");
        assertEquals(100, hub.sendTotals().get("no_peer"), "its packets are no peer's now");
    }
}
