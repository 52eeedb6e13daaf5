package org.alagg.reorder.strict;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.alagg.api.ReorderSettings;
import org.alagg.api.ReorderStrategy;
import org.alagg.testkit.Arrivals;
import org.alagg.testkit.RecordingOutput;
import org.alagg.testkit.StrategyCheck;
import org.junit.jupiter.api.Test;

class StrictOrderTest {
    private final RecordingOutput out = new RecordingOutput();

    @Test
    void aGapWaitsWithoutTimerUntilTheBufferOverflows() {
        ReorderStrategy s = new StrictOrder().create(new ReorderSettings(4, 1), 0);
        s.accept(0, 0, 0, out);
        s.accept(2, 2, 0, out);
        s.expire(Long.MAX_VALUE / 2, out);
        assertEquals(Long.MAX_VALUE, s.deadline(), "strict has no timer");
        assertEquals(List.of("d0"), out.events(), "time alone gives nothing up");
        s.accept(4, 4, 0, out);
        s.accept(5, 5, 0, out);
        assertEquals(List.of("d0", "l1+1", "d2"), out.events(), "5 overflows the 4 numbers from 1: the gap at 1 goes");
        s.accept(7, 7, 0, out);
        assertEquals(List.of("d0", "l1+1", "d2", "l3+1", "d4", "d5"), out.events(), "7 overflows 3..6: the gap at 3 goes");
    }

    @Test
    void aGapEveryLinkPassedIsGivenUpWithoutWaitingForTheWindow() {
        ReorderStrategy s = new StrictOrder().create(new ReorderSettings(64, 0), 0);
        for (int seq : new int[] {0, 2, 3}) {
            s.accept(seq, seq, 0, out);
        }
        s.lostBefore(3, 0, out);
        assertEquals(List.of("d0", "l1+1", "d2", "d3"), out.events());
    }

    @Test
    void keepsOrderAndGivesEveryPacketBackOnceWithoutAllocatingUnderLossDuplicatesReorderingWrapAndSwaps() {
        StrategyCheck.of(new StrictOrder(), new ReorderSettings(64, 0)).ordering()
                .run(Arrivals.random(2, -5_000, 10_000, 10_000, 0.05, 0.05, 300_000).withSwapEvery(3_000));
    }
}
