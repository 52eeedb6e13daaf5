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
        ROGUE,
        /** New, and the window re-synchronised on it: the stream jumped (what was held before it is history). */
        JUMPED
    }

    /** How many far-ahead frames in a row show that the stream jumped. */
    static final int JUMP_RUN = 8;

    private final long[] seen;
    private final int window;
    private int ahead;
    private int runStart;
    private int runEnd;
    private int runLength;
    private boolean takeBehind;
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

    int aheadLimit() {
        return ahead;
    }

    /** Sets how far beyond the highest number a single frame may be and still move the window (1 to window / 2). */
    void ahead(int limit) {
        this.ahead = Math.max(1, Math.min(limit, window / 2));
    }

    /** Whether {@link #accept} would call this number a duplicate now; changes nothing. */
    boolean seen(int sequence) {
        int distance = sequence - highest;
        return !empty && distance <= 0 && distance > -window && isMarked(sequence);
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
        boolean stale = nowNanos - lastPassNanos >= resetNanos;
        if (distance > 0 ? jumped(sequence) || stale : takeBehind && stale) {
            resets++;
            // the numbers just behind may still be on their way; everything older counts as seen, so a replay
            // of what passed before the jump never passes again
            restartAt(sequence + 1, ahead, nowNanos);
            mark(sequence);
            return Verdict.JUMPED;
        }
        return Verdict.ROGUE;
    }

    private void passed(long nowNanos) {
        lastPassNanos = nowNanos;
        runLength = 0;
    }

    /**
     * Follows the run of far-ahead frames; true when it is long enough to be the genuine stream. A number within the
     * run so far (another copy, or one a slower link brings late) neither lengthens nor breaks it.
     */
    private boolean jumped(int sequence) {
        if (runLength > 0 && sequence - runStart >= 0 && runEnd - sequence >= 0) {
            return false;
        }
        int step = sequence - runEnd;
        if (runLength > 0 && step > 0 && step <= ahead) {
            runLength++;
        } else {
            runLength = 1;
            runStart = sequence;
        }
        runEnd = sequence;
        return runLength >= JUMP_RUN;
    }

    /**
     * Starts the window where the peer said its stream goes on (an epoch confirmed): {@code next} and beyond are new,
     * so are the {@code unseenBehind} numbers just before it (frames still on their way); everything older counts as
     * seen, so no replay of it passes.
     */
    void restartAt(int next, int unseenBehind, long nowNanos) {
        java.util.Arrays.fill(seen, -1L);
        empty = false;
        highest = next - 1;
        for (int k = 1; k <= Math.min(unseenBehind, window - 1); k++) {
            int bit = next - k & window - 1;
            seen[bit >>> 6] &= ~(1L << bit);
        }
        passed(nowNanos);
    }

    /** Without a key a stale history may also re-synchronise behind (802.1CB's TakeAny); with one, never. */
    void takeBehindWhenStale(boolean take) {
        this.takeBehind = take;
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
