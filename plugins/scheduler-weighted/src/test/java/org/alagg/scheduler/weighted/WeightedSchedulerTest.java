package org.alagg.scheduler.weighted;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.alagg.api.LinkState;
import org.alagg.api.WeightedSpread;
import org.alagg.testkit.SchedulerCheck;
import org.alagg.testkit.TestLinks;
import org.junit.jupiter.api.Test;

class WeightedSchedulerTest {
    private static final long MS = 1_000_000;
    private final WeightedScheduler scheduler = new WeightedScheduler();
    private final TestLinks links = new TestLinks();
    private final int[] chosen = new int[4];

    @Test
    void meetsTheEnginesContractWithoutAllocating() {
        assertEquals(0, SchedulerCheck.of(scheduler).run(7, 20_000).unsent(), "a packet with links up always goes");
    }

    @Test
    void spreadsByConfiguredWeightsSmoothly() {
        links.set(0, LinkState.UP, MS, 0, 0).configure(0, 1, 0);
        links.set(1, LinkState.UP, MS, 0, 0).configure(1, 3, 0);
        int[] count = new int[2];
        int run = 0;
        int longestRunOnLight = 0;
        for (int p = 0; p < 4000; p++) {
            assertEquals(1, scheduler.choose(p, 1000, new int[] {0, 1}, 2, links, chosen));
            count[chosen[0]]++;
            run = chosen[0] == 0 ? run + 1 : 0;
            longestRunOnLight = Math.max(longestRunOnLight, run);
        }
        assertEquals(1000, count[0]);
        assertEquals(3000, count[1]);
        assertEquals(1, longestRunOnLight, "never two packets in a row on the light link");
    }

    @Test
    void leavesADegradedLinkAtOnceWhileAnotherIsUp() {
        links.set(0, LinkState.UP, MS, 0, 0);
        links.set(1, LinkState.DEGRADED, MS, 300_000, 0);
        for (int p = 0; p < 100; p++) {
            scheduler.choose(p, 1000, new int[] {0, 1}, 2, links, chosen);
            assertEquals(0, chosen[0]);
        }
        links.set(0, LinkState.DOWN, -1, -1, -1);
        scheduler.choose(0, 1000, new int[] {1}, 1, links, chosen);
        assertEquals(1, chosen[0], "a degraded link still carries when it is the only one");
    }

    @Test
    void estimatesFindUnequalCapacitiesFromWhatTheLinksDeliver() {
        double share = shareOfLink1(20, 80);
        assertTrue(share > 0.7 && share < 0.9, "link 1 carries about 80 % once the estimates settle: " + share);
    }

    @Test
    void estimatesKeepEqualLinksEqual() {
        double share = shareOfLink1(50, 50);
        assertTrue(share > 0.4 && share < 0.6, "equal links share equally: " + share);
    }

    @Test
    void aLinkReadCongestedWhileIdleDoesNotCollapse() {
        WeightedSpread spread = new WeightedSpread();
        int[] both = {0, 1};
        links.set(0, LinkState.UP, MS, 0, 0);
        links.set(1, LinkState.UP, MS, 0, 0);
        long now = 0;
        spread.pick(both, 2, 1250, links, now);
        links.set(0, LinkState.UP, MS, 50_000, 0); // loss reported from earlier, while nothing is sent now
        for (int i = 0; i < 10; i++, now += 100 * MS) {
            spread.pick(both, 2, 1250, links, now);
        }
        assertTrue(spread.weightKbits(0, links) > 2_000, "a second of stale loss leaves an estimate: "
                + spread.weightKbits(0, links) + " kbit/s");
    }

    /**
     * Two links of these capacities (Mbit/s) under a sender that offers more than both carry (120 Mbit/s of 1250-byte
     * packets), each like a token bucket: what it is given beyond its capacity in an interval is lost and fills its
     * queue. The signals lag as the engine's do: the round-trip time shows a queue for a second after it (smoothed), the
     * loss is the average of the last 2 s. Returns link 1's share of the packets over the last 2 s of 10.
     */
    private double shareOfLink1(int mbit0, int mbit1) {
        WeightedSpread spread = new WeightedSpread();
        int[] both = {0, 1};
        int[] capacity = {mbit0, mbit1};
        int[] given = new int[2];
        int[] queuedUntil = new int[2];
        int[][] lossHistory = new int[2][20];
        long now = 0;
        int perInterval = 1200; // 120 Mbit/s of 1250 B in 100 ms
        for (int interval = 0; interval < 100; interval++, now += 100 * MS) {
            int[] sent = new int[2];
            for (int p = 0; p < perInterval; p++) {
                sent[spread.pick(both, 2, 1250, links, now + p)]++;
            }
            for (int l = 0; l < 2; l++) {
                double mbit = sent[l] * 1250 * 8 / 0.1 / 1e6;
                if (mbit > capacity[l]) {
                    queuedUntil[l] = interval + 10;
                }
                lossHistory[l][interval % 20] = mbit > capacity[l] ? (int) ((mbit - capacity[l]) / mbit * 1_000_000) : 0;
                int loss = (int) java.util.Arrays.stream(lossHistory[l]).average().orElse(0);
                links.set(l, LinkState.UP, interval < queuedUntil[l] ? 11 * MS : MS, loss, 0);
                if (interval >= 80) {
                    given[l] += sent[l];
                }
            }
        }
        return given[1] / (double) (given[0] + given[1]);
    }

    @Test
    void configuredWeightsAreMbitAndMixWithEstimates() {
        WeightedSpread spread = new WeightedSpread();
        links.set(0, LinkState.UP, MS, 0, 0).configure(0, 30, 0);
        links.set(1, LinkState.UP, MS, 0, 0);
        assertEquals(30_000, spread.weightKbits(0, links));
        assertEquals(10_000, spread.weightKbits(1, links), "an estimate starts at 10 Mbit/s");
    }
}
