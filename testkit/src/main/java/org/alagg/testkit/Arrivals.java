package org.alagg.testkit;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * What reaches a strategy, in arrival order: sequence numbers, the time each arrives, and after which arrivals the
 * strategy is swapped (drained and replaced by a new one made where it stopped, as the engine does on a swap or new
 * settings). Duplicates may be in it: the check discards them before the strategy sees them, as the engine does.
 *
 * <p>Immutable; made by {@link #script} or {@link #random}, and changed by the {@code with...} methods.
 */
public final class Arrivals {
    private final String description;
    private final int first;
    private final int[] sequences;
    private final long[] nanos;
    private final boolean[] swapAfter;

    private Arrivals(String description, int first, int[] sequences, long[] nanos, boolean[] swapAfter) {
        this.description = description;
        this.first = first;
        this.sequences = sequences;
        this.nanos = nanos;
        this.swapAfter = swapAfter;
    }

    /**
     * Sequence numbers arriving in the order given, one microsecond apart; the first strategy is made with
     * {@code first} as its next sequence number.
     */
    public static Arrivals script(int first, int... sequences) {
        long[] nanos = new long[sequences.length];
        for (int i = 0; i < nanos.length; i++) {
            nanos[i] = (i + 1) * 1_000L;
        }
        return new Arrivals("script from " + Integer.toUnsignedString(first) + " " + Arrays.toString(sequences), first,
                sequences.clone(), nanos, new boolean[sequences.length]);
    }

    /**
     * A random pattern, the same for the same arguments: {@code packets} sequence numbers from {@code first} on,
     * sent {@code gapNanos} apart; each is lost with probability {@code loss}, arrives twice with probability
     * {@code duplicates}, and arrives up to {@code maxDelayNanos} late (uniformly), which reorders it.
     *
     * @throws IllegalArgumentException for a negative count, gap or delay, or a probability outside 0..1
     */
    public static Arrivals random(long seed, int first, int packets, long gapNanos, double loss, double duplicates,
            long maxDelayNanos) {
        if (packets < 0 || gapNanos < 0 || maxDelayNanos < 0) {
            throw new IllegalArgumentException("packets, gap and delay must not be negative");
        }
        checkProbability("loss", loss);
        checkProbability("duplicates", duplicates);
        SplittableRandom random = new SplittableRandom(seed);
        int[] sequences = new int[2 * packets];
        long[] nanos = new long[2 * packets];
        int count = 0;
        for (int i = 0; i < packets; i++) {
            if (random.nextDouble() < loss) {
                continue;
            }
            int copies = random.nextDouble() < duplicates ? 2 : 1;
            for (int c = 0; c < copies; c++) {
                sequences[count] = first + i;
                nanos[count] = 1_000 + i * gapNanos + (maxDelayNanos == 0 ? 0 : random.nextLong(maxDelayNanos + 1));
                count++;
            }
        }
        sortByTime(sequences, nanos, count);
        return new Arrivals(String.format("random seed %d from %s, %d packets %d ns apart, loss %.3f, duplicates %.3f, "
                + "delay up to %d ns", seed, Integer.toUnsignedString(first), packets, gapNanos, loss, duplicates,
                maxDelayNanos), first, Arrays.copyOf(sequences, count), Arrays.copyOf(nanos, count), new boolean[count]);
    }

    /** The same arrivals with a swap after every {@code every}-th arrival. */
    public Arrivals withSwapEvery(int every) {
        if (every < 1) {
            throw new IllegalArgumentException("a swap every " + every + " arrivals: give at least 1");
        }
        boolean[] swaps = new boolean[sequences.length];
        for (int i = every - 1; i < swaps.length; i += every) {
            swaps[i] = true;
        }
        return new Arrivals(description + ", a swap every " + every, first, sequences, nanos, swaps);
    }

    /** How many arrivals there are, duplicates included. */
    public int size() {
        return sequences.length;
    }

    /** The sequence number the first strategy starts at. */
    public int first() {
        return first;
    }

    /** The sequence number of arrival {@code i}. */
    public int sequence(int i) {
        return sequences[i];
    }

    /** The time of arrival {@code i} ({@link System#nanoTime()} scale, from 0), never before the one before it. */
    public long nanos(int i) {
        return nanos[i];
    }

    /** Whether the strategy is swapped after arrival {@code i}. */
    public boolean swapAfter(int i) {
        return swapAfter[i];
    }

    /** Says what the pattern is and how to make it again. */
    @Override
    public String toString() {
        return description;
    }

    private static void checkProbability(String what, double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException(what + " probability " + p + " is outside 0..1");
        }
    }

    /** Insertion sort by time, stable: arrivals are nearly in order already. */
    private static void sortByTime(int[] sequences, long[] nanos, int count) {
        for (int i = 1; i < count; i++) {
            int s = sequences[i];
            long t = nanos[i];
            int j = i - 1;
            while (j >= 0 && nanos[j] > t) {
                sequences[j + 1] = sequences[j];
                nanos[j + 1] = nanos[j];
                j--;
            }
            sequences[j + 1] = s;
            nanos[j + 1] = t;
        }
    }
}
