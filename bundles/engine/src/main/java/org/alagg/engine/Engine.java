package org.alagg.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.alagg.api.Alagg;
import org.alagg.api.InstanceStatus;
import org.alagg.api.LinkState;
import org.alagg.api.LinkStatus;
import org.alagg.api.LinkTransport;
import org.alagg.api.PacketInterceptor;
import org.alagg.api.ReorderStrategyFactory;
import org.alagg.api.Selection;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The engine of one Alagg instance: it follows its configuration and the installed plugins, choosing the
 * capture mode, the reordering strategy and the links by name, and reports what it does.
 *
 * <p>Configuration changes arrive through {@link #modified} without a restart of the component; plugins come
 * and go through dynamic references, so a swap never restarts the engine.
 */
@Component(configurationPid = Alagg.ENGINE_PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = InstanceStatus.class, immediate = true)
@Designate(ocd = EngineConfig.class)
public final class Engine implements InstanceStatus {
    /** The 802.1CB sequence recovery counters, reported per instance. */
    static final List<String> COUNTERS = List.of("passed", "discarded", "out_of_order", "lost", "rogue", "resets", "tagless");

    @Reference(service = LoggerFactory.class)
    private Logger log;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile List<ServiceReference<ReorderStrategyFactory>> strategies;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile List<ServiceReference<PacketInterceptor>> interceptors;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile List<ServiceReference<LinkTransport>> transports;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile List<LinkDefinition> links;

    private volatile EngineConfig config;

    @Activate
    void activate(EngineConfig config) {
        this.config = config;
        log.info("Engine of instance '{}' started: interceptor {}, strategy {}, EtherType 0x{}", config.instance(),
                config.interceptor(), config.strategy(), Integer.toHexString(config.ethertype()));
    }

    @Modified
    void modified(EngineConfig next) {
        EngineConfig previous = config;
        config = next;
        logChange("interceptor", previous.interceptor(), next.interceptor());
        logChange("reordering strategy", previous.strategy(), next.strategy());
        logChange("EtherType", previous.ethertype(), next.ethertype());
        logChange("instance name", previous.instance(), next.instance());
    }

    private void logChange(String what, Object before, Object after) {
        if (!Objects.equals(before, after)) {
            log.info("{}: {} -> {}", what, before, after);
        }
    }

    @Override
    public String instance() {
        return config.instance();
    }

    @Override
    public Selection interceptor() {
        return select(config.interceptor(), interceptors, Alagg.INTERCEPTOR);
    }

    @Override
    public Selection strategy() {
        return select(config.strategy(), strategies, Alagg.STRATEGY);
    }

    private static Selection select(String configured, List<? extends ServiceReference<?>> installed, String nameProperty) {
        List<String> names = new ArrayList<>();
        for (ServiceReference<?> ref : installed) {
            Object name = ref.getProperty(nameProperty);
            if (name != null && !names.contains(name.toString())) {
                names.add(name.toString());
            }
        }
        names.sort(null);
        return new Selection(configured, names.contains(configured) ? configured : null, names);
    }

    @Override
    public List<LinkStatus> links() {
        List<LinkStatus> result = new ArrayList<>();
        String detail = transports.isEmpty() ? "no link transport installed" : "";
        List<LinkDefinition> sorted = new ArrayList<>(links);
        sorted.sort(java.util.Comparator.comparing(LinkDefinition::interfaceName));
        for (LinkDefinition link : sorted) {
            Map<String, Long> counters = new LinkedHashMap<>();
            for (String name : List.of("frames_sent", "bytes_sent", "frames_received", "bytes_received", "duplicates", "lost")) {
                counters.put(name, 0L);
            }
            result.add(new LinkStatus(link.interfaceName(), link.peer(), LinkState.DOWN, detail, link.origin(), counters));
        }
        return result;
    }

    @Override
    public Map<String, Long> counters() {
        Map<String, Long> counters = new LinkedHashMap<>();
        COUNTERS.forEach(name -> counters.put(name, 0L));
        return counters;
    }

    @Override
    public List<String> warnings() {
        List<String> warnings = new ArrayList<>();
        Selection interceptor = interceptor();
        if (interceptor.active() == null) {
            warnings.add("interceptor '" + interceptor.configured() + "' is not installed: nothing is captured");
        }
        Selection strategy = strategy();
        if (strategy.active() == null) {
            warnings.add("reordering strategy '" + strategy.configured()
                    + "' is not installed: received packets get duplicate discard only");
        }
        if (transports.isEmpty()) {
            warnings.add("no link transport is installed: every link stays DOWN");
        }
        if (links.isEmpty()) {
            warnings.add("no link is configured (add link.<interface> = <peer MAC> lines)");
        }
        return warnings;
    }
}
