package org.alagg.api;

/**
 * Spreads packets over links in proportion to their weights, for schedulers that share traffic out rather than copy it
 * ({@code weighted}, {@code backup} within a tier, {@code hybrid}'s bulk). A link's weight is the one configured
 * ({@link LinkConditions#weight}, read as Mbit/s) or, when none is, an estimate of its capacity this class keeps from
 * what the link delivers.
 *
 * <p>The spread is smooth weighted round robin: each pick adds every candidate's weight to its credit, takes the
 * candidate with the most credit and takes the weights' sum off it. Links of weights 1 and 3 go A B B B..., never
 * A A then B B B B B B: consecutive packets are spread as evenly as the weights allow, which keeps the reordering the
 * receiver must undo small.
 *
 * <p>The estimate: every {@value #ADAPT_INTERVAL_MS} ms each link's delivered rate is measured, the bytes this class
 * gave it over the interval less the share the peer reports lost ({@link LinkConditions#lossToPeerPpm}), and its peak
 * kept (the highest lately: it loses a sixteenth an interval, so it forgets in a few seconds). A link is congested
 * when that loss exceeds {@value #CONGESTED_LOSS_PPM} ppm or its smoothed round-trip time stands
 * {@value #QUEUE_DELAY_MS} ms (or a quarter, when more) above the least it was seen at lately: a queue builds in front
 * of it. A congested link carries all it can: its estimate becomes its peak (or an eighth less, when its peak is below
 * half the estimate: it was not given enough to show what it carries). A link that is not congested while another
 * one is gets an eighth more each interval, so traffic moves to it until it is congested too and its estimate is what
 * it delivers. When no link is congested an estimate only rises to the link's peak: the sender's own pace, not the
 * links, limits the traffic. Links start equal. The peak, not the last interval's rate, is what a congested link is
 * estimated at because the congestion signals lag (the loss is over 2 s, the round-trip time smoothed): a link whose
 * share just shrank still reads congested for a while, and must not shrink on what it was given meanwhile.
 *
 * <p>State is kept per link id, so one instance serves every peer of a scheduler (each peer has its own links). Egress
 * thread only; allocation-free.
 *
 * @since 2.5
 */
public final class WeightedSpread {
    /** How often the estimates follow the links. */
    public static final int ADAPT_INTERVAL_MS = 100;
    /** The reported loss above which a link counts as congested, in parts per million (2 %). */
    public static final int CONGESTED_LOSS_PPM = 20_000;
    /** The least queueing delay (round-trip time above the link's least) that counts as congestion. */
    public static final int QUEUE_DELAY_MS = 3;

    /** Weights are kept in kbit/s: a configured weight N is N Mbit/s. */
    private static final long KBIT_PER_WEIGHT = 1000;
    /** Where estimates start (10 Mbit/s): only their ratios matter until the links show their capacity. */
    static final long START_KBITS = 10_000;
    static final long MIN_KBITS = 10;
    static final long MAX_KBITS = 1_000_000_000;
    /** What a link that is not congested gains at least, each interval, while another one is (100 kbit/s). */
    private static final long GROWTH_KBITS = 100;
    private static final long ADAPT_NANOS = ADAPT_INTERVAL_MS * 1_000_000L;
    /** A link not spread over for this long starts afresh. */
    private static final long FORGET_NANOS = 100 * ADAPT_NANOS;
    private static final long QUEUE_DELAY_NANOS = QUEUE_DELAY_MS * 1_000_000L;
    /** The least round-trip time forgets itself slowly: a path that got longer for good is not congested forever. */
    private static final int MIN_RTT_FORGET_SHIFT = 8;

    private final long[] credit = new long[LinkScheduler.MAX_LINK_ID];
    private final long[] estimate = new long[LinkScheduler.MAX_LINK_ID];
    private final long[] bytes = new long[LinkScheduler.MAX_LINK_ID];
    private final long[] peak = new long[LinkScheduler.MAX_LINK_ID];
    private final long[] minRtt = new long[LinkScheduler.MAX_LINK_ID];
    private final long[] adapted = new long[LinkScheduler.MAX_LINK_ID];
    private final boolean[] congested = new boolean[LinkScheduler.MAX_LINK_ID];

    public WeightedSpread() {
        java.util.Arrays.fill(estimate, START_KBITS);
    }

    /**
     * Picks one link of {@code candidates[0 .. count)} for a packet of {@code length} bytes: the next by weight.
     *
     * @return a link id of the candidates; -1 when {@code count} is 0
     */
    public int pick(int[] candidates, int count, int length, LinkConditions links) {
        return pick(candidates, count, length, links, System.nanoTime());
    }

    /** As {@link #pick(int[], int, int, LinkConditions)} at a given time ({@link System#nanoTime()} scale). */
    public int pick(int[] candidates, int count, int length, LinkConditions links, long nowNanos) {
        if (count <= 0) {
            return -1;
        }
        adapt(candidates, count, links, nowNanos);
        long total = 0;
        int best = -1;
        for (int i = 0; i < count; i++) {
            int id = candidates[i];
            if (!valid(id)) {
                continue;
            }
            long w = weightKbits(id, links);
            total += w;
            credit[id] += w;
            if (best < 0 || credit[id] > credit[best]) {
                best = id;
            }
        }
        if (best < 0) {
            return candidates[0];
        }
        credit[best] -= total;
        if (credit[best] < -total) { // a link that was away comes back without a debt or a hoard
            credit[best] = -total;
        }
        if (links.weight(best) <= 0) {
            bytes[best] += length;
        }
        return best;
    }

    /**
     * Copies the links of {@code links[0 .. count)} that are {@link LinkState#UP} into {@code into}, or all of them when
     * none is (a {@link LinkState#DEGRADED} link is left out while a better one is there).
     *
     * @return how many were copied
     */
    public static int healthy(int[] links, int count, LinkConditions conditions, int[] into) {
        int n = 0;
        for (int i = 0; i < count; i++) {
            if (conditions.state(links[i]) == LinkState.UP) {
                into[n++] = links[i];
            }
        }
        if (n == 0) {
            System.arraycopy(links, 0, into, 0, count);
            n = count;
        }
        return n;
    }

    /** The weight a link is spread by now, in kbit/s: the configured one (N Mbit/s), else the estimate. */
    public long weightKbits(int link, LinkConditions links) {
        int configured = links.weight(link);
        return configured > 0 ? configured * KBIT_PER_WEIGHT : valid(link) ? estimate[link] : START_KBITS;
    }

    /**
     * What this class estimates of a link's capacity, in kbit/s (for status: a scheduler's report), whether or not the
     * link has a configured weight; {@code -1} for a link it never spread packets over.
     */
    public long estimateKbits(int link) {
        return valid(link) && adapted[link] != 0 ? estimate[link] : -1;
    }

    /** Follows the delivered rates and congestion of the candidates whose weight is estimated, once an interval. */
    private void adapt(int[] candidates, int count, LinkConditions links, long now) {
        boolean due = false;
        for (int i = 0; i < count && !due; i++) {
            int id = candidates[i];
            due = valid(id) && links.weight(id) <= 0 && now - adapted[id] >= ADAPT_NANOS;
        }
        if (!due) {
            return;
        }
        boolean anyCongested = false;
        for (int i = 0; i < count; i++) {
            int id = candidates[i];
            if (valid(id) && links.weight(id) <= 0 && adapted[id] != 0 && now - adapted[id] > FORGET_NANOS) {
                forget(id); // not spread over for long: the id may be another link's now (the engine reuses ids)
            }
            if (valid(id) && links.weight(id) <= 0) {
                congested[id] = congested(id, links);
                anyCongested |= congested[id];
            }
        }
        for (int i = 0; i < count; i++) {
            int id = candidates[i];
            if (!valid(id) || links.weight(id) > 0) {
                continue;
            }
            long elapsed = adapted[id] == 0 ? ADAPT_NANOS : Math.min(now - adapted[id], 10 * ADAPT_NANOS);
            long kbits = bytes[id] * 8_000_000L / Math.max(1, elapsed); // bytes per ns * 8e6 = kbit/s
            int loss = Math.max(0, Math.min(1_000_000, links.lossToPeerPpm(id)));
            long delivered = kbits * (1_000_000 - loss) / 1_000_000;
            peak[id] = Math.max(delivered, peak[id] - (peak[id] >> 4));
            long e = estimate[id];
            if (congested[id]) {
                // a peak far below the estimate says the link was not given enough to show what it carries
                e = peak[id] >= e / 2 ? peak[id] : e - (e >> 3);
            } else if (anyCongested) {
                long base = Math.max(e, peak[id]);
                e = base + (base >> 3) + GROWTH_KBITS;
            } else {
                e = Math.max(e, peak[id]);
            }
            estimate[id] = Math.max(MIN_KBITS, Math.min(MAX_KBITS, e));
            bytes[id] = 0;
            adapted[id] = now;
        }
    }

    private void forget(int id) {
        credit[id] = 0;
        estimate[id] = START_KBITS;
        bytes[id] = 0;
        peak[id] = 0;
        minRtt[id] = 0;
        adapted[id] = 0;
    }

    private boolean congested(int id, LinkConditions links) {
        int loss = links.lossToPeerPpm(id);
        long rtt = links.rttNanos(id);
        boolean queueing = false;
        if (rtt > 0) {
            long least = minRtt[id];
            if (least == 0 || rtt < least) {
                least = rtt;
            } else {
                least += (rtt - least) >> MIN_RTT_FORGET_SHIFT;
            }
            minRtt[id] = least;
            queueing = rtt - least > Math.max(QUEUE_DELAY_NANOS, least >> 2);
        }
        return loss > CONGESTED_LOSS_PPM || queueing;
    }

    private static boolean valid(int id) {
        return id >= 0 && id < LinkScheduler.MAX_LINK_ID;
    }
}
