package org.alagg.reorder.none;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import org.alagg.api.ReorderOutput;
import org.alagg.api.ReorderSettings;
import org.alagg.api.ReorderStrategy;
import org.junit.jupiter.api.Test;

class ArrivalOrderTest {
    @Test
    void packetsLeaveInArrivalOrderAtOnce() {
        List<Integer> delivered = new ArrayList<>();
        ReorderOutput out = new ReorderOutput() {
            @Override
            public void deliver(int sequence, int packet) {
                delivered.add(sequence);
            }

            @Override
            public void lost(int firstSequence, int count) {
                throw new AssertionError("none never declares loss");
            }

            @Override
            public void late(int sequence, int packet) {
                throw new AssertionError("none has no late packets");
            }
        };
        ReorderStrategy s = new ArrivalOrder().create(new ReorderSettings(1, 0), 0);
        for (int seq : new int[] {3, 1, 2, 7}) {
            s.accept(seq, seq, 0, out);
        }
        assertEquals(List.of(3, 1, 2, 7), delivered);
        assertEquals(Long.MAX_VALUE, s.deadline());
    }
}
