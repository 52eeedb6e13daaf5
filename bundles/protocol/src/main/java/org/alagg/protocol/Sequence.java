package org.alagg.protocol;

/**
 * 32-bit serial-number arithmetic (RFC 1982 style) for the global and per-link sequence
 * numbers, which wrap from {@code 0xFFFFFFFF} to {@code 0}.
 *
 * <p>Sequence numbers are held in {@code int}s and compared only through their difference
 * modulo 2<sup>32</sup>, read as a signed value: {@code b} is after {@code a} when it lies
 * less than 2<sup>31</sup> steps ahead of {@code a}. That is only meaningful while the two
 * numbers being compared are less than 2<sup>31</sup> apart; receivers keep their windows
 * (duplicate discard, reordering) far smaller than that, so the wrap never confuses them.
 *
 * <p>The ambiguity: two numbers exactly 2<sup>31</sup> apart are neither before nor after
 * each other ({@link #isAfter} is false both ways, as RFC 1982 leaves the case undefined),
 * and {@link #distance} between them is {@link Integer#MIN_VALUE}.
 */
public final class Sequence {

    private Sequence() {
    }

    /**
     * @return how many steps forward {@code to} is from {@code from}: positive if {@code to}
     *         is after {@code from}, negative if before, 0 if equal, within
     *         [-2<sup>31</sup>, 2<sup>31</sup>-1]; {@code next(s)} is at distance 1 from
     *         {@code s}, also across the wrap
     */
    public static int distance(int from, int to) {
        // int subtraction is already modulo 2^32 and two's complement is the signed reading
        return to - from;
    }

    /** @return true if {@code a} comes after {@code b} (less than 2<sup>31</sup> steps ahead) */
    public static boolean isAfter(int a, int b) {
        return distance(b, a) > 0;
    }

    /** @return the number following {@code s}; {@code 0xFFFFFFFF} is followed by 0 */
    public static int next(int s) {
        return s + 1;
    }
}
