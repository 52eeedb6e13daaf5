package org.alagg.bench;

import java.io.IOException;

import org.alagg.testing.TestNetwork;

/** The unit of the times in /proc/stat and /proc/PID/stat, asked once. */
final class ClockTicks {
    static final long PER_SECOND = ask();

    private ClockTicks() {
    }

    private static long ask() {
        try {
            return Long.parseLong(TestNetwork.run("getconf", "CLK_TCK").strip());
        } catch (IOException e) {
            throw new IllegalStateException("getconf CLK_TCK: " + e.getMessage(), e);
        }
    }
}
