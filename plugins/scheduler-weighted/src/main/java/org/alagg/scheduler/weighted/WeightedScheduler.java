package org.alagg.scheduler.weighted;

import java.util.List;
import java.util.Map;

import org.alagg.api.Alagg;
import org.alagg.api.LinkConditions;
import org.alagg.api.LinkScheduler;
import org.alagg.api.PluginReport;
import org.alagg.api.WeightedSpread;
import org.osgi.service.component.annotations.Component;

/**
 * Link scheduler {@code weighted}: bandwidth aggregation. Each packet goes on one link, the links taking turns in
 * proportion to their weights ({@link WeightedSpread}: configured with {@code weight=N} on the link line, or estimated
 * from the congestion each link shows). Only {@link org.alagg.api.LinkState#UP} links carry packets while there is
 * one: a DEGRADED or DOWN link is left at once. The receiver puts the packets back in order; a packet lost on one link
 * is given up as soon as the other links have passed it.
 */
@Component(property = Alagg.SCHEDULER + "=weighted")
public final class WeightedScheduler implements LinkScheduler, PluginReport {
    private final WeightedSpread spread = new WeightedSpread();
    private final int[] healthy = new int[MAX_LINK_ID];
    private volatile long packets;

    @Override
    public int choose(int sequence, int length, int[] up, int upCount, LinkConditions links, int[] chosen) {
        if (upCount == 0) {
            return 0;
        }
        int n = WeightedSpread.healthy(up, upCount, links, healthy);
        chosen[0] = spread.pick(healthy, n, length, links);
        packets++;
        return 1;
    }

    /** Without the links' health (never called by an engine of API 2.2 or later): round robin. */
    @Override
    public int choose(int sequence, int length, int[] up, int upCount, int[] chosen) {
        if (upCount == 0) {
            return 0;
        }
        chosen[0] = up[Integer.remainderUnsigned(sequence, upCount)];
        return 1;
    }

    @Override
    public Map<String, Long> counters() {
        return Map.of("packets", packets);
    }

    /** The estimates of the links it spreads over, by link id (alagg:links shows each link's id). */
    @Override
    public List<String> status() {
        StringBuilder s = new StringBuilder();
        for (int id = 0; id < MAX_LINK_ID; id++) {
            long kbits = spread.estimateKbits(id);
            if (kbits >= 0) {
                s.append(s.length() == 0 ? "estimated capacity by link id: " : ", ").append(id).append(": ")
                        .append(String.format(java.util.Locale.ROOT, "%.1f Mbit/s", kbits / 1000.0));
            }
        }
        return s.length() == 0 ? List.of() : List.of(s.toString());
    }
}
