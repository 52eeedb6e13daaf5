package org.alagg.engine;

/**
 * Which sequence numbers of one peer epoch have been seen: the first copy of a frame passes, later copies
 * (the same frame over the other links) are discarded.
 *
 * <p>A sliding bitmap over the last {@code window} sequence numbers below the highest one seen, as Linux
 * PRP and IEEE 802.1CB vector recovery keep it. A number inside the window is new (first copy, possibly
 * late) or a duplicate; a number up to {@code ahead} beyond the highest moves the window. Anything else is rogue
 * and discarded, so no single frame moves the window far (docs/protocol.md section 6):
 * <ul>
 * <li>a number more than {@code window} behind is never taken: within one epoch it can only be a replay;
 * <li>a number more than {@code ahead} beyond is taken only when the stream really jumped: {@value #JUMP_RUN}
 * such frames in a row, each within {@code ahead} after the one before, or no frame passed for {@code resetNanos}
 * (802.1CB's TakeAny after its reset timeout); the window then re-synchronises on it.
 * </ul>
 *
 * <p>Single-threaded (the ingress thread), no allocation.
 */
final class DuplicateDiscard {
    /** What became of a sequence number. */
    enum Verdict {
        /** New and at or ahead of every number seen so far. */
        NEW,
        /** New, but behind a number already seen: it arrived out of order. */
        LATE,
        /** Seen before: another copy. */
        DUPLICATE,
        /** Too far from the window to judge. */
        ROGUE
    }

    /** How many far-ahead frames in a row show that the stream jumped. */
    static final int JUMP_RUN = 8;

    private final long[] seen;
    private final int window;
    private int ahead;
    private int runEnd;
    private int runLength;
    private final long resetNanos;
    private int highest;
    private boolean empty = true;
    private long lastPassNanos;
    private long resets;

    /**
     * @param window how many sequence numbers the history covers; a power of two, at least 64
     * @param resetNanos how long without a passing frame makes the history stale
     */
    DuplicateDiscard(int window, long resetNanos) {
        if (window < 64 || Integer.bitCount(window) != 1) {
            throw new IllegalArgumentException("duplicate discard window must be a power of two >= 64, not " + window);
        }
        this.window = window;
        this.ahead = window / 2;
        this.seen = new long[window / 64];
        this.resetNanos = resetNanos;
    }

    /** Sets how far beyond the highest number a single frame may be and still move the window (1 to window / 2). */
    void ahead(int limit) {
        this.ahead = Math.max(1, Math.min(limit, window / 2));
    }

    /** Judges a sequence number and records it when it passes. */
    Verdict accept(int sequence, long nowNanos) {
        if (empty) {
            restart(sequence, nowNanos);
            return Verdict.NEW;
        }
        int distance = sequence - highest; // serial arithmetic: wraps at 2^32
        if (distance > 0 && distance <= ahead) {
            advance(distance);
            mark(sequence);
            highest = sequence;
            passed(nowNanos);
            return Verdict.NEW;
        }
        if (distance <= 0 && distance > -window) {
            if (isMarked(sequence)) {
                return Verdict.DUPLICATE;
            }
            mark(sequence);
            passed(nowNanos);
            return Verdict.LATE;
        }
        if (distance > 0 && (jumped(sequence) || nowNanos - lastPassNanos >= resetNanos)) {
            resets++;
            restart(sequence, nowNanos);
            return Verdict.NEW;
        }
        return Verdict.ROGUE;
    }

    private void passed(long nowNanos) {
        lastPassNanos = nowNanos;
        runLength = 0;
    }

    /** Follows the run of far-ahead frames; true when it is long enough to be the genuine stream. */
    private boolean jumped(int sequence) {
        int step = sequence - runEnd;
        if (runLength > 0 && step == 0) {
            return false; // another copy of the last one
        }
        runLength = runLength > 0 && step > 0 && step <= ahead ? runLength + 1 : 1;
        runEnd = sequence;
        return runLength >= JUMP_RUN;
    }

    /** Forgets everything, e.g. when the peer starts a new epoch. */
    void clear() {
        empty = true;
    }

    /** How often the window re-synchronised on a far-ahead frame (a jump, or after the reset timeout). */
    long resets() {
        return resets;
    }

    /** The highest sequence number seen; meaningful once a frame passed. */
    int highest() {
        return highest;
    }

    private void restart(int sequence, long nowNanos) {
        java.util.Arrays.fill(seen, 0L);
        empty = false;
        highest = sequence;
        passed(nowNanos);
        mark(sequence);
    }

    /** Moves the window {@code ahead} numbers forward: the slots it uncovers are for new numbers. */
    private void advance(int ahead) {
        if (ahead >= window) {
            java.util.Arrays.fill(seen, 0L);
            return;
        }
        for (int s = highest + 1, n = 0; n < ahead; n++, s++) {
            int bit = s & (window - 1);
            if ((bit & 63) == 0 && ahead - n >= 64) {
                seen[bit >>> 6] = 0L; // a whole word at once
                n += 63;
                s += 63;
            } else {
                seen[bit >>> 6] &= ~(1L << bit);
            }
        }
    }

    private void mark(int sequence) {
        int bit = sequence & (window - 1);
        seen[bit >>> 6] |= 1L << bit;
    }

    private boolean isMarked(int sequence) {
        int bit = sequence & (window - 1);
        return (seen[bit >>> 6] & 1L << bit) != 0;
    }
}
