package org.alagg.engine;

/**
 * Which sequence numbers of one peer epoch have been seen: the first copy of a frame passes, later copies
 * (the same frame over the other links) are discarded.
 *
 * <p>A sliding bitmap over the last {@code window} sequence numbers below the highest one seen, as Linux
 * PRP and IEEE 802.1CB vector recovery keep it. A number inside the window is new (first copy, possibly
 * late) or a duplicate; a number ahead of the highest moves the window. A number outside the window
 * (more than {@code window} behind, or that far ahead) is rogue and discarded, unless no frame has passed
 * for {@code resetNanos}: then the history is stale (a long outage on every link, or a peer whose epoch we
 * missed) and the window re-synchronises on that frame, as 802.1CB's TakeAny does after its reset timeout.
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

    private final long[] seen;
    private final int window;
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
        this.seen = new long[window / 64];
        this.resetNanos = resetNanos;
    }

    /** Judges a sequence number and records it when it passes. */
    Verdict accept(int sequence, long nowNanos) {
        if (empty) {
            restart(sequence, nowNanos);
            return Verdict.NEW;
        }
        int ahead = sequence - highest; // serial arithmetic: wraps at 2^32
        if (ahead > 0 && ahead < window) {
            advance(ahead);
            mark(sequence);
            highest = sequence;
            lastPassNanos = nowNanos;
            return Verdict.NEW;
        }
        if (ahead <= 0 && ahead > -window) {
            if (isMarked(sequence)) {
                return Verdict.DUPLICATE;
            }
            mark(sequence);
            lastPassNanos = nowNanos;
            return Verdict.LATE;
        }
        if (nowNanos - lastPassNanos >= resetNanos) {
            resets++;
            restart(sequence, nowNanos);
            return Verdict.NEW;
        }
        return Verdict.ROGUE;
    }

    /** Forgets everything, e.g. when the peer starts a new epoch. */
    void clear() {
        empty = true;
    }

    /** How often the window re-synchronised on a rogue frame after the reset timeout. */
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
        lastPassNanos = nowNanos;
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
