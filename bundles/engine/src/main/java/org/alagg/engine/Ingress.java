package org.alagg.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.alagg.api.LinkTransport;
import org.alagg.api.LocalDelivery;
import org.alagg.api.PacketBatch;
import org.alagg.api.ReorderOutput;
import org.alagg.api.ReorderSettings;
import org.alagg.api.ReorderStrategy;
import org.alagg.api.ReorderStrategyFactory;
import org.alagg.protocol.FrameCodec;
import org.alagg.protocol.FrameHeader;
import org.alagg.protocol.FrameType;
import org.alagg.protocol.Reject;

/**
 * The ingress thread: frames from every link are validated, their duplicates discarded, the rest put in
 * order by the reordering strategy and delivered locally. The strategy's deadline is the receive timeout,
 * so no timer thread exists. The peer's epoch is followed: a new one means the peer restarted, and what the
 * old epoch left is handed over before the new numbers are accepted.
 */
final class Ingress implements Runnable, ReorderOutput {
    /** IEEE 802.1CB sequence recovery counters, then Alagg's own. */
    static final List<String> COUNTERS;
    private static final int PASSED = 0;
    private static final int DISCARDED = 1;
    private static final int OUT_OF_ORDER = 2;
    private static final int LOST = 3;
    private static final int ROGUE = 4;
    private static final int RESETS = 5;
    private static final int TAGLESS = 6;
    private static final int LATE = 7;
    private static final int UNKNOWN_SOURCE = 8;
    private static final int PEER_RESTARTS = 9;
    private static final int STALE_EPOCH = 10;
    private static final int UNDELIVERED = 11;
    private static final int PROBES = 12;
    private static final int FIRST_REJECT = 13;

    static {
        List<String> names = new ArrayList<>(List.of("passed", "discarded", "out_of_order", "lost", "rogue", "resets",
                "tagless", "late", "unknown_source", "peer_restarts", "stale_epoch", "undelivered", "probes"));
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

    private final DataPath path;
    private final PacketBatch frames = new PacketBatch(DataPath.BATCH, FrameCodec.HEADER_LENGTH + DataPath.MAX_PACKET + 256);
    private final PacketBatch deliveries = new PacketBatch(DataPath.BATCH, DataPath.MAX_PACKET);
    private final FrameHeader header = new FrameHeader();
    private final DuplicateDiscard history = new DuplicateDiscard(HISTORY, RESET_NANOS);
    final Counters counters = new Counters(COUNTERS);

    private PacketPool pool;
    private ReorderStrategyFactory strategyFactory;
    private ReorderSettings settings;
    private ReorderStrategy strategy;
    private boolean epochKnown;
    private int epoch;
    private int previousEpoch;
    final PathError error;

    Ingress(DataPath path, PathError error) {
        this.path = path;
        this.error = error;
    }

    @Override
    public void run() {
        try {
            while (path.running) {
                turn();
            }
        } finally {
            handOver();
        }
    }

    /**
     * One receive, and the deliveries it makes due. A method of its own so that HotSpot compiles it after a few
     * hundred calls, as {@link Egress} explains.
     */
    private void turn() {
        LinkTransport transport = path.transport;
        followStrategy();
        if (transport == null) {
            DataPath.idle();
            return;
        }
        long now = System.nanoTime();
        long wait = Math.max(0, Math.min(DataPath.TURN_NANOS, deadline() - now));
        frames.clear();
        try {
            transport.receive(frames, wait);
        } catch (IOException | RuntimeException e) {
            error.report("receive", e);
            DataPath.idle();
            return;
        }
        now = System.nanoTime();
        for (int i = 0; i < frames.size(); i++) {
            accept(i, now);
        }
        if (strategy != null && strategy.deadline() <= now) {
            strategy.expire(now, this);
        }
        flush();
    }

    /** Picks up a strategy swap: the old strategy hands over what it holds, in order, first. */
    private void followStrategy() {
        ReorderStrategyFactory wanted = path.strategy;
        ReorderSettings wantedSettings = path.reorderSettings;
        if (wanted == strategyFactory && wantedSettings.equals(settings)) {
            return;
        }
        handOver();
        strategyFactory = wanted;
        settings = wantedSettings;
        // A strategy holds at most its window (rounded up to a power of two) and a batch arrives meanwhile.
        int capacity = Integer.highestOneBit(Math.max(1, settings.window() - 1)) * 2 + 2 * DataPath.BATCH;
        if (pool == null || pool.capacity() < capacity) {
            pool = new PacketPool(capacity, DataPath.MAX_PACKET);
        }
        strategy = wanted == null ? null : wanted.create(settings, 0);
    }

    private void handOver() {
        if (strategy != null) {
            strategy.drain(this);
            flush();
        }
    }

    private long deadline() {
        return strategy == null ? Long.MAX_VALUE : strategy.deadline();
    }

    private void accept(int i, long now) {
        OpenLink link = path.link(frames.link(i));
        if (link == null) {
            counters.add(UNKNOWN_SOURCE, 1);
            return;
        }
        ByteBuffer frame = frames.packet(i);
        int length = frames.length(i);
        Reject reject = FrameCodec.decode(frame, 0, length, header);
        if (reject != Reject.NONE) {
            counters.add(TAGLESS, 1);
            counters.add(FIRST_REJECT + reject.ordinal() - 1, 1);
            return;
        }
        link.arrived(header.linkSequence(), length, now);
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
        int packet = pool.take(frame, FrameCodec.HEADER_LENGTH, header.innerLength(), Payloads.fromWire(header.payloadProtocol()));
        if (packet < 0) {
            counters.add(LOST, 1);
            return;
        }
        if (strategy == null) {
            deliver(sequence, packet); // no strategy installed: duplicate discard only
        } else {
            strategy.accept(sequence, packet, now, this);
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
            if (strategyFactory != null) {
                strategy = strategyFactory.create(settings, 0);
            }
            previousEpoch = epoch;
        }
        history.clear();
        epoch = frameEpoch;
        epochKnown = true;
        return true;
    }

    @Override
    public void deliver(int sequence, int packet) {
        if (deliveries.isFull()) {
            flush();
        }
        pool.moveTo(packet, deliveries);
        counters.add(PASSED, 1);
    }

    @Override
    public void lost(int firstSequence, int count) {
        counters.add(LOST, count);
    }

    @Override
    public void late(int sequence, int packet) {
        pool.release(packet);
        counters.add(LATE, 1);
    }

    private void flush() {
        if (deliveries.size() > 0) {
            LocalDelivery delivery = path.delivery;
            int delivered = 0;
            if (delivery != null) {
                try {
                    delivered = delivery.deliver(deliveries);
                } catch (IOException | RuntimeException e) {
                    error.report("deliver", e);
                }
            }
            counters.add(UNDELIVERED, deliveries.size() - delivered);
            deliveries.clear();
        }
        counters.set(RESETS, history.resets());
        counters.publish();
        for (OpenLink link : path.links) {
            if (link != null) {
                link.received.publish();
            }
        }
    }

}
