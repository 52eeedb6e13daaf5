package org.alagg.api;

import java.util.Arrays;

/**
 * The in-sequence buffer that ordering strategies build on: packets wait in sequence slots until the gap
 * before them fills, and are released in order. A strategy decides when a gap is given up
 * ({@link #skipGap}); the buffer gives one up by itself only when a packet would not fit.
 *
 * <p>Fixed capacity, allocated once; single-threaded like the strategy that owns it.
 */
public final class ReorderBuffer {
    private static final int EMPTY = -1;

    private final int[] packets;
    private final long[] arrivals;
    private final int mask;
    private int next;
    private int held;
    private long waitingSince = Long.MAX_VALUE;

    /**
     * @param capacity how many sequence numbers ahead of the first missing one can be held; rounded up to a power of two
     * @param nextSequence the number released first: what the engine passes to {@link ReorderStrategyFactory#create}
     * @since 2.0
     */
    public ReorderBuffer(int capacity, int nextSequence) {
        next = nextSequence;
        int size = slotsFor(capacity);
        packets = new int[size];
        arrivals = new long[size];
        mask = size - 1;
        Arrays.fill(packets, EMPTY);
    }

    /**
     * How many sequence slots a buffer of {@code capacity} has: the power of two at or above it (at least 2). It
     * holds at most one packet fewer; the engine sizes its packet pool by it.
     *
     * @since 2.0
     */
    public static int slotsFor(int capacity) {
        return Integer.highestOneBit(Math.max(1, capacity - 1)) << 1;
    }

    /**
     * Takes a packet: releases it at once when it is the next in sequence (with every held packet that
     * follows it), holds it when a gap comes before it, gives it back as late when its place was given up.
     */
    public void accept(int sequence, int packet, long nowNanos, ReorderOutput out) {
        int ahead = sequence - next;
        if (ahead < 0) {
            out.late(sequence, packet);
            return;
        }
        while (ahead > mask) { // does not fit: the oldest gaps are given up to make room
            if (held == 0) { // nothing waits: give up just enough missing numbers for it to fit
                out.lost(next, ahead - mask);
                next += ahead - mask;
                break;
            }
            skipGap(out);
            ahead = sequence - next;
        }
        int slot = sequence & mask;
        if (packets[slot] != EMPTY) { // the engine discards duplicates; a second copy here is late
            out.late(sequence, packet);
            return;
        }
        packets[slot] = packet;
        arrivals[slot] = nowNanos;
        held++;
        waitingSince = Math.min(waitingSince, nowNanos);
        releaseInOrder(out);
    }

    /** How many packets wait behind a gap. */
    public int held() {
        return held;
    }

    /**
     * When the packet that has waited longest behind the current gap arrived, or {@link Long#MAX_VALUE}
     * when nothing waits.
     */
    public long waitingSince() {
        return waitingSince;
    }

    /** Gives up the gap at the head: the missing numbers are lost, the packets after it are released. */
    public void skipGap(ReorderOutput out) {
        if (held == 0) {
            return;
        }
        int missing = 0;
        while (packets[next + missing & mask] == EMPTY) {
            missing++;
        }
        out.lost(next, missing);
        next += missing;
        releaseInOrder(out);
    }

    /**
     * Gives up every missing number before {@code sequence} (see {@link ReorderStrategy#lostBefore}): the packets held
     * up to there are released, with those that follow them without a gap; with nothing held, the numbers up to there
     * are declared lost, so that a packet after them is not held for them.
     *
     * @since 2.5
     */
    public void skipBefore(int sequence, ReorderOutput out) {
        if (held == 0 && sequence - next > 0) {
            out.lost(next, sequence - next);
            next = sequence;
            return;
        }
        while (held > 0 && sequence - next > 0) {
            int missing = 0;
            while (missing < sequence - next && packets[next + missing & mask] == EMPTY) {
                missing++;
            }
            out.lost(next, missing);
            next += missing;
            releaseInOrder(out);
        }
    }

    /** Releases everything held, in sequence order, declaring the gaps between lost. */
    public void drain(ReorderOutput out) {
        while (held > 0) {
            skipGap(out);
        }
    }

    private void releaseInOrder(ReorderOutput out) {
        boolean released = false;
        while (packets[next & mask] != EMPTY) {
            int slot = next & mask;
            int packet = packets[slot];
            packets[slot] = EMPTY;
            held--;
            out.deliver(next, packet);
            next++;
            released = true;
        }
        if (released) {
            waitingSince = oldestArrival();
        }
    }

    /** Scanned only when the head moves, not per packet. */
    private long oldestArrival() {
        long oldest = Long.MAX_VALUE;
        for (int i = 0, seen = 0; seen < held; i++) {
            int slot = next + i & mask;
            if (packets[slot] != EMPTY) {
                oldest = Math.min(oldest, arrivals[slot]);
                seen++;
            }
        }
        return oldest;
    }
}
