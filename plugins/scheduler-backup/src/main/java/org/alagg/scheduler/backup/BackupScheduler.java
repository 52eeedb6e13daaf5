package org.alagg.scheduler.backup;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.alagg.api.Alagg;
import org.alagg.api.LinkConditions;
import org.alagg.api.LinkScheduler;
import org.alagg.api.LinkState;
import org.alagg.api.PluginReport;
import org.alagg.api.WeightedSpread;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Link scheduler {@code backup}: links in tiers ({@code tier=N} on the link line; 0, the default, first). Only the
 * best tier that has an {@link LinkState#UP} link carries packets, on its UP links, all of them (the default) or one
 * by weight ({@code plugin.backup.within = weighted}); the other links carry only the engine's probes. When the last
 * UP link of that tier goes DOWN or DEGRADED (the probes' detection time: three probe intervals of silence), the next
 * tier takes over with the next packet. A better tier takes the traffic back once one of its links has been UP for
 * {@code plugin.backup.hold.ms} (default {@value #DEFAULT_HOLD_MS} ms), so a flapping primary does not pull the
 * traffic back and forth. At start, when no link has been up that long, the best tier with an UP link is used.
 *
 * <p>No state per peer: the tier in use follows from the links' states and how long they have held them, which the
 * engine keeps ({@link LinkConditions#stateSinceNanos}).
 */
@Component(property = Alagg.SCHEDULER + "=backup", configurationPid = "org.alagg.plugin.backup")
@Designate(ocd = BackupScheduler.Settings.class)
public final class BackupScheduler implements LinkScheduler, PluginReport {
    static final long DEFAULT_HOLD_MS = 3000;

    /** The scheduler's settings: {@code plugin.backup.<id> = <value>} in the configuration file. */
    @ObjectClassDefinition(id = "org.alagg.plugin.backup", name = "backup scheduler")
    public @interface Settings {
        @AttributeDefinition(name = "hold.ms", description = "how long a link of a better tier must have been UP before"
                + " it takes the traffic back, in milliseconds", min = "0", max = "3600000")
        long hold_ms() default DEFAULT_HOLD_MS;

        @AttributeDefinition(name = "within", description = "how the tier in use carries packets: redundant (every"
                + " UP link of the tier) or weighted (one link, by weight)", options = {
                @org.osgi.service.metatype.annotations.Option(label = "redundant", value = "redundant"),
                @org.osgi.service.metatype.annotations.Option(label = "weighted", value = "weighted")})
        String within() default "redundant";
    }

    private final WeightedSpread spread = new WeightedSpread();
    private final int[] inTier = new int[MAX_LINK_ID];
    private volatile long holdNanos = TimeUnit.MILLISECONDS.toNanos(DEFAULT_HOLD_MS);
    private volatile boolean weighted;
    private volatile long packets;
    private volatile long backupPackets;

    @Activate
    @Modified
    void configure(Settings settings) {
        configure(settings.hold_ms(), settings.within());
    }

    /**
     * @throws IllegalArgumentException for a hold time outside 0..3600000 ms or a mode that is neither redundant nor
     *         weighted: the component does not activate, and the engine sends redundantly and says so in alagg:status
     */
    void configure(long holdMs, String within) {
        if (holdMs < 0 || holdMs > 3_600_000) {
            throw new IllegalArgumentException("plugin.backup.hold.ms " + holdMs + " is out of range 0..3600000");
        }
        if (!within.equals("redundant") && !within.equals("weighted")) {
            throw new IllegalArgumentException("plugin.backup.within '" + within + "' is neither 'redundant' nor 'weighted'");
        }
        holdNanos = TimeUnit.MILLISECONDS.toNanos(holdMs);
        weighted = within.equals("weighted");
    }

    @Override
    public int choose(int sequence, int length, int[] up, int upCount, LinkConditions links, int[] chosen) {
        if (upCount == 0) {
            return 0;
        }
        int best = tierInUse(up, upCount, links, System.nanoTime());
        boolean upOnly = anyUp(up, upCount, links, best);
        int n = 0;
        for (int i = 0; i < upCount; i++) {
            int id = up[i];
            if (links.tier(id) == best && (!upOnly || links.state(id) == LinkState.UP)) {
                inTier[n++] = id;
            }
        }
        packets++;
        if (best > 0) {
            backupPackets++;
        }
        if (!weighted) {
            System.arraycopy(inTier, 0, chosen, 0, n);
            return n;
        }
        chosen[0] = spread.pick(inTier, n, length, links);
        return 1;
    }

    /**
     * The best tier with a link UP for the hold time; when none has one (at start, or every UP link came back just now),
     * the best tier with an UP link; when no link is UP, the best tier offered.
     */
    private int tierInUse(int[] up, int upCount, LinkConditions links, long now) {
        int held = Integer.MAX_VALUE;
        int anyUp = Integer.MAX_VALUE;
        int offered = Integer.MAX_VALUE;
        long hold = holdNanos;
        for (int i = 0; i < upCount; i++) {
            int id = up[i];
            int t = links.tier(id);
            offered = Math.min(offered, t);
            if (links.state(id) == LinkState.UP) {
                anyUp = Math.min(anyUp, t);
                if (now - links.stateSinceNanos(id) >= hold) {
                    held = Math.min(held, t);
                }
            }
        }
        return held != Integer.MAX_VALUE ? held : anyUp != Integer.MAX_VALUE ? anyUp : offered;
    }

    private static boolean anyUp(int[] up, int upCount, LinkConditions links, int tier) {
        for (int i = 0; i < upCount; i++) {
            if (links.tier(up[i]) == tier && links.state(up[i]) == LinkState.UP) {
                return true;
            }
        }
        return false;
    }

    /** Without the links' health (never called by an engine of API 2.2 or later): every link. */
    @Override
    public int choose(int sequence, int length, int[] up, int upCount, int[] chosen) {
        System.arraycopy(up, 0, chosen, 0, upCount);
        return upCount;
    }

    @Override
    public Map<String, Long> counters() {
        return Map.of("packets", packets, "backup_packets", backupPackets);
    }

    @Override
    public List<String> status() {
        return List.of("hands traffic back to a better tier after " + TimeUnit.NANOSECONDS.toMillis(holdNanos)
                + " ms UP; the tier in use carries packets " + (weighted ? "by weight" : "on all its UP links"));
    }
}
