#if( $kind == "strategy" )
package ${package};

import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.alagg.api.Alagg;
import org.alagg.api.PluginReport;
import org.alagg.api.ReorderOutput;
import org.alagg.api.ReorderSettings;
import org.alagg.api.ReorderStrategy;
import org.alagg.api.ReorderStrategyFactory;
import org.osgi.service.component.annotations.Component;

/**
 * Reordering strategy {@code ${pluginName}}: delivers every packet as soon as it arrives (the engine has discarded
 * duplicates already), and counts the packets that arrived after one sent later than them.
 *
 * <p>Selected by {@code reorder = ${pluginName}} in the configuration file or {@code alagg:strategy ${pluginName}}. Its
 * counters show in {@code alagg:stats} (it is a {@link PluginReport} too: Declarative Services registers the component
 * under both interfaces, with the same {@code alagg.strategy} property).
 */
@Component(property = Alagg.STRATEGY + "=${pluginName}")
public final class ${className} implements ReorderStrategyFactory, PluginReport {
    // Written by the engine's ingress thread only (every peer's strategy runs on it), read by commands: volatile.
    private volatile long delivered;
    private volatile long outOfOrder;

    @Override
    public ReorderStrategy create(ReorderSettings settings, int nextSequence) {
        return new PeerOrder(nextSequence);
    }

    @Override
    public Map<String, Long> counters() {
        return Map.of("delivered", delivered, "out_of_order", outOfOrder);
    }

    @Override
    public List<String> status() {
        long all = delivered;
        return all == 0 ? List.of() : List.of(String.format(Locale.ROOT, "%.1f %% of %d packets arrived out of order",
                100.0 * outOfOrder / all, all));
    }

    /** One peer's packets: no state but the highest sequence number seen, so nothing to allocate, hold or drain. */
    private final class PeerOrder implements ReorderStrategy {
        private int highest;

        PeerOrder(int nextSequence) {
            highest = nextSequence - 1;
        }

        @Override
        public void accept(int sequence, int packet, long nowNanos, ReorderOutput out) {
            if ((int) (sequence - highest) > 0) { // serial-number arithmetic: sequence numbers wrap at 2^32
                highest = sequence;
            } else {
                outOfOrder++;
            }
            delivered++;
            out.deliver(sequence, packet);
        }

        @Override
        public long deadline() {
            return Long.MAX_VALUE; // no timer wanted
        }

        @Override
        public void expire(long nowNanos, ReorderOutput out) {
        }

        @Override
        public void drain(ReorderOutput out) {
            // nothing held
        }
    }
}
#elseif( $kind == "scheduler" )
package ${package};

import java.util.List;
import java.util.Map;

import org.alagg.api.Alagg;
import org.alagg.api.LinkScheduler;
import org.alagg.api.PluginReport;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Link scheduler {@code ${pluginName}}: each packet goes on the next {@code copies} links in turn (1: round robin;
 * as many as there are links: every link, as the engine's own {@code redundant}).
 *
 * <p>Selected by {@code scheduler = ${pluginName}}. Its setting comes from the configuration file's line
 * {@code plugin.${pluginName}.copies = 2}, through Config Admin (PID {@code org.alagg.plugin.${pluginName}}); the Metatype
 * below lets Alagg check the value when it reads the file. Its counters show in {@code alagg:stats}.
 */
@Component(property = Alagg.SCHEDULER + "=${pluginName}", configurationPid = "org.alagg.plugin.${pluginName}")
@Designate(ocd = ${className}.Settings.class)
public final class ${className} implements LinkScheduler, PluginReport {
    /** The most copies of a packet. */
    static final int MAX_COPIES = 16;

    /** The plugin's settings: {@code plugin.${pluginName}.<id> = <value>} in Alagg's configuration file. */
    @ObjectClassDefinition(id = "org.alagg.plugin.${pluginName}", name = "${pluginName} scheduler")
    public @interface Settings {
        @AttributeDefinition(name = "copies", description = "how many links each packet goes on, in turn", min = "1", max = "16")
        int copies() default 1;
    }

    @Reference(service = LoggerFactory.class)
    private Logger log;

    // Written by a configuration change, read by the egress thread.
    private volatile int copies = 1;
    // The egress thread's own.
    private int next;
    // Written by the egress thread only, read by commands.
    private volatile long packets;
    private volatile long sends;
    private volatile long unsent;

    @Activate
    @Modified
    void configure(Settings settings) {
        copies(settings.copies());
        log.info("${pluginName}: {} cop{} of each packet", copies, copies == 1 ? "y" : "ies");
    }

    /**
     * Sets how many links each packet goes on.
     *
     * @throws IllegalArgumentException when it is outside 1..{@link #MAX_COPIES}: the component does not activate,
     *         the engine falls back to redundant sending and says so in alagg:status
     */
    void copies(int copies) {
        if (copies < 1 || copies > MAX_COPIES) {
            throw new IllegalArgumentException("plugin.${pluginName}.copies " + copies + " is out of range 1.." + MAX_COPIES);
        }
        this.copies = copies;
    }

    @Override
    public int choose(int sequence, int length, int[] up, int upCount, int[] chosen) {
        packets++;
        if (upCount == 0) {
            unsent++;
            return 0;
        }
        int count = Math.min(copies, upCount);
        int first = Integer.remainderUnsigned(next++, upCount);
        for (int i = 0; i < count; i++) {
            chosen[i] = up[(first + i) % upCount];
        }
        sends += count;
        return count;
    }

    @Override
    public Map<String, Long> counters() {
        return Map.of("packets", packets, "sends", sends, "unsent", unsent);
    }

    @Override
    public List<String> status() {
        return List.of(copies + (copies == 1 ? " copy" : " copies") + " of each packet");
    }
}
#end
