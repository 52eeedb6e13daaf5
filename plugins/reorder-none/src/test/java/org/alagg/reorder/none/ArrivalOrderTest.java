package org.alagg.reorder.none;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.alagg.api.ReorderSettings;
import org.alagg.api.ReorderStrategy;
import org.alagg.testkit.Arrivals;
import org.alagg.testkit.RecordingOutput;
import org.alagg.testkit.StrategyCheck;
import org.alagg.testkit.StrategyRun;
import org.junit.jupiter.api.Test;

class ArrivalOrderTest {
    @Test
    void packetsLeaveInArrivalOrderAtOnce() {
        RecordingOutput out = new RecordingOutput();
        ReorderStrategy s = new ArrivalOrder().create(new ReorderSettings(1, 0), 0);
        for (int seq : new int[] {3, 1, 2, 7}) {
            s.accept(seq, seq, 0, out);
        }
        assertEquals(List.of("d3", "d1", "d2", "d7"), out.events(), "no loss declared, nothing late");
        assertEquals(Long.MAX_VALUE, s.deadline());
    }

    @Test
    void holdsNothingAndGivesEveryPacketBackOnceWithoutAllocating() {
        StrategyRun run = StrategyCheck.of(new ArrivalOrder(), new ReorderSettings(1, 0)).timed()
                .run(Arrivals.random(1, -5_000, 10_000, 10_000, 0.05, 0.05, 300_000).withSwapEvery(3_000));
        assertEquals(run.arrivals() - run.duplicates(), run.delivered());
    }
}
