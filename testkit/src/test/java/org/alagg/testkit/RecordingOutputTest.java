package org.alagg.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

class RecordingOutputTest {
    @Test
    void recordsEveryCallInOrderAndGrowsAsNeeded() {
        RecordingOutput out = new RecordingOutput();
        out.deliver(-1, 10);
        out.lost(0, 2);
        out.late(-2, 11);
        for (int i = 0; i < 100; i++) {
            out.deliver(2 + i, 20 + i);
        }
        assertEquals(List.of("d4294967295", "l0+2", "t4294967294", "d2"), out.events().subList(0, 4));
        assertEquals(101, out.delivered().size());
        assertEquals(List.of(10, 11, 20), out.handles().subList(0, 3));
        out.clear();
        assertEquals(List.of(), out.events());
    }
}
