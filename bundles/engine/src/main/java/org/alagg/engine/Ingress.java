package org.alagg.engine;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.alagg.api.LinkTransport;
import org.alagg.api.LocalDelivery;
import org.alagg.api.PacketBatch;
import org.alagg.protocol.FrameCodec;
import org.alagg.protocol.FrameHeader;
import org.alagg.protocol.ProbeBody;
import org.alagg.protocol.Reject;

/**
 * The ingress thread: frames from every link are received in batches, each goes to the peer its link leads to
 * ({@link PeerReceive}: validation, duplicate discard, reordering), and what the peers release is delivered locally in
 * one batch. The earliest of the peers' reordering deadlines is the receive timeout, so no timer thread exists. A
 * frame from a source no link has ({@code unknown_source}) is counted here and touches no peer.
 *
 * <p>A peer taken out of the data path hands over what its strategy holds at this thread's next turn, before the
 * engine lets it go ({@link DataPath#quiesce}).
 *
 * <p>Counters: this thread's own ({@code received} and {@code unknown_source} of frames no link claims, and
 * {@code undelivered}: packets the local delivery refused) and each peer's; the totals are their sum
 * ({@link DataPath#receiveTotals}), and {@code received = unknown_source + the sum of every peer's parts}
 * ({@link PeerReceive}). {@code lost} counts sequence numbers given up, not frames.
 */
final class Ingress extends HotLoop {
    /** IEEE 802.1CB sequence recovery counters, then Alagg's own. */
    static final List<String> COUNTERS;
    static final int PASSED = 0;
    static final int DISCARDED = 1;
    static final int OUT_OF_ORDER = 2;
    static final int LOST = 3;
    static final int ROGUE = 4;
    static final int RESETS = 5;
    static final int TAGLESS = 6;
    static final int RECEIVED = 7;
    static final int LATE = 8;
    static final int UNKNOWN_SOURCE = 9;
    static final int PEER_RESTARTS = 10;
    static final int STALE_EPOCH = 11;
    static final int UNDELIVERED = 12;
    static final int PROBES = 13;
    static final int OVERFLOW = 14;
    static final int HELD = 15;
    static final int AUTH_MISSING = 16;
    static final int AUTH_FAILED = 17;
    static final int EPOCH_UNCONFIRMED = 18;
    static final int SOURCE_NOT_ALLOWED = 19;
    static final int CHALLENGES = 20;
    static final int PROBES_UNANSWERED = 21;
    static final int EPOCH_CONFLICTS = 22;
    /** The reordering timeout in effect, in microseconds: configured, or sized from the links ({@link ReorderTimeout}). */
    static final int REORDER_TIMEOUT_US = 23;
    /** Packets forward error correction gave back. */
    static final int FEC_REPAIRED = 24;
    /** Packets of groups FEC knew that it could not give back (too few frames came before the group was evicted). */
    static final int FEC_UNREPAIRABLE = 25;
    /** PARITY frames of the current epoch, authentic. */
    static final int FEC_PARITY_RECEIVED = 26;
    /** Parity symbols a repair used. */
    static final int FEC_PARITY_USED = 27;
    static final int FIRST_REJECT = 28;

    static {
        List<String> names = new ArrayList<>(List.of("passed", "discarded", "out_of_order", "lost", "rogue", "resets",
                "tagless", "received", "late", "unknown_source", "peer_restarts", "stale_epoch", "undelivered",
                "probes", "overflow", "held", "auth_missing", "auth_failed", "epoch_unconfirmed", "source_not_allowed",
                "challenges", "probes_unanswered", "epoch_conflicts", "reorder_timeout_us", "fec_repaired", "fec_unrepairable",
                "fec_parity_received", "fec_parity_used"));
        for (Reject r : Reject.values()) {
            if (r != Reject.NONE) {
                names.add("malformed_" + r.counterName());
            }
        }
        COUNTERS = List.copyOf(names);
    }

    /** How long without a passing frame makes the duplicate history stale (802.1CB's reset timeout). */
    static final long RESET_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    static final int HISTORY = 1 << 16;
    /** How recently a frame of the current epoch makes it live: another epoch's answer does not replace it then. */
    static final long LIVE_EPOCH_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /** The least distance ahead a single frame may move the duplicate window (else the reorder window). */
    static final int MIN_AHEAD = 64;

    private final PacketBatch frames = new PacketBatch(DataPath.BATCH, FrameCodec.HEADER_LENGTH + DataPath.MAX_PACKET + 256);
    private final PacketBatch deliveries = new PacketBatch(DataPath.BATCH, DataPath.MAX_PACKET);
    private final FrameHeader header = new FrameHeader();
    /** The peers' scratch: the heard list of the reply being made, the body of a challenge. */
    final int[] heardLinks = new int[DataPath.MAX_LINKS];
    final ByteBuffer challengeBody = ByteBuffer.allocate(ProbeBody.CHALLENGE_BODY_LENGTH);
    /** Frames were queued for the egress thread in this turn: it is woken once, after the batch. */
    boolean wakeEgress;
    /** What arrived from no link's peer, and what the delivery refused. */
    final Counters counters = new Counters(COUNTERS);
    /** The peers as this thread last saw them: one that left hands over what it holds. */
    private Peer[] peers = new Peer[0];

    Ingress(DataPath path, PathError error) {
        super(path, "alagg-ingress", error);
    }

    @Override
    void stopped() {
        for (Peer peer : peers) {
            peer.receive.handOver();
        }
        flush();
    }

    /**
     * One receive, and the deliveries it makes due. A method of its own so that HotSpot compiles it after a few
     * hundred calls, as {@link Egress} explains.
     */
    @Override
    void turn() {
        long now = System.nanoTime();
        followPeers();
        long deadline = Long.MAX_VALUE;
        for (Peer peer : peers) {
            peer.receive.follow(now);
            deadline = Math.min(deadline, peer.receive.deadline());
        }
        if (wakeEgress) {
            wakeEgress = false;
            path.wakeEgress();
        }
        LinkTransport transport = path.transport;
        if (transport == null) {
            DataPath.idle();
            return;
        }
        long wait = Math.max(0, Math.min(DataPath.TURN_NANOS, deadline - now));
        frames.clear();
        try {
            transport.receive(frames, wait);
        } catch (Throwable e) {
            error.report("receive", e);
            DataPath.idle(); // then the next receive; frames committed before the failure are still taken
        }
        now = System.nanoTime();
        for (int i = 0; i < frames.size(); i++) {
            OpenLink link = path.link(frames.link(i));
            if (link == null) {
                counters.add(RECEIVED, 1);
                counters.add(UNKNOWN_SOURCE, 1);
            } else {
                link.peer.receive.accept(frames.packet(i), frames.length(i), link, header, now);
            }
        }
        if (wakeEgress) {
            wakeEgress = false;
            path.wakeEgress();
        }
        for (Peer peer : peers) {
            if (peer.receive.deadline() <= now) {
                peer.receive.expire(now);
            }
        }
        flush();
    }

    /** A peer taken out of the data path delivers what it holds now, in order: the engine lets it go after this turn. */
    private void followPeers() {
        Peer[] wanted = path.peers;
        if (wanted != peers) {
            for (Peer old : peers) {
                if (!List.of(wanted).contains(old)) { // allocates: only on a change
                    old.receive.handOver();
                    old.receive.publish();
                }
            }
            peers = wanted;
            deliver(); // what the peers that left held, now
        }
    }

    /** The batch the peers deliver into; delivered first when full. */
    PacketBatch deliveryBatch() {
        if (deliveries.isFull()) {
            deliver();
        }
        return deliveries;
    }

    private void deliver() {
        if (deliveries.size() > 0) {
            LocalDelivery delivery = path.delivery;
            int delivered = 0;
            if (delivery != null) {
                try {
                    delivered = delivery.deliver(deliveries);
                } catch (Throwable e) {
                    error.report("deliver", e);
                }
            }
            counters.add(UNDELIVERED, deliveries.size() - Math.max(0, Math.min(delivered, deliveries.size())));
            deliveries.clear();
        }
    }

    private void flush() {
        deliver();
        counters.publish();
        for (Peer peer : peers) {
            peer.receive.publish();
        }
    }
}
