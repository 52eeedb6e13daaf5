package org.alagg.reorder.windowed;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import org.alagg.api.ReorderOutput;
import org.alagg.api.ReorderSettings;
import org.alagg.api.ReorderStrategy;
import org.junit.jupiter.api.Test;

class WindowedOrderTest {
    private static final long MS = 1_000_000;
    private final List<String> events = new ArrayList<>();
    private final ReorderOutput out = new ReorderOutput() {
        @Override
        public void deliver(int sequence, int packet) {
            events.add("d" + sequence);
        }

        @Override
        public void lost(int firstSequence, int count) {
            events.add("l" + firstSequence + "+" + count);
        }

        @Override
        public void late(int sequence, int packet) {
            events.add("t" + sequence);
        }
    };

    @Test
    void aGapIsWaitedForAtMostTheTimeout() {
        ReorderStrategy s = new WindowedOrder().create(new ReorderSettings(64, 5 * MS), 0);
        s.accept(0, 0, 0, out);
        s.accept(2, 2, 1 * MS, out);
        s.accept(3, 3, 2 * MS, out);
        assertEquals(6 * MS, s.deadline(), "5 ms after the first packet behind the gap");
        s.expire(5 * MS, out);
        assertEquals(List.of("d0"), events, "not yet");
        s.expire(6 * MS, out);
        assertEquals(List.of("d0", "l1+1", "d2", "d3"), events);
        assertEquals(Long.MAX_VALUE, s.deadline());
        s.accept(1, 1, 7 * MS, out);
        assertEquals("t1", events.get(events.size() - 1), "too late: order is kept");
    }

    @Test
    void aFullWindowSkipsTheGapBeforeTheTimeout() {
        ReorderStrategy s = new WindowedOrder().create(new ReorderSettings(4, 1000 * MS), 0);
        for (int seq : new int[] {0, 2, 3, 4, 5}) {
            s.accept(seq, seq, 0, out);
        }
        assertEquals(List.of("d0", "l1+1", "d2", "d3", "d4", "d5"), events);
    }

    @Test
    void drainHandsOverWhatIsHeldInOrder() {
        ReorderStrategy s = new WindowedOrder().create(new ReorderSettings(64, 1000 * MS), 0);
        for (int seq : new int[] {0, 3, 2}) {
            s.accept(seq, seq, 0, out);
        }
        s.drain(out);
        assertEquals(List.of("d0", "l1+1", "d2", "d3"), events);
    }
}
