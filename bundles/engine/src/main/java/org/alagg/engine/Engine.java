package org.alagg.engine;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.alagg.api.Alagg;
import org.alagg.api.InstanceStatus;
import org.alagg.api.Link;
import org.alagg.api.LinkState;
import org.alagg.api.LinkScheduler;
import org.alagg.api.LinkStatus;
import org.alagg.api.LinkTransport;
import org.alagg.api.LocalDelivery;
import org.alagg.api.PacketInterceptor;
import org.alagg.api.ReorderSettings;
import org.alagg.api.ReorderStrategyFactory;
import org.alagg.api.Selection;
import org.alagg.protocol.FrameCodec;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The engine of one Alagg instance: it chooses the capture mode, the link transport and the reordering
 * strategy by name among the installed plugins, opens the configured links, and runs the data path.
 *
 * <p>Configuration changes arrive through {@link #modified} and plugins come and go through dynamic
 * references: the engine is never restarted for a swap, and the data path picks each change up while
 * traffic flows (see {@link DataPath}).
 */
@Component(configurationPid = Alagg.ENGINE_PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = InstanceStatus.class, immediate = true)
@Designate(ocd = EngineConfig.class)
public final class Engine implements InstanceStatus {
    /** The engine's own scheduling: every packet on every link that is up. */
    static final String REDUNDANT = "redundant";

    private final Named<ReorderStrategyFactory> strategies = new Named<>(Alagg.STRATEGY);
    private final Named<PacketInterceptor> interceptors = new Named<>(Alagg.INTERCEPTOR);
    private final Named<LocalDelivery> deliveries = new Named<>(Alagg.INTERCEPTOR);
    private final Named<LinkTransport> transports = new Named<>(Alagg.TRANSPORT);
    private final Named<LinkScheduler> schedulers = new Named<>(Alagg.SCHEDULER);
    private final List<LinkDefinition> definitions = new ArrayList<>();
    private final Map<LinkDefinition, OpenLink> open = new LinkedHashMap<>();
    private final Map<LinkDefinition, String> openFailures = new LinkedHashMap<>();

    @Reference(service = LoggerFactory.class)
    private Logger log;

    private EngineConfig config;
    private DataPath path;
    private LinkTransport wiredTransport;

    @Activate
    synchronized void activate(EngineConfig config) {
        this.config = config;
        path = new DataPath(settings(config), config.ethertype(), problem -> log.warn("Data path: {}", problem));
        rewire();
        path.start();
        log.info("Engine of instance '{}' started: epoch {}, interceptor {}, strategy {}, transport {}, EtherType 0x{}",
                config.instance(), Integer.toHexString(path.epoch), config.interceptor(), config.strategy(),
                config.transport(), Integer.toHexString(config.ethertype()));
    }

    @Modified
    synchronized void modified(EngineConfig next) {
        EngineConfig previous = config;
        config = next;
        logChange("interceptor", previous.interceptor(), next.interceptor());
        logChange("reordering strategy", previous.strategy(), next.strategy());
        logChange("link transport", previous.transport(), next.transport());
        logChange("EtherType", previous.ethertype(), next.ethertype());
        path.reorderSettings = settings(next);
        if (previous.ethertype() != next.ethertype()) {
            closeLinks(); // links carry the EtherType: reopen them all
        }
        rewire();
    }

    @Deactivate
    synchronized void deactivate() throws InterruptedException {
        path.stop();
        closeLinks();
    }

    private static ReorderSettings settings(EngineConfig c) {
        return new ReorderSettings(c.reorder_window(), TimeUnit.MILLISECONDS.toNanos(c.reorder_timeout_ms()));
    }

    private void logChange(String what, Object before, Object after) {
        if (!Objects.equals(before, after)) {
            log.info("{}: {} -> {}", what, before, after);
        }
    }

    // --- plugins, by name ---------------------------------------------------------------------------------

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    synchronized void addStrategy(ReorderStrategyFactory s, Map<String, Object> properties) {
        strategies.add(s, properties);
        rewire();
    }

    synchronized void removeStrategy(ReorderStrategyFactory s, Map<String, Object> properties) {
        strategies.remove(s, properties);
        rewire();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    synchronized void addInterceptor(PacketInterceptor i, Map<String, Object> properties) {
        interceptors.add(i, properties);
        rewire();
    }

    synchronized void removeInterceptor(PacketInterceptor i, Map<String, Object> properties) {
        interceptors.remove(i, properties);
        rewire();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    synchronized void addDelivery(LocalDelivery d, Map<String, Object> properties) {
        deliveries.add(d, properties);
        rewire();
    }

    synchronized void removeDelivery(LocalDelivery d, Map<String, Object> properties) {
        deliveries.remove(d, properties);
        rewire();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    synchronized void addScheduler(LinkScheduler s, Map<String, Object> properties) {
        schedulers.add(s, properties);
        rewire();
    }

    synchronized void removeScheduler(LinkScheduler s, Map<String, Object> properties) {
        schedulers.remove(s, properties);
        rewire();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    synchronized void addTransport(LinkTransport t, Map<String, Object> properties) {
        transports.add(t, properties);
        rewire();
    }

    synchronized void removeTransport(LinkTransport t, Map<String, Object> properties) {
        transports.remove(t, properties);
        rewire();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    synchronized void addLink(LinkDefinition link) {
        definitions.add(link);
        rewire();
    }

    synchronized void removeLink(LinkDefinition link) {
        definitions.remove(link);
        rewire();
    }

    /**
     * Points the data path at the parts the configuration names, and opens or closes links to match.
     * Called on every change; a part that is missing leaves its place empty (with a warning in status) and
     * the data path does what it can without it.
     */
    private void rewire() {
        if (path == null) {
            return; // not activated yet: activate() wires everything
        }
        ReorderStrategyFactory strategy = strategies.get(config.strategy());
        if (strategy == null && path.strategy != null) {
            log.warn("Reordering strategy '{}' is gone: duplicate discard only until it is back", config.strategy());
        } else if (strategy != null && strategy != path.strategy) {
            log.info("Reordering strategy '{}' in use", config.strategy());
        }
        path.strategy = strategy;
        path.interceptor = interceptors.get(config.interceptor());
        path.scheduler = REDUNDANT.equals(config.scheduler()) ? null : schedulers.get(config.scheduler());
        path.delivery = deliveries.get(config.interceptor());
        LinkTransport transport = transports.get(config.transport());
        if (transport != wiredTransport) {
            closeLinks();
            path.transport = transport;
            wiredTransport = transport;
        }
        path.etherType = config.ethertype();
        for (LinkDefinition gone : new ArrayList<>(open.keySet())) {
            if (!definitions.contains(gone)) {
                closeLink(gone);
            }
        }
        openFailures.keySet().retainAll(definitions);
        if (transport != null) {
            for (LinkDefinition d : definitions) {
                if (!open.containsKey(d)) {
                    openLink(transport, d);
                }
            }
        }
        publishLinks();
        path.wakeUp();
    }

    private void openLink(LinkTransport transport, LinkDefinition d) {
        int id = freeLinkId();
        try {
            Link link = transport.open(id, d.interfaceName(), d.peer(), config.ethertype());
            open.put(d, new OpenLink(link));
            openFailures.remove(d);
            log.info("Link {} (id {}) to {} opened", d.interfaceName(), id, d.peer());
        } catch (IOException | RuntimeException e) {
            openFailures.put(d, e.getMessage());
            log.error("Link {} cannot open: {}", d.interfaceName(), e.getMessage());
        }
    }

    private int freeLinkId() {
        boolean[] used = new boolean[DataPath.MAX_LINKS];
        open.values().forEach(l -> used[l.id()] = true);
        for (int id = 0; id < used.length; id++) {
            if (!used[id]) {
                return id;
            }
        }
        throw new IllegalStateException("no free link id: Alagg carries at most " + DataPath.MAX_LINKS + " links");
    }

    private void closeLink(LinkDefinition d) {
        OpenLink link = open.remove(d);
        if (link != null) {
            publishLinks(); // out of the table before it closes, so the hot threads stop using it
            link.link.close();
            log.info("Link {} closed", d.interfaceName());
        }
    }

    private void closeLinks() {
        for (LinkDefinition d : new ArrayList<>(open.keySet())) {
            closeLink(d);
        }
    }

    private void publishLinks() {
        OpenLink[] table = new OpenLink[open.values().stream().mapToInt(OpenLink::id).max().orElse(-1) + 1];
        open.values().forEach(l -> table[l.id()] = l);
        path.links = table;
        int mtu = open.values().stream().mapToInt(l -> l.link.mtu()).filter(m -> m > 0).min().orElse(1500);
        path.maxPacketLength = Math.min(mtu, DataPath.MAX_PACKET + FrameCodec.HEADER_LENGTH) - FrameCodec.HEADER_LENGTH;
    }

    // --- status -------------------------------------------------------------------------------------------

    @Override
    public synchronized String instance() {
        return config.instance();
    }

    @Override
    public synchronized Selection interceptor() {
        return interceptors.selection(config.interceptor());
    }

    @Override
    public synchronized Selection strategy() {
        return strategies.selection(config.strategy());
    }

    @Override
    public synchronized List<LinkStatus> links() {
        List<LinkDefinition> sorted = new ArrayList<>(definitions);
        sorted.sort(Comparator.comparing(LinkDefinition::interfaceName));
        long now = System.nanoTime();
        List<LinkStatus> result = new ArrayList<>();
        for (LinkDefinition d : sorted) {
            OpenLink link = open.get(d);
            Map<String, Long> counters = new LinkedHashMap<>();
            LinkState state = LinkState.DOWN;
            String detail;
            if (link == null) {
                OpenLink.SENT.forEach(n -> counters.put(n, 0L));
                OpenLink.RECEIVED.forEach(n -> counters.put(n, 0L));
                detail = openFailures.containsKey(d) ? openFailures.get(d)
                        : "no link transport '" + config.transport() + "' installed";
            } else {
                state = link.link.state();
                detail = link.link.stateDetail();
                counters.putAll(link.sent.snapshot());
                counters.putAll(link.received.snapshot());
            }
            Long last = counters.remove("last_received_ns");
            counters.put("last_received_ms", last == null || last == 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(now - last));
            result.add(new LinkStatus(d.interfaceName(), d.peer(), state, detail, d.origin(), counters));
        }
        return result;
    }

    @Override
    public synchronized Map<String, Long> counters() {
        Map<String, Long> counters = new LinkedHashMap<>(path.ingress.counters.snapshot());
        path.egress.counters.snapshot().forEach(counters::put);
        LocalDelivery delivery = deliveries.get(config.interceptor());
        if (delivery != null) {
            delivery.counters().forEach((name, value) -> counters.put(config.interceptor() + "_" + name, value));
        }
        return counters;
    }

    @Override
    public List<org.alagg.api.HotThread> threads() {
        return List.of();
    }

    @Override
    public synchronized List<String> warnings() {
        List<String> warnings = new ArrayList<>();
        if (interceptors.get(config.interceptor()) == null) {
            warnings.add("interceptor '" + config.interceptor() + "' is not installed: nothing is captured");
        } else if (deliveries.get(config.interceptor()) == null) {
            warnings.add("no local delivery for '" + config.interceptor() + "' is installed: received packets are dropped");
        }
        if (strategies.get(config.strategy()) == null) {
            warnings.add("reordering strategy '" + config.strategy()
                    + "' is not installed: received packets get duplicate discard only");
        }
        if (!REDUNDANT.equals(config.scheduler()) && schedulers.get(config.scheduler()) == null) {
            warnings.add("link scheduler '" + config.scheduler() + "' is not installed: every packet goes on every link");
        }
        if (transports.get(config.transport()) == null) {
            warnings.add("link transport '" + config.transport() + "' is not installed: every link stays DOWN");
        }
        if (definitions.isEmpty()) {
            warnings.add("no link is configured (add link.<interface> = <peer MAC> lines)");
        }
        for (String error : new String[] {path.egress.error.message(), path.ingress.error.message()}) {
            if (error != null) {
                warnings.add("last data path error: " + error);
            }
        }
        return warnings;
    }

    /**
     * Installed plugins of one kind, by the name in their service property. One object may be registered
     * under several names (one delivery serving two capture modes); the first registered wins a name.
     */
    private static final class Named<T> {
        private final String property;
        private final List<Map.Entry<String, T>> entries = new ArrayList<>();

        Named(String property) {
            this.property = property;
        }

        void add(T service, Map<String, Object> properties) {
            Object name = properties.get(property);
            if (name != null) {
                entries.add(Map.entry(name.toString(), service));
            }
        }

        void remove(T service, Map<String, Object> properties) {
            entries.remove(Map.entry(String.valueOf(properties.get(property)), service));
        }

        T get(String name) {
            for (Map.Entry<String, T> e : entries) {
                if (e.getKey().equals(name)) {
                    return e.getValue();
                }
            }
            return null;
        }

        Selection selection(String configured) {
            List<String> available = entries.stream().map(Map.Entry::getKey).distinct().sorted().collect(Collectors.toList());
            return new Selection(configured, get(configured) == null ? null : configured, available);
        }
    }
}
