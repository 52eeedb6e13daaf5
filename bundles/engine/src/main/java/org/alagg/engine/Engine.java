package org.alagg.engine;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.alagg.api.Alagg;
import org.alagg.api.Event;
import org.alagg.api.HotThread;
import org.alagg.api.InstanceStatus;
import org.alagg.api.Link;
import org.alagg.api.LinkScheduler;
import org.alagg.api.LinkState;
import org.alagg.api.LinkStatus;
import org.alagg.api.LinkTransport;
import org.alagg.api.LocalDelivery;
import org.alagg.api.PacketInterceptor;
import org.alagg.api.PeerStatus;
import org.alagg.api.ReorderStrategyFactory;
import org.alagg.api.Selection;
import org.alagg.protocol.FrameAuth;
import org.alagg.protocol.FrameCodec;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
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
 * traffic flows (see {@link DataPath}). A part taken out of the data path is closed only after both hot
 * threads have let go of it ({@link DataPath#quiesce}).
 *
 * <p>Slow work never runs on the hot threads: the control thread ({@link CaptureControl}, every
 * {@value #TICK_MILLIS} ms) opens and closes the interceptor, follows the links' MTU, and restarts a hot thread
 * that died.
 */
@Component(configurationPid = Alagg.ENGINE_PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = InstanceStatus.class, immediate = true)
@Designate(ocd = EngineConfig.class)
public final class Engine implements InstanceStatus {
    /** The engine's own scheduling: every packet on every link that is up. */
    static final String REDUNDANT = "redundant";
    /** In {@code alagg:stats}: the links' {@code frames_received} plus this is {@code received - unknown_source}. */
    static final String REMOVED_LINKS_FRAMES_RECEIVED = "removed_links_frames_received";
    static final long TICK_MILLIS = 250;
    /** A hot thread that has not finished a turn for this long is reported stuck. */
    static final long STUCK_MILLIS = 2000;

    private final Named<ReorderStrategyFactory> strategies = new Named<>("reordering strategy", Alagg.STRATEGY);
    private final Named<PacketInterceptor> interceptors = new Named<>("interceptor", Alagg.INTERCEPTOR);
    private final Named<LocalDelivery> deliveries = new Named<>("local delivery", Alagg.INTERCEPTOR);
    private final Named<LinkTransport> transports = new Named<>("link transport", Alagg.TRANSPORT);
    private final Named<LinkScheduler> schedulers = new Named<>("link scheduler", Alagg.SCHEDULER);
    private final List<LinkDefinition> definitions = new ArrayList<>();
    private final Map<LinkDefinition, OpenLink> open = new LinkedHashMap<>();
    private final Map<LinkDefinition, String> openFailures = new LinkedHashMap<>();
    /** Each link's counters by interface and peer, kept across reopenings and removals (see {@link OpenLink}). */
    private final Map<String, Counters[]> linkCounters = new HashMap<>();
    private PeerTable peers;

    @Reference(service = LoggerFactory.class)
    private Logger log;

    private BundleContext context;
    /** Written under the lock; volatile as the control thread's tick reads it without. */
    private volatile EngineSettings settings;
    /** Why the last configuration change was refused, or null. */
    private String refusal;
    private DataPath path;
    private CaptureControl capture;
    private ScheduledExecutorService control;
    private LinkTransport wiredTransport;
    private Events events;
    private LinkWatch watch;
    /** Control thread only: the peer restarts already told, by peer. */
    private final Map<Peer, Long> peerRestartsSeen = new java.util.concurrent.ConcurrentHashMap<>();

    @Activate
    synchronized void activate(BundleContext context, Map<String, Object> properties) {
        this.context = context;
        try {
            settings = EngineSettings.parse(properties, EngineSettings.DEFAULTS);
        } catch (EngineSettings.Invalid e) {
            settings = e.usable;
            refuse("configuration values refused, defaults used instead: " + e.getMessage());
        }
        path = new DataPath(problem -> log.warn("Data path: {}", problem));
        peers = new PeerTable(path);
        path.probeIntervalNanos = TimeUnit.MILLISECONDS.toNanos(settings.probeIntervalMs());
        path.maxPacketLength = Math.min(1500 - overhead(), DataPath.MAX_PACKET); // until the links' MTU is known
        path.faults.describeWith(this::describe);
        events = new Events(log);
        watch = new LinkWatch(path, events);
        control = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "alagg-control");
            t.setDaemon(true);
            return t;
        });
        capture = new CaptureControl(path, log);
        rewire();
        path.start();
        control.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
        log.info("Engine of instance '{}' started: {} peer(s), interceptor {}, strategy {}, transport {}, EtherType 0x{}",
                settings.instance(), peers.running().size(), settings.interceptor(), settings.strategy(),
                settings.transport(), Integer.toHexString(settings.ethertype()));
    }

    /**
     * Applies a new configuration, or refuses it whole: a configuration with any bad value (from any source)
     * leaves the running one untouched, and status says why.
     */
    @Modified
    synchronized void modified(Map<String, Object> properties) {
        EngineSettings next;
        try {
            next = EngineSettings.parse(properties, settings);
            if (!next.instance().equals(settings.instance())) {
                throw new IllegalArgumentException("instance = " + next.instance() + ": the instance name is fixed while "
                        + "it runs (it is '" + settings.instance() + "'; restart to rename)");
            }
        } catch (IllegalArgumentException e) {
            refuse("configuration change refused, the running configuration stays: " + e.getMessage());
            return;
        }
        refusal = null;
        EngineSettings previous = settings;
        settings = next;
        logChange("interceptor", previous.interceptor(), next.interceptor());
        logChange("reordering strategy", previous.strategy(), next.strategy());
        logChange("link scheduler", previous.scheduler(), next.scheduler());
        logChange("link transport", previous.transport(), next.transport());
        logChange("EtherType", previous.ethertype(), next.ethertype());
        logChange("reordering settings", previous.reorder(), next.reorder());
        logChange("trust", previous.trust(), next.trust());
        logChange("probe interval (ms)", previous.probeIntervalMs(), next.probeIntervalMs());
        path.probeIntervalNanos = TimeUnit.MILLISECONDS.toNanos(next.probeIntervalMs());
        // selecting a plugin (again) gives it another chance after a fault
        path.faults.forget(strategies.get(next.strategy()));
        path.faults.forget(schedulers.get(next.scheduler()));
        if (previous.ethertype() != next.ethertype()) {
            closeLinks(); // links carry the EtherType: reopen them all
        }
        rewire();
    }

    private void refuse(String why) {
        refusal = why;
        log.error("Engine: {}", why);
    }

    @Deactivate
    synchronized void deactivate() throws Exception {
        path.stop();
        capture.want(null);
        followCaptureNow();
        control.shutdownNow();
        closeLinks();
    }

    /** Whether the authentication code was warmed up in this JVM (the JIT compiles per method, not per instance). */
    private static final java.util.concurrent.atomic.AtomicBoolean AUTH_WARM = new java.util.concurrent.atomic.AtomicBoolean();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    synchronized void addPeer(PeerDefinition peer) {
        peers.add(peer);
        peer.onChange(this::peerChanged);
        rewire();
    }

    synchronized void removePeer(PeerDefinition peer) {
        peer.onChange(() -> { });
        peers.remove(peer);
        rewire();
    }

    /** A peer's configuration changed (its component took it): the peer runs on with the new settings, or its last good ones. */
    private synchronized void peerChanged() {
        rewire();
    }

    /** Whether any running peer's frames are authenticated. */
    /**
     * What a PARITY frame adds beyond the longest packet of its group (its group header and the symbol's length and
     * protocol): with FEC on for any peer the packet limit leaves room for it, so parity fits the links' MTU.
     */
    static final int FEC_OVERHEAD = org.alagg.protocol.Parity.HEADER + org.alagg.protocol.FecCode.SYMBOL_HEADER;

    private boolean anyFec() {
        return peers.running().stream().anyMatch(p -> p.fecConfigured.on() || p.fecConfigured.auto());
    }

    private boolean anyKey() {
        return peers.running().stream().anyMatch(p -> p.trust.authenticates());
    }

    /**
     * With a key, has the JIT compile the signing and checking code before traffic needs it, on a thread of its own
     * (FrameAuth.warmUp): at a few packets a second, interpreted HMAC would add tens of microseconds a packet for
     * seconds after start (measured: ping p50 +106 µs over no key in alagg bench, 2026-12-01).
     */
    private void warmUpAuthentication() {
        if (anyKey() && AUTH_WARM.compareAndSet(false, true)) {
            Thread t = new Thread(FrameAuth::warmUp, "alagg-auth-warm-up");
            t.setDaemon(true);
            t.setPriority(Thread.MIN_PRIORITY);
            t.start();
        }
    }

    private void logChange(String what, Object before, Object after) {
        if (!Objects.equals(before, after)) {
            log.info("{}: {} -> {}", what, before, after);
        }
    }

    /** The control thread's turn: never takes the engine's lock, so status and configuration never wait for it. */
    private void tick() {
        try {
            for (HotThread t : path.threads()) {
                if (!t.alive() && path.running) {
                    log.error("Hot thread {} is not running: restarting it", t.name());
                }
            }
            path.supervise();
            Map<Peer, Long> passed = new HashMap<>();
            for (OpenLink link : path.links) {
                if (link != null) {
                    link.followLocalAddress();
                    watch.tick(link, passed.computeIfAbsent(link.peer,
                            p -> p.receive.counters.snapshot().get("passed")));
                }
            }
            followPeers();
            followMtu();
            capture.follow();
        } catch (Throwable e) { // a scheduled task that throws is never run again
            log.error("Control thread: {}", e.toString());
        }
    }

    /** Control thread: a peer restart (a new epoch confirmed) is an event. */
    private void followPeers() {
        for (Peer peer : path.peers) {
            ReorderTimeout.follow(peer);
            String fec = FecAuto.follow(peer);
            if (fec != null) {
                events.info("peer " + peer.name, fec);
            }
            long restarts = peer.receive.counters.snapshot().get("peer_restarts");
            Long seen = peerRestartsSeen.put(peer, restarts);
            if (seen != null && restarts != seen) {
                events.warn("peer " + peer.name, "restarted: its new epoch " + Integer.toHexString(peer.receive.peerEpoch)
                        + " is confirmed; what the old one left was delivered first");
            }
        }
        peerRestartsSeen.keySet().retainAll(List.of(path.peers));
    }

    /** The packet limit follows the smallest MTU among the links that are up (kept while none is). */
    private void followMtu() {
        int smallest = Integer.MAX_VALUE;
        for (OpenLink link : path.links) {
            if (link != null && link.isUp() && link.link.mtu() > 0) {
                smallest = Math.min(smallest, link.link.mtu());
            }
        }
        if (smallest == Integer.MAX_VALUE) {
            return;
        }
        int limit = Math.min(smallest - overhead(), DataPath.MAX_PACKET);
        if (limit != path.maxPacketLength) {
            log.info("Packets up to {} bytes: the smallest MTU of the links that are up is {}", limit, smallest);
            path.maxPacketLength = limit;
        }
    }

    /** What a frame adds to a packet: the header, and the tag when any peer has a key (one limit serves all peers). */
    private int overhead() {
        return FrameCodec.HEADER_LENGTH + (anyKey() ? FrameAuth.TAG_LENGTH : 0) + (anyFec() ? FEC_OVERHEAD : 0);
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
        path.quiesce(); // the ingress thread has handed over what the strategy held: its bundle may go
        path.faults.forget(s);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    synchronized void addInterceptor(PacketInterceptor i, Map<String, Object> properties) {
        interceptors.add(i, properties);
        rewire();
    }

    synchronized void removeInterceptor(PacketInterceptor i, Map<String, Object> properties) throws Exception {
        interceptors.remove(i, properties);
        rewire();
        followCaptureNow(); // closed before its bundle goes
    }

    /** Runs the control thread's interceptor step and waits for it. */
    private void followCaptureNow() throws Exception {
        if (control != null && !control.isShutdown()) {
            control.submit(capture::follow).get(10, TimeUnit.SECONDS);
        }
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
        path.quiesce();
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
        path.quiesce();
        path.faults.forget(s);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    synchronized void addTransport(LinkTransport t, Map<String, Object> properties) {
        transports.add(t, properties);
        rewire();
    }

    synchronized void removeTransport(LinkTransport t, Map<String, Object> properties) {
        transports.remove(t, properties);
        rewire(); // quiesced before its links close: the transport's sockets are free when its bundle goes
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, updated = "updatedLink")
    synchronized void addLink(LinkDefinition link) {
        definitions.add(link);
        rewire();
    }

    synchronized void removeLink(LinkDefinition link) {
        definitions.remove(link);
        rewire();
    }

    /** A link configuration changed in place ({@link LinkDefinition}): new options, or another link altogether. */
    synchronized void updatedLink(LinkDefinition link) {
        rewire();
    }

    /**
     * Points the data path at the parts the configuration names, and opens or closes links to match.
     * Called on every change; a part that is missing leaves its place empty (with a warning in status) and
     * the data path does what it can without it.
     */
    private void rewire() {
        if (path == null || !path.running) {
            return; // not activated yet (activate() wires everything), or deactivated
        }
        boolean defaultWanted = definitions.stream().anyMatch(d -> d.peerName().equals(Alagg.DEFAULT_PEER));
        Map<String, ReorderStrategyFactory> before = new HashMap<>();
        peers.running().forEach(p -> before.put(p.name, p.strategy));
        List<Peer> runningBefore = new ArrayList<>(peers.running());
        peers.update(settings, defaultWanted, strategies::get, schedulers::get);
        for (Peer peer : peers.running()) {
            String name = peers.settings(peer.name).strategy();
            if (peer.strategy == null && before.get(peer.name) != null) {
                log.warn("Peer {}: reordering strategy '{}' is gone: duplicate discard only until it is back", peer.name, name);
            } else if (peer.strategy != null && peer.strategy != before.get(peer.name)) {
                log.info("Peer {}: reordering strategy '{}' in use", peer.name, name);
            }
        }
        path.probeIntervalNanos = TimeUnit.MILLISECONDS.toNanos(settings.probeIntervalMs());
        warmUpAuthentication(); // a key added live
        path.delivery = deliveries.get(settings.interceptor());
        capture.want(interceptors.get(settings.interceptor()));
        control.execute(capture::follow);
        LinkTransport transport = transports.get(settings.transport());
        if (transport != wiredTransport) {
            path.transport = transport;
            closeLinks(); // quiesces: no thread is still inside the old transport when this returns
            wiredTransport = transport;
        }
        List<LinkDefinition> gone = new ArrayList<>(open.keySet());
        gone.removeIf(d -> definitions.contains(d) && open.get(d).peer == peers.get(d.peerName())
                && open.get(d).link.interfaceName().equals(d.interfaceName()) && open.get(d).link.peer().equals(d.peer()));
        closeLinks(gone); // a link whose peer left (or was made anew) goes with it
        openFailures.keySet().retainAll(definitions);
        if (transport != null) {
            for (LinkDefinition d : definitions) {
                Peer peer = peers.get(d.peerName());
                if (peer == null) {
                    String why = peers.refusal(d.peerName());
                    openFailures.put(d, "peer '" + d.peerName() + "' " + (why == null ? "is not configured" : "is refused: " + why));
                } else if (!open.containsKey(d)) {
                    openLink(transport, d, peer);
                }
            }
        }
        open.forEach((d, link) -> { // a weight or tier changed in place: the link goes on with it
            link.weight = d.weight();
            link.tier = d.tier();
        });
        publishLinks();
        runningBefore.removeAll(peers.running());
        if (!runningBefore.isEmpty()) {
            // a peer that left hands over what it holds at the ingress thread's first turn after the publication: the
            // second wait covers a whole turn begun after it, so nothing of that peer is touched once this returns
            path.quiesce();
            path.quiesce();
        }
        followMtu();
        path.wakeUp();
    }

    private void openLink(LinkTransport transport, LinkDefinition d, Peer peer) {
        int id = freeLinkId();
        try {
            Link link = transport.open(id, d.interfaceName(), d.peer(), settings.ethertype());
            Counters[] counters = linkCounters.computeIfAbsent(d.countersKey(),
                    k -> new Counters[] {new Counters(OpenLink.SENT), new Counters(OpenLink.RECEIVED)});
            OpenLink opened = new OpenLink(link, peer, counters[0], counters[1]);
            opened.weight = d.weight();
            opened.tier = d.tier();
            open.put(d, opened);
            openFailures.remove(d);
            log.info("Link {} (id {}) to peer {} at {} opened", d.interfaceName(), id, peer.name, d.peer());
        } catch (Exception | LinkageError e) {
            openFailures.put(d, String.valueOf(e.getMessage()));
            log.error("Link {} cannot open: {}", d.interfaceName(), e.toString());
        }
    }

    /** Where the search for the next free link id starts. */
    private int nextLinkId;

    /**
     * A link id no open link has, taken in turn: an id closed now is used again only after every other free one, so
     * that a frame the transport tagged with it just before the close never reaches the link opened next.
     */
    private int freeLinkId() {
        boolean[] used = new boolean[DataPath.MAX_LINKS];
        open.values().forEach(l -> used[l.id()] = true);
        for (int i = 0; i < used.length; i++) {
            int id = (nextLinkId + i) % used.length;
            if (!used[id]) {
                nextLinkId = (id + 1) % used.length;
                return id;
            }
        }
        throw new IllegalStateException("no free link id: Alagg carries at most " + DataPath.MAX_LINKS + " links");
    }

    private void closeLinks() {
        closeLinks(new ArrayList<>(open.keySet()));
    }

    /** Takes the links out of the table, waits until both hot threads let go of them, then closes them. */
    private void closeLinks(List<LinkDefinition> which) {
        List<OpenLink> closing = new ArrayList<>();
        for (LinkDefinition d : which) {
            OpenLink link = open.remove(d);
            if (link != null) {
                closing.add(link);
            }
        }
        publishLinks();
        if (!path.quiesce()) {
            log.error("A hot thread did not finish its turn within {} ms while links closed (stuck in a plugin call?)",
                    TimeUnit.NANOSECONDS.toMillis(DataPath.QUIESCE_NANOS));
        }
        for (OpenLink link : closing) {
            // the hot threads let go of it: what they counted last, after their final publication, is shown too
            link.sent.publish();
            link.received.publish();
            try {
                link.link.close();
            } catch (RuntimeException | LinkageError e) {
                log.error("Link {} did not close cleanly: {}", link.link.interfaceName(), e.toString());
            }
            log.info("Link {} closed", link.link.interfaceName());
        }
    }

    /** Puts the running peers and the open links in place for the hot threads. */
    private void publishLinks() {
        path.publish(new ArrayList<>(peers.running()), new ArrayList<>(open.values()));
    }

    /** How a plugin is named in fault reports: its kind, name and bundle. */
    private String describe(Object plugin) {
        for (Named<?> named : List.of(strategies, schedulers, interceptors, deliveries, transports)) {
            String d = named.describe(plugin, context);
            if (d != null) {
                return d;
            }
        }
        return "plugin " + plugin.getClass().getName();
    }

    // --- status -------------------------------------------------------------------------------------------

    @Override
    public synchronized String instance() {
        return settings.instance();
    }

    @Override
    public synchronized Selection interceptor() {
        return interceptors.selection(settings.interceptor());
    }

    @Override
    public synchronized Selection strategy() {
        return strategies.selection(settings.strategy());
    }

    @Override
    public synchronized List<LinkStatus> links() {
        List<LinkDefinition> sorted = new ArrayList<>(definitions);
        sorted.sort(Comparator.comparing(LinkDefinition::peerName).thenComparing(LinkDefinition::interfaceName));
        long now = System.nanoTime();
        int limit = path.maxPacketLength;
        int largestMtu = open.values().stream().filter(OpenLink::isUp).mapToInt(l -> l.link.mtu()).max().orElse(0);
        List<LinkStatus> result = new ArrayList<>();
        for (LinkDefinition d : sorted) {
            OpenLink link = open.get(d);
            Map<String, Long> counters = new LinkedHashMap<>();
            LinkState state = LinkState.DOWN;
            String detail;
            if (link == null) {
                Counters[] kept = linkCounters.get(d.countersKey());
                if (kept == null) {
                    OpenLink.SENT.forEach(n -> counters.put(n, 0L));
                    OpenLink.RECEIVED.forEach(n -> counters.put(n, 0L));
                } else {
                    counters.putAll(kept[0].snapshot());
                    counters.putAll(kept[1].snapshot());
                }
                detail = openFailures.containsKey(d) ? openFailures.get(d)
                        : "no link transport '" + settings.transport() + "' installed";
            } else {
                state = link.state();
                detail = link.link.stateDetail();
                String why = watch.detail(link, now);
                if (!why.isEmpty()) {
                    detail = detail.isEmpty() ? why : detail + "; " + why;
                }
                int mtu = link.link.mtu();
                if (state != LinkState.DOWN && mtu > 0 && mtu - overhead() <= limit && mtu < largestMtu) {
                    detail = (detail.isEmpty() ? "" : detail + "; ") + "MTU " + mtu + " limits packets to " + limit
                            + " bytes (other links carry up to " + (largestMtu - overhead()) + ")";
                }
                counters.putAll(link.sent.snapshot());
                counters.putAll(link.received.snapshot());
                watch.figures(link, counters, now);
            }
            Long last = counters.remove("last_received_ns");
            counters.put("last_received_ms", last == null || last == 0 ? -1
                    : Math.max(0, TimeUnit.NANOSECONDS.toMillis(now - last))); // a frame may arrive after now was read
            result.add(new LinkStatus(d.interfaceName(), d.peer(), state, detail, d.origin(), counters, d.peerName()));
        }
        return result;
    }

    @Override
    public synchronized List<PeerStatus> peers() {
        Map<String, String> origins = new LinkedHashMap<>();
        if (definitions.stream().anyMatch(d -> d.peerName().equals(Alagg.DEFAULT_PEER))) {
            origins.put(Alagg.DEFAULT_PEER, settings.origin());
        }
        peers.definitions().forEach(d -> origins.putIfAbsent(d.name(), d.origin()));
        List<PeerStatus> result = new ArrayList<>();
        new java.util.TreeMap<>(origins).forEach((name, origin) -> {
            List<OpenLink> links = open.values().stream().filter(l -> l.peer.name.equals(name)).toList();
            List<String> interfaces = definitions.stream().filter(d -> d.peerName().equals(name))
                    .map(LinkDefinition::interfaceName).sorted().toList();
            long carrying = links.stream().filter(OpenLink::isUp).count();
            boolean allGood = carrying == interfaces.size()
                    && links.stream().allMatch(l -> l.state() == LinkState.UP);
            LinkState state = carrying == 0 ? LinkState.DOWN : allGood ? LinkState.UP : LinkState.DEGRADED;
            Peer peer = peers.get(name);
            List<String> detail = new ArrayList<>();
            String refused = peers.refusal(name);
            if (refused != null) {
                detail.add(refused);
            }
            if (peer != null && !peer.receive.peerEpochKnown) {
                detail.add("no epoch of the peer confirmed yet (it has not answered a challenge)");
            }
            if (interfaces.isEmpty()) {
                detail.add("no link is configured for it");
            } else if (carrying < interfaces.size()) {
                detail.add(carrying + " of " + interfaces.size() + " links carry data");
            }
            Map<String, Long> counters = new LinkedHashMap<>();
            Counters[] kept = peers.counters(name);
            if (kept != null) {
                counters.putAll(kept[1].snapshot());
                counters.putAll(kept[0].snapshot());
            }
            EngineSettings s = peers.settings(name);
            result.add(new PeerStatus(name, state, String.join("; ", detail), interfaces,
                    s == null ? List.of() : s.trust().allowed(), origin, counters));
        });
        return result;
    }

    @Override
    public synchronized Map<String, Long> counters() {
        List<Counters> receive = new ArrayList<>();
        List<Counters> send = new ArrayList<>();
        peers.allCounters().forEach(c -> {
            send.add(c[0]);
            receive.add(c[1]);
        });
        Map<String, Long> counters = new LinkedHashMap<>(Counters.total(path.ingress.counters, receive));
        // not a sum: the longest reordering timeout any peer works with
        counters.put("reorder_timeout_us", receive.stream().mapToLong(c -> c.snapshot().get("reorder_timeout_us")).max().orElse(0));
        counters.put(REMOVED_LINKS_FRAMES_RECEIVED, removedLinksFramesReceived());
        counters.putAll(Counters.total(path.egress.counters, send));
        LocalDelivery delivery = deliveries.get(settings.interceptor());
        if (delivery != null) {
            try {
                delivery.counters().forEach((name, value) -> counters.put(settings.interceptor() + "_" + name, value));
            } catch (RuntimeException | LinkageError e) {
                log.warn("Local delivery '{}' could not report its counters: {}", settings.interceptor(), e.toString());
            }
        }
        return counters;
    }

    /** The frames counted on links no longer configured: {@code received} keeps them, the links' sum does not. */
    private long removedLinksFramesReceived() {
        Map<String, Counters[]> removed = new HashMap<>(linkCounters);
        definitions.forEach(d -> removed.remove(d.countersKey()));
        return removed.values().stream().mapToLong(c -> c[1].snapshot().get(OpenLink.RECEIVED.get(OpenLink.FRAMES_RECEIVED))).sum();
    }

    @Override
    public List<Event> events() {
        return events.last();
    }

    @Override
    public List<HotThread> threads() {
        return path.threads();
    }

    @Override
    public synchronized boolean forwarding() {
        // one open link is enough: a link whose interface is missing or whose peer was refused does not hold readiness
        // back (alagg:status names it), the others forward
        return capture.isOpen() && definitions.stream().anyMatch(open::containsKey);
    }

    @Override
    public synchronized List<String> warnings() {
        List<String> warnings = new ArrayList<>();
        if (refusal != null) {
            warnings.add(refusal);
        }
        List<String> keyless = peers.running().stream().filter(p -> !p.trust.authenticates()).map(p -> p.name).toList();
        if (!keyless.isEmpty()) {
            warnings.add("no key" + (keyless.equals(List.of(Alagg.DEFAULT_PEER)) ? "" : " for peer(s) " + keyless)
                    + ": frames are not authenticated, anyone on the links can inject traffic "
                    + "(set key or key.file; README, Keys and allowed sources)");
        }
        peers.refusals().forEach((name, why) -> warnings.add("peer " + name + ": " + why));
        Map<String, List<String>> byKey = new java.util.TreeMap<>();
        for (Peer p : peers.running()) {
            if (p.trust.authenticates()) {
                byKey.computeIfAbsent(java.util.HexFormat.of().formatHex(p.trust.key()), k -> new ArrayList<>()).add(p.name);
            }
        }
        byKey.values().stream().filter(names -> names.size() > 1).forEach(names -> warnings.add("peers " + names
                + " share a key: on a shared LAN either can forge the others' frames; give each its own key"
                + " (README, Peers)"));
        if (interceptors.get(settings.interceptor()) == null) {
            warnings.add("interceptor '" + settings.interceptor() + "' is not installed: nothing is captured "
                    + "(waiting for a plugin that provides it)");
        } else if (deliveries.get(settings.interceptor()) == null) {
            warnings.add("no local delivery for '" + settings.interceptor() + "' is installed: received packets are dropped");
        }
        if (strategies.get(settings.strategy()) == null) { // a peer's own choice shows in its detail
            warnings.add("reordering strategy '" + settings.strategy()
                    + "' is not installed: received packets get duplicate discard only (waiting for a plugin that provides it)");
        }
        if (!REDUNDANT.equals(settings.scheduler()) && schedulers.get(settings.scheduler()) == null) {
            warnings.add("link scheduler '" + settings.scheduler() + "' is not installed: every packet goes on every link"
                    + " (waiting for a plugin that provides it)");
        }
        if (transports.get(settings.transport()) == null) {
            warnings.add("link transport '" + settings.transport() + "' is not installed: every link stays DOWN");
        }
        if (definitions.isEmpty()) {
            warnings.add("no link is configured (add link.<interface> = <peer MAC> lines)");
        }
        for (OpenLink link : open.values()) {
            if (link.quality.latent) {
                warnings.add("ALARM link " + link.link.interfaceName() + ": latent error: " + watch.latentDetail());
            }
        }
        warnings.addAll(path.faults.reports());
        for (PathError error : List.of(capture.error, path.egress.error, path.ingress.error)) {
            if (error.message() != null) {
                warnings.add("last data path error: " + error.message());
            }
        }
        for (HotThread t : path.threads()) {
            if (!t.alive()) {
                warnings.add("hot thread " + t.name() + " is not running");
            } else if (t.lastTurnMillis() > STUCK_MILLIS) {
                warnings.add("hot thread " + t.name() + " has not finished a turn for " + t.lastTurnMillis()
                        + " ms (stuck in a plugin call?)");
            }
        }
        return warnings;
    }

    /**
     * Installed plugins of one kind, by the name in their service property. One object may be registered
     * under several names (one delivery serving two capture modes); the first registered wins a name.
     */
    private static final class Named<T> {
        private record Entry<T>(String name, T service, Map<String, Object> properties) {
        }

        private final String kind;
        private final String property;
        private final List<Entry<T>> entries = new ArrayList<>();

        Named(String kind, String property) {
            this.kind = kind;
            this.property = property;
        }

        void add(T service, Map<String, Object> properties) {
            Object name = properties.get(property);
            if (name != null) {
                entries.add(new Entry<>(name.toString(), service, Map.copyOf(properties)));
            }
        }

        void remove(T service, Map<String, Object> properties) {
            entries.removeIf(e -> e.service == service && e.name.equals(String.valueOf(properties.get(property))));
        }

        T get(String name) {
            for (Entry<T> e : entries) {
                if (e.name.equals(name)) {
                    return e.service;
                }
            }
            return null;
        }

        /** "kind 'name' (bundle 12 org.example.plugin)", or null when the object is not one of these. */
        String describe(Object service, BundleContext context) {
            for (Entry<T> e : entries) {
                if (e.service == service) {
                    Object id = e.properties.get(Constants.SERVICE_BUNDLEID);
                    Bundle bundle = id instanceof Long l && context != null ? context.getBundle(l) : null;
                    return kind + " '" + e.name + "' (" + (bundle == null ? "bundle " + id
                            : "bundle " + bundle.getBundleId() + " " + bundle.getSymbolicName()) + ")";
                }
            }
            return null;
        }

        Selection selection(String configured) {
            List<String> available = entries.stream().map(Entry::name).distinct().sorted().collect(Collectors.toList());
            return new Selection(configured, get(configured) == null ? null : configured, available);
        }
    }
}
