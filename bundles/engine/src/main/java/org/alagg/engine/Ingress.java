package org.alagg.engine;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.alagg.api.LinkTransport;
import org.alagg.api.LocalDelivery;
import org.alagg.api.PacketBatch;
import org.alagg.api.ReorderOutput;
import org.alagg.api.ReorderStrategy;
import org.alagg.api.ReorderStrategyFactory;
import org.alagg.protocol.FrameCodec;
import org.alagg.protocol.FrameHeader;
import org.alagg.protocol.FrameType;
import org.alagg.protocol.Reject;
import org.alagg.protocol.Sequence;

/**
 * The ingress thread: frames from every link are validated, their duplicates discarded, the rest put in
 * order by the reordering strategy and delivered locally. The strategy's deadline is the receive timeout,
 * so no timer thread exists. The peer's epoch is followed: a new one means the peer restarted, and what the
 * old epoch left is handed over before the new numbers are accepted.
 *
 * <p>The delivery cursor is the sequence number after the last one delivered or given up. A strategy that
 * replaces another (a swap, new settings) starts there ({@link ReorderStrategyFactory#create}), so no number the
 * old one already released is waited for again. A strategy that throws is dropped: the packets it held are
 * recovered from the pool and delivered in sequence order, and the stream goes on in arrival order.
 *
 * <p>Every received frame ends up in exactly one counter: {@code received = unknown_source + tagless + probes
 * + stale_epoch + discarded + rogue + overflow + passed + late + held} ({@code held}: packets a strategy holds
 * now). {@code lost} counts sequence numbers given up, not frames.
 */
final class Ingress extends HotLoop implements ReorderOutput {
    /** IEEE 802.1CB sequence recovery counters, then Alagg's own. */
    static final List<String> COUNTERS;
    private static final int PASSED = 0;
    private static final int DISCARDED = 1;
    private static final int OUT_OF_ORDER = 2;
    private static final int LOST = 3;
    private static final int ROGUE = 4;
    private static final int RESETS = 5;
    private static final int TAGLESS = 6;
    private static final int RECEIVED = 7;
    private static final int LATE = 8;
    private static final int UNKNOWN_SOURCE = 9;
    private static final int PEER_RESTARTS = 10;
    private static final int STALE_EPOCH = 11;
    private static final int UNDELIVERED = 12;
    private static final int PROBES = 13;
    private static final int OVERFLOW = 14;
    private static final int HELD = 15;
    private static final int FIRST_REJECT = 16;
    private static final String ARRIVAL_ORDER_FALLBACK = "what it held was delivered in order; packets go in arrival "
            + "order (duplicates discarded) until it is installed or selected again";

    static {
        List<String> names = new ArrayList<>(List.of("passed", "discarded", "out_of_order", "lost", "rogue", "resets",
                "tagless", "received", "late", "unknown_source", "peer_restarts", "stale_epoch", "undelivered",
                "probes", "overflow", "held"));
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

    private final PacketBatch frames = new PacketBatch(DataPath.BATCH, FrameCodec.HEADER_LENGTH + DataPath.MAX_PACKET + 256);
    private final PacketBatch deliveries = new PacketBatch(DataPath.BATCH, DataPath.MAX_PACKET);
    private final FrameHeader header = new FrameHeader();
    private final DuplicateDiscard history = new DuplicateDiscard(HISTORY, RESET_NANOS);
    private final PacketPool.Reclaimer recover = this::recovered;
    final Counters counters = new Counters(COUNTERS);

    private Reordering reordering;
    /** The factory selected; {@link #strategy} is made from it, lazily, once the start of the sequence is known. */
    private ReorderStrategyFactory strategyFactory;
    private ReorderStrategy strategy;
    /** The number after the last one delivered or given up, once one was. */
    private boolean cursorKnown;
    private int cursor;
    private boolean epochKnown;
    private int epoch;
    private int previousEpoch;

    Ingress(DataPath path, PathError error) {
        super(path, "alagg-ingress", error);
    }

    @Override
    void stopped() {
        handOver();
    }

    /**
     * One receive, and the deliveries it makes due. A method of its own so that HotSpot compiles it after a few
     * hundred calls, as {@link Egress} explains.
     */
    @Override
    void turn() {
        followStrategy();
        LinkTransport transport = path.transport;
        if (transport == null) {
            DataPath.idle();
            return;
        }
        long now = System.nanoTime();
        long wait = Math.max(0, Math.min(DataPath.TURN_NANOS, deadline() - now));
        frames.clear();
        try {
            transport.receive(frames, wait);
        } catch (Throwable e) {
            error.report("receive", e);
            DataPath.idle(); // then the next receive; frames committed before the failure are still taken
        }
        now = System.nanoTime();
        for (int i = 0; i < frames.size(); i++) {
            accept(i, now);
        }
        if (deadline() <= now) {
            try {
                strategy.expire(now, this);
            } catch (Throwable e) {
                strategyFailed("expire", e);
            }
        }
        flush();
    }

    /** Picks up a strategy swap or new settings: the old strategy hands over what it holds, in order, first. */
    private void followStrategy() {
        ReorderStrategyFactory wanted = path.strategy;
        Reordering wantedReordering = path.reordering;
        if (wanted != strategyFactory || wantedReordering != reordering) {
            handOver();
            strategyFactory = wanted;
            reordering = wantedReordering; // the old pool is empty now
        }
        if (strategy == null && cursorKnown) {
            createStrategy(cursor);
        }
    }

    /** Makes the selected strategy, starting at {@code next}, unless none is selected or it failed. */
    private void createStrategy(int next) {
        ReorderStrategyFactory factory = strategyFactory;
        if (factory == null || path.faults.failed(factory)) {
            return;
        }
        try {
            strategy = factory.create(reordering.settings(), next);
            if (strategy == null) {
                throw new NullPointerException("create returned null");
            }
        } catch (Throwable e) {
            strategy = null;
            path.faults.report(factory, "create", e, ARRIVAL_ORDER_FALLBACK);
        }
    }

    /** The strategy releases everything it holds, in order; whatever it kept is recovered from the pool. */
    private void handOver() {
        if (strategy != null) {
            try {
                strategy.drain(this);
            } catch (Throwable e) {
                path.faults.report(strategyFactory, "drain", e, ARRIVAL_ORDER_FALLBACK);
            }
            strategy = null;
        }
        recoverHeld();
        flush();
    }

    private void strategyFailed(String during, Throwable e) {
        path.faults.report(strategyFactory, during, e, ARRIVAL_ORDER_FALLBACK);
        strategy = null;
        recoverHeld();
    }

    /** Delivers what the pool still holds in sequence order; what is behind the cursor is late. */
    private void recoverHeld() {
        if (reordering != null && reordering.pool().held() > 0) {
            reordering.pool().reclaim(recover);
        }
    }

    private void recovered(int sequence, int handle) {
        if (!cursorKnown || Sequence.distance(cursor, sequence) >= 0) {
            deliver(sequence, handle);
        } else {
            late(sequence, handle);
        }
    }

    private long deadline() {
        if (strategy == null) {
            return Long.MAX_VALUE;
        }
        try {
            return strategy.deadline();
        } catch (Throwable e) {
            strategyFailed("deadline", e);
            return Long.MAX_VALUE;
        }
    }

    private void accept(int i, long now) {
        counters.add(RECEIVED, 1);
        OpenLink link = path.link(frames.link(i));
        if (link == null) {
            counters.add(UNKNOWN_SOURCE, 1);
            return;
        }
        ByteBuffer frame = frames.packet(i);
        int length = frames.length(i);
        link.arrived(length, now);
        Reject reject = FrameCodec.decode(frame, 0, length, header);
        if (reject != Reject.NONE) {
            counters.add(TAGLESS, 1);
            counters.add(FIRST_REJECT + reject.ordinal() - 1, 1);
            return;
        }
        link.sequenced(header.linkSequence());
        if (header.frameType() != FrameType.DATA) {
            counters.add(PROBES, 1);
            return;
        }
        if (!followEpoch(header.epoch())) {
            return;
        }
        int sequence = header.globalSequence();
        switch (history.accept(sequence, now)) {
            case DUPLICATE:
                counters.add(DISCARDED, 1);
                link.received.add(OpenLink.DUPLICATES, 1);
                return;
            case ROGUE:
                counters.add(ROGUE, 1);
                return;
            case LATE:
                counters.add(OUT_OF_ORDER, 1);
                break;
            default:
                break;
        }
        int packet = reordering.pool().take(frame, FrameCodec.HEADER_LENGTH, header.innerLength(),
                Payloads.fromWire(header.payloadProtocol()), sequence);
        if (packet < 0) {
            counters.add(OVERFLOW, 1);
            return;
        }
        if (strategy == null) {
            createStrategy(cursorKnown ? cursor : sequence);
        }
        if (strategy == null) {
            deliver(sequence, packet); // no strategy, or it failed: duplicate discard only
            return;
        }
        try {
            strategy.accept(sequence, packet, now, this);
        } catch (Throwable e) {
            strategyFailed("accept", e);
        }
    }

    /** False when the frame belongs to the epoch before the peer's restart. */
    private boolean followEpoch(int frameEpoch) {
        if (epochKnown && frameEpoch == epoch) {
            return true;
        }
        if (epochKnown && frameEpoch == previousEpoch) {
            counters.add(STALE_EPOCH, 1);
            return false;
        }
        if (epochKnown) {
            counters.add(PEER_RESTARTS, 1);
            handOver();
            previousEpoch = epoch;
            cursorKnown = false; // the new epoch's numbers start afresh: its first frame sets the start
        }
        history.clear();
        epoch = frameEpoch;
        epochKnown = true;
        return true;
    }

    @Override
    public void deliver(int sequence, int packet) {
        if (!reordering.pool().isTaken(packet)) {
            return; // a strategy giving back a handle it does not hold: nothing to deliver
        }
        if (!cursorKnown || Sequence.distance(cursor, sequence) >= 0) {
            cursor = sequence + 1;
            cursorKnown = true;
        }
        if (deliveries.isFull()) {
            flush();
        }
        reordering.pool().moveTo(packet, deliveries);
        counters.add(PASSED, 1);
    }

    @Override
    public void lost(int firstSequence, int count) {
        if (count <= 0) {
            return;
        }
        counters.add(LOST, count);
        int end = firstSequence + count;
        if (!cursorKnown || Sequence.distance(cursor, end) > 0) {
            cursor = end;
            cursorKnown = true;
        }
    }

    @Override
    public void late(int sequence, int packet) {
        if (reordering.pool().release(packet)) {
            counters.add(LATE, 1);
        }
    }

    private void flush() {
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
        counters.set(RESETS, history.resets());
        counters.set(HELD, reordering == null ? 0 : reordering.pool().held());
        counters.publish();
        for (OpenLink link : path.links) {
            if (link != null) {
                link.received.publish();
            }
        }
    }
}
