package org.alagg.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.alagg.api.ReorderSettings;
import org.alagg.api.ReorderStrategyFactory;
import org.junit.jupiter.api.Test;

/** The checks pass a sound strategy and catch each deliberately broken one, naming what it broke. */
class StrategyCheckTest {
    private static final ReorderSettings SETTINGS = new ReorderSettings(64, 1_000_000);
    /** Loss, duplicates and reordering across the wrap at 2^32, with swaps. */
    private static final Arrivals ROUGH = Arrivals.random(7, -3_000, 6_000, 10_000, 0.05, 0.05, 200_000).withSwapEvery(1_000);

    @Test
    void aSoundOrderingStrategyPassesEveryCheck() {
        StrategyRun run = StrategyCheck.of(BrokenStrategies.IN_ORDER, SETTINGS).ordering().run(ROUGH);
        assertEquals(run.arrivals() - run.duplicates(), run.delivered() + run.late(), "every handle back");
        assertTrue(run.duplicates() > 0 && run.lost() > 0 && run.swaps() == ROUGH.size() / 1_000, run.toString());
        assertTrue(run.allocatedBytes() <= 1024, "ReorderBuffer allocates nothing per packet: " + run.allocatedBytes());
    }

    @Test
    void aStrategyThatDeliversTwiceIsCaught() {
        assertCaught(BrokenStrategies.DELIVERS_TWICE, false, false, "a second time: every handle goes back exactly once");
    }

    @Test
    void aStrategyThatReordersIsCaughtWhenItPromisesOrder() {
        assertCaught(BrokenStrategies.ARRIVAL_ORDER, true, false, "out of order");
        StrategyCheck.of(BrokenStrategies.ARRIVAL_ORDER, SETTINGS).run(ROUGH); // it does not promise: no fault
    }

    @Test
    void aStrategyThatAllocatesPerPacketIsCaught() {
        assertCaught(BrokenStrategies.ALLOCATES, true, false, "the ingress thread must not allocate per packet");
    }

    @Test
    void aStrategyThatKeepsPacketsIsCaught() {
        assertCaught(BrokenStrategies.KEEPS_SOME, false, false, "65 packets held, more than the window of 64 allows");
    }

    @Test
    void aStrategyThatHoldsPastItsTimeoutIsCaughtWhenItPromisesTheTimeout() {
        assertCaught(BrokenStrategies.IGNORES_TIMEOUT, true, true, "not given back once every deadline had passed");
        AssertionError e = assertThrows(AssertionError.class, () -> StrategyCheck.of(BrokenStrategies.IGNORES_TIMEOUT,
                new ReorderSettings(64, 1_500)).ordering().timed().run(Arrivals.script(0, 0, 2, 3, 4, 1)));
        // caught at the arrival after its timeout passed, before the window would have given it back late
        assertTrue(e.getMessage().startsWith("sequence 2 still held 2000 ns after it came, longer than the timeout of"
                + " 1500 ns"), e.getMessage());
    }

    @Test
    void aStrategyThatKeepsPuttingOffItsTimeoutIsCaught() {
        // sequence 1 never comes; the window never fills; the strategy's timer only puts itself off: without a look at
        // what is still held, the final drain would give everything back and the check would pass
        int[] sequences = new int[30];
        for (int i = 0; i < sequences.length; i++) {
            sequences[i] = i == 0 ? 0 : i + 1;
        }
        AssertionError e = assertThrows(AssertionError.class, () -> StrategyCheck.of(
                BrokenStrategies.PUTS_OFF_ITS_TIMEOUT, new ReorderSettings(64, 10_000)).ordering().timed()
                .run(Arrivals.script(0, sequences)));
        assertTrue(e.getMessage().startsWith("sequence 2 still held 11000 ns after it came, longer than the timeout of"
                + " 10000 ns"), e.getMessage());
    }

    @Test
    void aDeadlineThatDoesNotMoveOnIsCaught() {
        assertCaught(BrokenStrategies.SPINS, false, false, "makes the ingress thread spin");
    }

    @Test
    void aFailureNamesThePatternToReplay() {
        AssertionError e = assertThrows(AssertionError.class,
                () -> StrategyCheck.of(BrokenStrategies.ARRIVAL_ORDER, SETTINGS).ordering().run(Arrivals.script(0, 0, 2, 1)));
        assertEquals("sequence 1 delivered after 2 was delivered or declared lost: out of order "
                + "(at arrival 2 of 3, t=3000 ns; script from 0 [0, 2, 1])", e.getMessage());
    }

    private static void assertCaught(ReorderStrategyFactory strategy, boolean ordering, boolean timed, String expected) {
        StrategyCheck check = StrategyCheck.of(strategy, SETTINGS);
        if (ordering) {
            check.ordering();
        }
        if (timed) {
            check.timed();
        }
        AssertionError e = assertThrows(AssertionError.class, () -> check.run(ROUGH));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().contains("random seed 7"), "names the pattern: " + e.getMessage());
    }
}
