package org.alagg.reorder.windowed;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.alagg.api.ReorderSettings;
import org.alagg.api.ReorderStrategy;
import org.alagg.testkit.Arrivals;
import org.alagg.testkit.RecordingOutput;
import org.alagg.testkit.StrategyCheck;
import org.junit.jupiter.api.Test;

class WindowedOrderTest {
    private static final long MS = 1_000_000;
    private final RecordingOutput out = new RecordingOutput();

    @Test
    void aGapIsWaitedForAtMostTheTimeout() {
        ReorderStrategy s = new WindowedOrder().create(new ReorderSettings(64, 5 * MS), 0);
        s.accept(0, 0, 0, out);
        s.accept(2, 2, 1 * MS, out);
        s.accept(3, 3, 2 * MS, out);
        assertEquals(6 * MS, s.deadline(), "5 ms after the first packet behind the gap");
        s.expire(5 * MS, out);
        assertEquals(List.of("d0"), out.events(), "not yet");
        s.expire(6 * MS, out);
        assertEquals(List.of("d0", "l1+1", "d2", "d3"), out.events());
        assertEquals(Long.MAX_VALUE, s.deadline());
        s.accept(1, 1, 7 * MS, out);
        assertEquals("t1", out.events().get(out.events().size() - 1), "too late: order is kept");
    }

    @Test
    void aFullWindowSkipsTheGapBeforeTheTimeout() {
        ReorderStrategy s = new WindowedOrder().create(new ReorderSettings(4, 1000 * MS), 0);
        for (int seq : new int[] {0, 2, 3, 4, 5}) {
            s.accept(seq, seq, 0, out);
        }
        assertEquals(List.of("d0", "l1+1", "d2", "d3", "d4", "d5"), out.events());
    }

    @Test
    void aGapEveryLinkPassedIsGivenUpAtOnceAndOnlyUpToThere() {
        ReorderStrategy s = new WindowedOrder().create(new ReorderSettings(64, 1000 * MS), 0);
        for (int seq : new int[] {0, 2, 3, 5, 7}) {
            s.accept(seq, seq, 0, out);
        }
        s.lostBefore(5, 0, out);
        assertEquals(List.of("d0", "l1+1", "d2", "d3", "l4+1", "d5"), out.events(), "6 may still come");
        s.lostBefore(5, 0, out);
        assertEquals(6, out.events().size(), "nothing more");
        s.accept(6, 6, 0, out);
        assertEquals(List.of("d0", "l1+1", "d2", "d3", "l4+1", "d5", "d6", "d7"), out.events());
    }

    @Test
    void followsATimeoutTheEngineSizesAnew() {
        ReorderStrategy s = new WindowedOrder().create(new ReorderSettings(64, 5 * MS), 0);
        assertEquals(true, s.adjust(new ReorderSettings(64, 40 * MS)));
        s.accept(1, 1, 0, out);
        assertEquals(40 * MS, s.deadline());
        s.expire(39 * MS, out);
        assertEquals(List.of(), out.events(), "the new timeout, not the one it was made with");
        s.expire(40 * MS, out);
        assertEquals(List.of("l0+1", "d1"), out.events());
    }

    @Test
    void drainHandsOverWhatIsHeldInOrder() {
        ReorderStrategy s = new WindowedOrder().create(new ReorderSettings(64, 1000 * MS), 0);
        for (int seq : new int[] {0, 3, 2}) {
            s.accept(seq, seq, 0, out);
        }
        s.drain(out);
        assertEquals(List.of("d0", "l1+1", "d2", "d3"), out.events());
    }

    @Test
    void keepsOrderAndItsTimeoutAndGivesEveryPacketBackOnceWithoutAllocating() {
        StrategyCheck.of(new WindowedOrder(), new ReorderSettings(256, 200_000)).ordering().timed()
                .run(Arrivals.random(3, -5_000, 10_000, 10_000, 0.05, 0.05, 300_000).withSwapEvery(3_000));
    }
}
