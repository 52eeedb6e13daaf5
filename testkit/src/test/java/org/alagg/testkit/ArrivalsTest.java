package org.alagg.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

class ArrivalsTest {
    @Test
    void aRandomPatternIsTheSameForTheSameSeedAndHasWhatItWasAskedFor() {
        Arrivals a = Arrivals.random(3, -50, 1_000, 10_000, 0.1, 0.1, 100_000);
        Arrivals b = Arrivals.random(3, -50, 1_000, 10_000, 0.1, 0.1, 100_000);
        Set<Integer> distinct = new HashSet<>();
        int reordered = 0;
        boolean wrapped = false;
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.sequence(i), b.sequence(i));
            assertEquals(a.nanos(i), b.nanos(i));
            distinct.add(a.sequence(i));
            if (i > 0) {
                assertTrue(a.nanos(i) >= a.nanos(i - 1), "in time order");
                reordered += (int) (a.sequence(i) - a.sequence(i - 1)) < 0 ? 1 : 0;
                wrapped |= a.sequence(i - 1) == -1 && a.sequence(i) == 0;
            }
        }
        assertTrue(distinct.size() < 960 && distinct.size() > 840, "about 10 % lost: " + distinct.size());
        assertTrue(a.size() - distinct.size() > 50, "duplicates: " + (a.size() - distinct.size()));
        assertTrue(reordered > 50, "reordered: " + reordered);
        assertTrue(distinct.contains(-1) && distinct.contains(0) || !wrapped, "crosses the wrap at 2^32");
    }

    @Test
    void swapsFallWhereAsked() {
        Arrivals a = Arrivals.script(0, 0, 1, 2, 3, 4).withSwapEvery(2);
        assertEquals("false true false true false", String.join(" ", Boolean.toString(a.swapAfter(0)),
                Boolean.toString(a.swapAfter(1)), Boolean.toString(a.swapAfter(2)), Boolean.toString(a.swapAfter(3)),
                Boolean.toString(a.swapAfter(4))));
    }

    @Test
    void badArgumentsAreRefusedWithTheReason() {
        assertEquals("loss probability 1.5 is outside 0..1", assertThrows(IllegalArgumentException.class,
                () -> Arrivals.random(1, 0, 10, 1, 1.5, 0, 0)).getMessage());
        assertEquals("a swap every 0 arrivals: give at least 1", assertThrows(IllegalArgumentException.class,
                () -> Arrivals.script(0, 1).withSwapEvery(0)).getMessage());
    }
}
