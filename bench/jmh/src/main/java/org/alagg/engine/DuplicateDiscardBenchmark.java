package org.alagg.engine;

import java.util.concurrent.TimeUnit;

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
 * Duplicate discard with the engine's history and reset timeout, driven as the ingress thread drives it: one
 * receive batch of {@link DataPath#BATCH} frames per invocation, one clock reading per batch. One operation
 * is one frame that arrives.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@OperationsPerInvocation(DataPath.BATCH)
public class DuplicateDiscardBenchmark {
    /** How the frames of a batch arrive. */
    public enum Arrival {
        /** Each sequence number once, in order: every verdict is NEW. */
        IN_ORDER(1),
        /** Each sequence number twice in a row, once per link (redundant sending): NEW, then DUPLICATE. */
        TWO_LINKS(2);

        private final int copies;

        Arrival(int copies) {
            this.copies = copies;
        }

        /** The sequence number of each frame of a batch, counted from the batch's first. */
        int[] batch() {
            int[] offsets = new int[DataPath.BATCH];
            for (int i = 0; i < offsets.length; i++) {
                offsets[i] = i / copies;
            }
            return offsets;
        }
    }

    @Param
    public Arrival arrival;

    private final DuplicateDiscard discard = new DuplicateDiscard(Ingress.HISTORY, Ingress.RESET_NANOS);
    private int[] offsets;
    /** How many sequence numbers one batch covers. */
    private int span;
    /** The sequence number the next batch starts with. */
    private int first;

    @Setup
    public void arrange() {
        offsets = arrival.batch();
        span = offsets[offsets.length - 1] + 1;
    }

    @Benchmark
    public void receiveBatch(Blackhole verdicts) {
        long now = System.nanoTime();
        for (int offset : offsets) {
            verdicts.consume(discard.accept(first + offset, now));
        }
        first += span;
    }
}
