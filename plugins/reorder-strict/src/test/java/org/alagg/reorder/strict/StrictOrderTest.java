package org.alagg.reorder.strict;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import org.alagg.api.ReorderOutput;
import org.alagg.api.ReorderSettings;
import org.alagg.api.ReorderStrategy;
import org.junit.jupiter.api.Test;

class StrictOrderTest {
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
    void aGapWaitsWithoutTimerUntilTheBufferOverflows() {
        ReorderStrategy s = new StrictOrder().create(new ReorderSettings(4, 1), 0);
        s.accept(0, 0, 0, out);
        s.accept(2, 2, 0, out);
        s.expire(Long.MAX_VALUE / 2, out);
        assertEquals(Long.MAX_VALUE, s.deadline(), "strict has no timer");
        assertEquals(List.of("d0"), events, "time alone gives nothing up");
        s.accept(4, 4, 0, out);
        s.accept(5, 5, 0, out);
        assertEquals(List.of("d0", "l1+1", "d2"), events, "5 overflows the 4 numbers from 1: the gap at 1 goes");
        s.accept(7, 7, 0, out);
        assertEquals(List.of("d0", "l1+1", "d2", "l3+1", "d4", "d5"), events, "7 overflows 3..6: the gap at 3 goes");
    }
}
