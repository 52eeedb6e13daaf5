package org.alagg.engine;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;

import org.alagg.protocol.ProbeBody;

/**
 * The peer's epoch as this side follows it (docs/protocol.md section 5): the current one, confirmed; the one before;
 * and the challenges still outstanding (the last {@value #OUTSTANDING}, so that a reply slower than the interval
 * between two challenges, on a long link, still counts). An epoch becomes current only when the peer answers a fresh random challenge
 * from within it, so no forged or replayed frame can make this side abandon the peer's live epoch, and nothing is
 * kept per unknown epoch whatever arrives. Ingress thread only.
 */
final class PeerEpoch {
    /** What a frame's epoch means. */
    enum Verdict {
        CURRENT,
        /** The epoch before the peer's restart: a straggler. */
        STALE,
        /** With a key, the current one plus 1: the peer's next epoch at the end of its sequence (adopted at once). */
        NEXT,
        /** Unknown, or none confirmed yet: maybe forged or replayed; a challenge asks the peer. */
        UNCONFIRMED
    }

    /** The least time between two challenges: a flood of unknown epochs costs at most ten probes a second. */
    static final long CHALLENGE_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /** How many challenges stay valid: {@value} times the interval covers a round trip of well over a second. */
    static final int OUTSTANDING = 16;

    private final SecureRandom random = new SecureRandom();
    private final byte[][] challenges = new byte[OUTSTANDING][ProbeBody.CHALLENGE_LENGTH];
    /** How many of {@link #challenges} are valid, and which one is the latest. */
    private int valid;
    private int latest;
    private boolean known;
    private int current;
    private boolean previousKnown;
    private int previous;
    private boolean challenged;
    private long challengeSentNanos;

    /**
     * @param authenticated whether the frame's tag was verified: only then is the current epoch plus 1 the peer's
     *                      next one (a replay of an earlier run in exactly that epoch has a chance of 2^-32)
     */
    Verdict judge(int epoch, boolean authenticated) {
        if (known && epoch == current) {
            return Verdict.CURRENT;
        }
        if (known && authenticated && epoch == current + 1) {
            return Verdict.NEXT;
        }
        if (previousKnown && epoch == previous) {
            return Verdict.STALE;
        }
        return Verdict.UNCONFIRMED;
    }

    /**
     * Whether to send a challenge now (none went out in the last {@link #CHALLENGE_INTERVAL_NANOS}); if so, a new
     * one is drawn and {@link #challenge()} holds it. It replaces the oldest of the outstanding ones.
     */
    boolean challengeDue(long nowNanos) {
        if (challenged && nowNanos - challengeSentNanos < CHALLENGE_INTERVAL_NANOS) {
            return false; // also after an answer: a flood answered at once by the peer still costs one per interval
        }
        challenged = true;
        latest = (latest + 1) % OUTSTANDING;
        random.nextBytes(challenges[latest]);
        valid = Math.min(valid + 1, OUTSTANDING);
        challengeSentNanos = nowNanos;
        return true;
    }

    /** The latest challenge's 16 bytes (read them, do not keep the array). */
    byte[] challenge() {
        return challenges[latest];
    }

    /** How long a challenge stays valid: a round trip well over a second is still answered in time. */
    static final long CHALLENGE_VALIDITY_NANOS = TimeUnit.SECONDS.toNanos(2);

    /** Whether a PROBE_REPLY's body at {@code offset} answers one of the outstanding challenges (none older than 2 s). */
    boolean answers(ByteBuffer frame, int offset, int innerLength, long nowNanos) {
        if (nowNanos - challengeSentNanos > CHALLENGE_VALIDITY_NANOS) {
            valid = 0; // nothing sent for a while: an old answer may be a replay
        }
        for (int i = 0; i < valid; i++) {
            if (ProbeBody.hasChallenge(frame, offset, innerLength, challenges[(latest - i + OUTSTANDING) % OUTSTANDING])) {
                return true;
            }
        }
        return false;
    }

    /**
     * Makes a confirmed epoch current; every outstanding challenge is spent.
     *
     * @return whether it is another epoch than the current one (the peer restarted, or this is the first)
     */
    boolean confirm(int epoch) {
        valid = 0;
        if (known && epoch == current) {
            return false;
        }
        if (known) {
            previous = current;
            previousKnown = true;
        }
        current = epoch;
        known = true;
        return true;
    }

    /** Whether an epoch is current (one was confirmed). */
    boolean known() {
        return known;
    }
}
