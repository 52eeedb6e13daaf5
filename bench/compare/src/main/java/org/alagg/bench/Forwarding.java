package org.alagg.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import org.alagg.e2e.Bed;

/**
 * Waits until A and B answer each other's ping on their application addresses: the moment a setup forwards.
 * Each ping waits 50 ms for its answer, so a start-up time measured with it is exact to about a tenth of a second.
 */
final class Forwarding {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final String PING_WAIT_SECONDS = "0.05";
    /** Between tries that fail at once (no route yet): leaves the processor to the forwarders that are starting. */
    private static final long PAUSE_MILLIS = 20;

    private Forwarding() {
    }

    static void await(Bed bed) throws IOException, InterruptedException {
        long end = System.nanoTime() + DEADLINE.toNanos();
        for (Bed.Side side : List.of(bed.a(), bed.b())) {
            while (!answers(side, side.peer().ipv4())) {
                if (System.nanoTime() - end > 0) {
                    throw new IOException("no ping from " + side + " to " + side.peer() + " within "
                            + DEADLINE.toSeconds() + " s");
                }
                Thread.sleep(PAUSE_MILLIS);
            }
        }
    }

    private static boolean answers(Bed.Side from, String to) {
        try {
            from.exec("ping", "-n", "-q", "-c", "1", "-W", PING_WAIT_SECONDS, to);
            return true;
        } catch (IOException e) {
            return false; // no answer (exit status 1) or no route yet (2)
        }
    }
}
