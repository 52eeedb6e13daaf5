package org.alagg.reorder;

import java.util.concurrent.TimeUnit;

import org.alagg.api.ReorderOutput;
import org.alagg.api.ReorderSettings;
import org.alagg.api.ReorderStrategy;
import org.alagg.api.ReorderStrategyFactory;
import org.alagg.reorder.none.ArrivalOrder;
import org.alagg.reorder.strict.StrictOrder;
import org.alagg.reorder.windowed.WindowedOrder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Each reordering strategy with the configuration's defaults (window 256, timeout 5 ms), driven as the
 * ingress thread drives it: a batch of packets that passed duplicate discard, one clock reading per batch,
 * then the deadline check. One operation is one packet. Each strategy runs in its own fork, so its calls
 * are as monomorphic as in the engine.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@OperationsPerInvocation(ReorderBenchmark.BATCH)
public class ReorderBenchmark {
    /** The engine's receive batch. */
    static final int BATCH = 64;

    /** How the packets of a batch arrive. */
    public enum Arrival {
        /** In sequence: every packet is delivered at once. */
        IN_ORDER,
        /** 1, 0, 3, 2, ...: every other packet waits for the one before it. */
        PAIRS_SWAPPED;

        /** The sequence number of each packet of a batch, counted from the batch's first. */
        int[] batch() {
            int[] offsets = new int[BATCH];
            for (int i = 0; i < offsets.length; i++) {
                offsets[i] = this == IN_ORDER ? i : i ^ 1;
            }
            return offsets;
        }
    }

    @Param({"none", "strict", "windowed"})
    public String strategy;

    @Param
    public Arrival arrival;

    private ReorderStrategy reorder;
    private ReorderOutput engine;
    private int[] offsets;
    /** The sequence number the next batch starts with. */
    private int first;

    @Setup
    public void arrange(Blackhole blackhole) {
        reorder = factory(strategy).create(new ReorderSettings(256, TimeUnit.MILLISECONDS.toNanos(5)), 0);
        engine = new Consumer(blackhole);
        offsets = arrival.batch();
    }

    @Benchmark
    public void receiveBatch() {
        long now = System.nanoTime();
        for (int packet = 0; packet < offsets.length; packet++) {
            reorder.accept(first + offsets[packet], packet, now, engine);
        }
        if (reorder.deadline() <= now) {
            reorder.expire(now, engine);
        }
        first += BATCH;
    }

    private static ReorderStrategyFactory factory(String name) {
        return switch (name) {
            case "none" -> new ArrivalOrder();
            case "strict" -> new StrictOrder();
            case "windowed" -> new WindowedOrder();
            default -> throw new IllegalArgumentException("no reordering strategy " + name);
        };
    }

    /** The engine's side: takes every packet handle back and does nothing with it. */
    private static final class Consumer implements ReorderOutput {
        private final Blackhole blackhole;

        Consumer(Blackhole blackhole) {
            this.blackhole = blackhole;
        }

        @Override
        public void deliver(int sequence, int packet) {
            blackhole.consume(packet);
        }

        @Override
        public void lost(int firstSequence, int count) {
            blackhole.consume(count);
        }

        @Override
        public void late(int sequence, int packet) {
            blackhole.consume(packet);
        }
    }
}
