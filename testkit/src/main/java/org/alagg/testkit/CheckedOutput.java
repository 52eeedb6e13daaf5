package org.alagg.testkit;

import java.util.Arrays;

import org.alagg.api.ReorderOutput;

/**
 * The engine's side of a strategy under check: knows which handle was given with which sequence number and when,
 * and fails at the first call that breaks what the engine relies on. Allocates nothing until it fails.
 */
final class CheckedOutput implements ReorderOutput {
    private static final byte GIVEN = 1;
    private static final byte RETURNED = 2;

    private final boolean ordering;
    private final long holdLimitNanos;
    private Arrivals arrivals;
    private int[] sequenceOf = new int[0];
    private long[] givenAt = new long[0];
    private byte[] state = new byte[0];
    private int cursor;
    private int held;
    private int arrival;
    private long now;
    private int delivered;
    private int late;
    private long lost;
    private boolean draining;
    /** No handle before this one is still held: the oldest one held, if any, is at or after it. */
    private int oldest;

    /**
     * @param ordering whether deliveries must be in sequence order
     * @param holdLimitNanos the longest a handle may be held before a call other than {@code drain} gives it back
     */
    CheckedOutput(boolean ordering, long holdLimitNanos) {
        this.ordering = ordering;
        this.holdLimitNanos = holdLimitNanos;
    }

    /** Starts over for {@code arrivals}: nothing given, the cursor at its first sequence number. */
    void reset(Arrivals arrivals) {
        this.arrivals = arrivals;
        if (state.length < arrivals.size()) {
            sequenceOf = new int[arrivals.size()];
            givenAt = new long[arrivals.size()];
            state = new byte[arrivals.size()];
        } else {
            Arrays.fill(state, (byte) 0);
        }
        cursor = arrivals.first();
        oldest = 0;
        held = 0;
        delivered = 0;
        late = 0;
        lost = 0;
    }

    /** The strategy is about to be called at arrival {@code i} (or after the last) at {@code nanos}. */
    void at(int i, long nanos) {
        arrival = i;
        now = nanos;
    }

    /** Handle {@code i} goes to the strategy with its arrival's sequence number. */
    void give(int i, int sequence) {
        sequenceOf[i] = sequence;
        givenAt[i] = now;
        state[i] = GIVEN;
        held++;
    }

    /** Where a new strategy starts after a swap: after everything delivered or declared lost. */
    int cursor() {
        return cursor;
    }

    int held() {
        return held;
    }

    int delivered() {
        return delivered;
    }

    int late() {
        return late;
    }

    long lost() {
        return lost;
    }

    @Override
    public void deliver(int sequence, int packet) {
        back("delivered", sequence, packet);
        if (ordering && (int) (sequence - cursor) < 0) {
            fail("sequence " + Integer.toUnsignedString(sequence) + " delivered after " + Integer.toUnsignedString(cursor - 1)
                    + " was delivered or declared lost: out of order");
        }
        if (ordering || (int) (sequence - cursor) >= 0) {
            cursor = sequence + 1;
        }
        delivered++;
    }

    @Override
    public void late(int sequence, int packet) {
        back("given back late", sequence, packet);
        if ((int) (sequence - cursor) >= 0) {
            fail("sequence " + Integer.toUnsignedString(sequence) + " given back late, yet nothing at or after it was "
                    + "delivered or declared lost (next is " + Integer.toUnsignedString(cursor) + "): a packet dropped for nothing");
        }
        late++;
    }

    @Override
    public void lost(int firstSequence, int count) {
        if (count < 1) {
            fail("lost(" + Integer.toUnsignedString(firstSequence) + ", " + count + "): the count must be at least 1");
        }
        if (ordering && (int) (firstSequence - cursor) < 0) {
            fail("sequences from " + Integer.toUnsignedString(firstSequence) + " declared lost, but "
                    + Integer.toUnsignedString(cursor - 1) + " was delivered or declared lost already");
        }
        if ((int) (firstSequence + count - cursor) > 0) {
            cursor = firstSequence + count;
        }
        lost += count;
    }

    /**
     * Fails when a handle still held was given longer than the timeout ago: once every deadline up to now was served,
     * a timed strategy holds nothing older (a strategy that keeps moving its deadline on and releases nothing would
     * otherwise pass whenever its window fills first). Handles are given in time order, so the oldest one held is the
     * first still given: amortized O(1), no allocation.
     */
    void checkNoneOverdue() {
        while (oldest < arrival && state[oldest] != GIVEN) {
            oldest++;
        }
        if (oldest < state.length && state[oldest] == GIVEN && now - givenAt[oldest] > holdLimitNanos) {
            fail("sequence " + Integer.toUnsignedString(sequenceOf[oldest]) + " still held " + (now - givenAt[oldest])
                    + " ns after it came, longer than the timeout of " + holdLimitNanos + " ns, although every deadline"
                    + " up to now was served");
        }
    }

    /** Fails when a handle was never given back. */
    void checkAllBack(String when) {
        if (held > 0) {
            for (int i = 0; i < state.length; i++) {
                if (state[i] == GIVEN) {
                    fail(held + " packet(s) not given back " + when + ", the first: handle " + i + " (sequence "
                            + Integer.toUnsignedString(sequenceOf[i]) + ")");
                }
            }
        }
    }

    /** Fails with what the engine relies on that the strategy broke, where, and the pattern that shows it. */
    void fail(String what) {
        throw new AssertionError(what + " (at arrival " + arrival + " of " + arrivals.size() + ", t=" + now
                + " ns; " + arrivals + ")");
    }

    private void back(String how, int sequence, int packet) {
        if (packet < 0 || packet >= state.length || state[packet] == 0) {
            fail("handle " + packet + " " + how + " as sequence " + Integer.toUnsignedString(sequence)
                    + " was never given to the strategy");
        }
        if (state[packet] == RETURNED) {
            fail("handle " + packet + " (sequence " + Integer.toUnsignedString(sequence) + ") " + how
                    + " a second time: every handle goes back exactly once");
        }
        if (sequenceOf[packet] != sequence) {
            fail("handle " + packet + " " + how + " as sequence " + Integer.toUnsignedString(sequence)
                    + ", but it came as " + Integer.toUnsignedString(sequenceOf[packet]));
        }
        if (!draining && now - givenAt[packet] > holdLimitNanos) {
            fail("sequence " + Integer.toUnsignedString(sequence) + " held " + (now - givenAt[packet])
                    + " ns, longer than the timeout of " + holdLimitNanos + " ns");
        }
        state[packet] = RETURNED;
        held--;
    }

    /** While the strategy drains, a handle may come back however long it was held. */
    void draining(boolean draining) {
        this.draining = draining;
    }
}
