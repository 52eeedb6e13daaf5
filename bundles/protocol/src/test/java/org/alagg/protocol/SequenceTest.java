package org.alagg.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SequenceTest {

    @Test
    void nextWrapsAt2To32() {
        assertEquals(0, Sequence.next(0xFFFFFFFF));
        assertEquals(0x80000000, Sequence.next(0x7FFFFFFF));
        assertEquals(1, Sequence.next(0));
    }

    @ParameterizedTest(name = "distance({0} -> {1}) = {2}")
    @CsvSource({
            "0x00000000, 0x00000000, 0",
            "0xFFFFFFFF, 0x00000000, 1",
            "0x00000000, 0xFFFFFFFF, -1",
            "0xFFFFFFF0, 0x00000010, 32",
            "0x00000010, 0xFFFFFFF0, -32",
            "0x00000000, 0x7FFFFFFF, 2147483647",
            "0x7FFFFFFF, 0x00000000, -2147483647",
            "0x00000000, 0x80000001, -2147483647",
    })
    void distanceIsSignedAndCrossesTheWrap(String from, String to, int expected) {
        int f = Integer.parseUnsignedInt(from.substring(2), 16);
        int t = Integer.parseUnsignedInt(to.substring(2), 16);
        assertEquals(expected, Sequence.distance(f, t));
        assertEquals(expected > 0, Sequence.isAfter(t, f));
        assertEquals(expected < 0, Sequence.isAfter(f, t));
    }

    @Test
    void comparisonsHoldAcrossTheWrap() {
        assertTrue(Sequence.isAfter(0, 0xFFFFFFFF), "0 follows 0xFFFFFFFF");
        assertFalse(Sequence.isAfter(0xFFFFFFFF, 0));
        assertTrue(Sequence.isAfter(5, 0xFFFFFFFB));
        assertFalse(Sequence.isAfter(7, 7), "a number is not after itself");
        int s = 0xFFFFFFF0;
        for (int i = 0; i < 64; i++) {
            int n = Sequence.next(s);
            assertTrue(Sequence.isAfter(n, s));
            assertEquals(1, Sequence.distance(s, n));
            s = n;
        }
        assertEquals(0x30, s);
    }

    @Test
    void numbersExactlyHalfTheSpaceApartAreUnordered() {
        // RFC 1982 leaves this case undefined; here neither is after the other
        int[][] pairs = {{0, 0x80000000}, {0x80000000, 0}, {0xFFFFFFFF, 0x7FFFFFFF}, {12345, 12345 + 0x80000000}};
        for (int[] p : pairs) {
            assertFalse(Sequence.isAfter(p[0], p[1]));
            assertFalse(Sequence.isAfter(p[1], p[0]));
            assertEquals(Integer.MIN_VALUE, Sequence.distance(p[0], p[1]));
        }
    }
}
