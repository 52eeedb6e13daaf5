package org.alagg.engine;

import static org.alagg.engine.DuplicateDiscard.Verdict.DUPLICATE;
import static org.alagg.engine.DuplicateDiscard.Verdict.LATE;
import static org.alagg.engine.DuplicateDiscard.Verdict.NEW;
import static org.alagg.engine.DuplicateDiscard.Verdict.JUMPED;
import static org.alagg.engine.DuplicateDiscard.Verdict.ROGUE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.BitSet;
import java.util.Random;

import org.junit.jupiter.api.Test;

class DuplicateDiscardTest {
    private static final long MS = 1_000_000;

    @Test
    void theSecondCopyFromTheOtherLinkIsDiscarded() {
        DuplicateDiscard d = new DuplicateDiscard(64, 100 * MS);
        for (int s = 0; s < 1000; s++) {
            assertEquals(NEW, d.accept(s, 0), "first copy of " + s);
            assertEquals(DUPLICATE, d.accept(s, 0), "second copy of " + s);
        }
    }

    @Test
    void aLateFirstCopyPassesOnceAndIsCountedLate() {
        DuplicateDiscard d = new DuplicateDiscard(64, 100 * MS);
        assertEquals(NEW, d.accept(10, 0));
        assertEquals(NEW, d.accept(12, 0));
        assertEquals(LATE, d.accept(11, 0));
        assertEquals(DUPLICATE, d.accept(11, 0));
        assertEquals(DUPLICATE, d.accept(12, 0));
    }

    @Test
    void theWindowSlidesAcrossTheWrapAt2To32() {
        DuplicateDiscard d = new DuplicateDiscard(128, 100 * MS);
        for (int s = -300; s != 300; s++) { // -300 is 0xFFFFFED4: crosses 0xFFFFFFFF -> 0
            assertEquals(NEW, d.accept(s, 0));
            if (s - -300 >= 5) {
                assertEquals(DUPLICATE, d.accept(s - 5, 0));
            }
        }
        assertEquals(299, d.highest());
    }

    @Test
    void aSingleFrameFarAheadIsRogueAndMovesNothing() {
        DuplicateDiscard d = new DuplicateDiscard(65536, 500 * MS);
        d.ahead(256);
        for (int s = 0; s < 100; s++) {
            assertEquals(NEW, d.accept(s, s * MS / 10));
        }
        assertEquals(ROGUE, d.accept(99 + 60_000, 10 * MS), "a forged +60 000 frame");
        assertEquals(ROGUE, d.accept(99 + 257, 10 * MS), "just beyond the ahead limit");
        assertEquals(NEW, d.accept(100, 11 * MS), "the genuine stream goes on undisturbed");
        assertEquals(100, d.highest());
        assertEquals(NEW, d.accept(100 + 256, 12 * MS), "the ahead limit itself moves the window");
        assertEquals(0, d.resets());
    }

    @Test
    void aStreamThatReallyJumpedIsTakenAfterARunOfFrames() {
        DuplicateDiscard d = new DuplicateDiscard(65536, 500 * MS);
        d.ahead(256);
        assertEquals(NEW, d.accept(0, 0));
        int jump = 10_000;
        for (int k = 0; k < DuplicateDiscard.JUMP_RUN - 1; k++) {
            assertEquals(ROGUE, d.accept(jump + 2 * k, MS), "frame " + k + " of the run");
            assertEquals(ROGUE, d.accept(jump + 2 * k, MS), "a second copy does not lengthen the run");
        }
        assertEquals(JUMPED, d.accept(jump + 2 * (DuplicateDiscard.JUMP_RUN - 1), MS), "the run re-synchronises");
        assertEquals(1, d.resets());
        assertEquals(LATE, d.accept(jump + 1, MS), "what the run left behind is new");
    }

    @Test
    void aRunIsBrokenByTheGenuineStream() {
        DuplicateDiscard d = new DuplicateDiscard(65536, 500 * MS);
        d.ahead(64);
        assertEquals(NEW, d.accept(0, 0));
        for (int k = 0; k < 20; k++) {
            if (k % 4 == 3) {
                assertEquals(NEW, d.accept(k, MS), "a genuine frame passes and breaks the forger's run");
            } else {
                assertEquals(ROGUE, d.accept(50_000 + k, MS));
            }
        }
        assertEquals(0, d.resets());
    }

    @Test
    void framesFarBehindAreNeverTakenAndFarAheadOnlyOnceTheHistoryIsStale() {
        DuplicateDiscard d = new DuplicateDiscard(64, 100 * MS);
        assertEquals(NEW, d.accept(1000, 0));
        assertEquals(ROGUE, d.accept(1000 - 64, 1 * MS), "too far behind");
        assertEquals(ROGUE, d.accept(1000 + 33, 1 * MS), "beyond half the window ahead");
        assertEquals(NEW, d.accept(1000 + 32, 2 * MS), "the far edge of the ahead limit");
        assertEquals(ROGUE, d.accept(5_000_000, 101 * MS), "100 ms after the last pass: not yet stale");
        assertEquals(ROGUE, d.accept(1000 - 500, 500 * MS), "behind: a replay, even when the history is stale");
        assertEquals(JUMPED, d.accept(5_000_000, 502 * MS + 1), "ahead and stale: re-synchronise on it");
        assertEquals(1, d.resets());
        assertEquals(DUPLICATE, d.accept(5_000_000, 503 * MS));
    }

    @Test
    void aJumpAheadForgetsWhatItLeavesBehind() {
        DuplicateDiscard d = new DuplicateDiscard(256, 100 * MS);
        for (int s = 0; s < 256; s++) {
            d.accept(s, 0);
        }
        assertEquals(NEW, d.accept(255 + 128, 0), "up to half the window ahead moves it");
        for (int s = 256; s < 383; s++) {
            assertEquals(LATE, d.accept(s, 0), "never seen: " + s);
        }
    }

    @Test
    void clearStartsANewEpoch() {
        DuplicateDiscard d = new DuplicateDiscard(64, 100 * MS);
        d.accept(7, 0);
        d.clear();
        assertEquals(NEW, d.accept(1_000_000, 0), "the first frame of an epoch passes, wherever it starts");
        assertEquals(LATE, d.accept(1_000_000 - 3, 0));
    }

    /** Random duplication and reordering: each number passes exactly once, whatever the order of copies. */
    @Test
    void everyNumberPassesExactlyOnceUnderRandomReordering() {
        Random random = new Random(42);
        DuplicateDiscard d = new DuplicateDiscard(1024, Long.MAX_VALUE);
        int base = Integer.MAX_VALUE - 5000; // crosses into negative ints: serial arithmetic
        int count = 20_000;
        int[] arrivals = new int[count * 2];
        for (int i = 0; i < count; i++) {
            arrivals[2 * i] = base + i;
            arrivals[2 * i + 1] = base + i;
        }
        for (int i = 0; i < arrivals.length; i++) { // shuffle locally: displacement below the window
            int j = Math.min(arrivals.length - 1, i + random.nextInt(200));
            int t = arrivals[i];
            arrivals[i] = arrivals[j];
            arrivals[j] = t;
        }
        BitSet passed = new BitSet(count);
        for (int s : arrivals) {
            DuplicateDiscard.Verdict v = d.accept(s, 0);
            int index = s - base;
            if (v == NEW || v == LATE) {
                assertEquals(false, passed.get(index), "passed twice: " + index);
                passed.set(index);
            } else {
                assertEquals(DUPLICATE, v);
                assertEquals(true, passed.get(index), "discarded before its first copy passed: " + index);
            }
        }
        assertEquals(count, passed.cardinality());
    }

    @Test
    void theWindowMustBeAPowerOfTwo() {
        assertThrows(IllegalArgumentException.class, () -> new DuplicateDiscard(100, 0));
        assertThrows(IllegalArgumentException.class, () -> new DuplicateDiscard(32, 0));
    }

    @Test
    void aRunSurvivesTheCopiesASlowerLinkBringsLate() {
        DuplicateDiscard d = new DuplicateDiscard(65536, 500 * MS);
        d.ahead(64);
        assertEquals(NEW, d.accept(0, 0));
        int jump = 10_000;
        DuplicateDiscard.Verdict last = null;
        for (int k = 0; k < DuplicateDiscard.JUMP_RUN; k++) {
            if (k >= 3) {
                assertEquals(ROGUE, d.accept(jump + k - 3, MS), "the slow link's copy, 3 behind");
            }
            last = d.accept(jump + k, MS); // the fast link
        }
        assertEquals(JUMPED, last, "8 in a row on the fast link re-synchronise, whatever the slow link brings");
    }

    @Test
    void anEpochConfirmedByTheReplyStartsWhereThePeerSaidAndNoOlderReplayPasses() {
        DuplicateDiscard d = new DuplicateDiscard(65536, 500 * MS);
        d.restartAt(5_000_000, 256, 0);
        assertEquals(ROGUE, d.accept(1_000, MS), "a replay from long before");
        assertEquals(DUPLICATE, d.accept(5_000_000 - 10_000, MS), "a replay from before, within the history");
        assertEquals(DUPLICATE, d.accept(5_000_000 - 257, MS), "just beyond what may still be on its way");
        assertEquals(LATE, d.accept(5_000_000 - 256, MS), "sent just before the reply, still on its way");
        assertEquals(NEW, d.accept(5_000_000, MS));
        assertEquals(NEW, d.accept(5_000_001, MS));
    }

    @Test
    void withoutAKeyAStaleHistoryAlsoTakesAFrameBehind() {
        DuplicateDiscard d = new DuplicateDiscard(64, 100 * MS);
        d.takeBehindWhenStale(true);
        assertEquals(NEW, d.accept(1_000_000, 0));
        assertEquals(ROGUE, d.accept(1_000, 50 * MS), "not stale yet");
        assertEquals(JUMPED, d.accept(1_000, 101 * MS), "stale: the stream went back (a peer we cannot tell restarted)");
    }

    @Test
    void whatPassedBeforeAJumpNeverPassesAgain() {
        DuplicateDiscard d = new DuplicateDiscard(65536, 500 * MS);
        d.ahead(64);
        assertEquals(NEW, d.accept(0, 0));
        assertEquals(NEW, d.accept(1, 0));
        assertEquals(JUMPED, d.accept(81, 501 * MS), "nothing passed for 500 ms: re-synchronised ahead");
        assertEquals(DUPLICATE, d.accept(1, 502 * MS), "a replay of a number that passed before the jump");
        assertEquals(LATE, d.accept(80, 502 * MS), "just behind the jump: still on its way");
        assertEquals(LATE, d.accept(81 - 63, 502 * MS), "the last of the 64 numbers behind it that stay open");
        assertEquals(DUPLICATE, d.accept(81 - 64, 502 * MS));
    }
}
