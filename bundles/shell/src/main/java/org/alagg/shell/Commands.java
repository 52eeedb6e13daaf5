package org.alagg.shell;

import java.io.IOException;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import org.alagg.api.Alagg;
import org.alagg.api.ConfigFileStatus;
import org.alagg.api.Event;
import org.alagg.api.HotThread;
import org.alagg.api.InstanceStatus;
import org.alagg.api.InterfaceName;
import org.alagg.api.IpNetwork;
import org.alagg.api.LinkState;
import org.alagg.api.LinkStatus;
import org.alagg.api.MacAddress;
import org.alagg.api.PeerStatus;
import org.alagg.api.PluginReport;
import org.alagg.api.Selection;
import org.alagg.shell.view.Json;
import org.alagg.shell.view.PluginReports;
import org.alagg.shell.view.Table;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The operator's commands, in Gogo scope {@code alagg}. Each prints a plain table for people, or JSON with
 * {@code --json}. Changes go through Config Admin, like a change of the configuration file.
 *
 * <p>One instance may serve many peers (issue 13): a peer is a factory configuration {@code org.alagg.peer~<name>},
 * its links are link configurations whose {@code peer.name} is its name. The links without {@code peer.name}
 * (the single-peer form) are the peer named {@link Alagg#DEFAULT_PEER}, which has no peer configuration of its own.
 */
@Component(service = Commands.class, property = {
    "osgi.command.scope=alagg",
    "osgi.command.function=status",
    "osgi.command.function=links",
    "osgi.command.function=stats",
    "osgi.command.function=strategy",
    "osgi.command.function=interceptor",
    "osgi.command.function=link",
    "osgi.command.function=peers",
    "osgi.command.function=peer",
})
public final class Commands {
    /** The {@link Alagg#ORIGIN} of configurations written by these commands. */
    static final String ORIGIN = "command";

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    @Reference
    private ConfigurationAdmin configAdmin;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile InstanceStatus engine;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ConfigFileStatus configFile;

    /** The plugins that report their own counters and status lines, with their naming properties. */
    @Reference(service = PluginReport.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile List<Map.Entry<Map<String, Object>, PluginReport>> pluginReports = List.of();

    /** For Declarative Services, which injects the references. */
    public Commands() {
    }

    /** With the services given, for tests. */
    Commands(ConfigurationAdmin configAdmin, InstanceStatus engine, ConfigFileStatus configFile) {
        this.configAdmin = configAdmin;
        this.engine = engine;
        this.configFile = configFile;
    }

    /** With the plugins' reports given too, for tests. */
    Commands(ConfigurationAdmin configAdmin, InstanceStatus engine, ConfigFileStatus configFile,
             List<Map.Entry<Map<String, Object>, PluginReport>> pluginReports) {
        this(configAdmin, engine, configFile);
        this.pluginReports = pluginReports;
    }

    @Descriptor("what this instance runs, its configuration and what needs attention")
    public String status(@Descriptor("print JSON") @Parameter(names = {"-j", "--json"}, presentValue = "true",
            absentValue = "false") boolean json) {
        ConfigFileStatus file = configFile;
        InstanceStatus status = engine;
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("instance", status == null ? null : status.instance());
        report.put("engine", status == null ? "not running (no engine configuration)" : "running");
        if (file != null) {
            report.put("config", file.file().toString());
            report.put("config_applied", file.applied() == null ? null : TIME.format(file.applied()));
            report.put("config_error", file.error().orElse(null));
        }
        List<String> warnings = new ArrayList<>();
        if (status != null) {
            report.put("interceptor", selection(status.interceptor()));
            report.put("strategy", selection(status.strategy()));
            List<LinkStatus> links = status.links();
            report.put("links", links.size());
            report.put("links_up", links.stream().filter(l -> l.state() == LinkState.UP).count());
            report.put("links_degraded", links.stream().filter(l -> l.state() == LinkState.DEGRADED).count());
            List<PeerStatus> peers = sortedPeers(status);
            report.put("peers", peers.size());
            report.put("peers_up", peers.stream().filter(p -> p.state() == LinkState.UP).count());
            report.put("peers_degraded", peerNames(peers, LinkState.DEGRADED));
            report.put("peers_down", peerNames(peers, LinkState.DOWN));
            warnings.addAll(status.warnings());
        }
        List<HotThread> threads = status == null ? List.of() : status.threads();
        report.put("threads", threads.stream().map(Commands::thread).toList());
        report.put("warnings", warnings);
        PluginReports plugins = new PluginReports(pluginReports);
        report.put("plugins", plugins.status());
        List<Event> events = status == null ? List.of() : status.events();
        report.put("events", events.stream().map(e -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("time", TIME.format(Instant.ofEpochMilli(e.timeMillis())));
            m.put("subject", e.subject());
            m.put("text", e.text());
            return m;
        }).toList());
        if (json) {
            return Json.write(report);
        }
        Table t = new Table(2);
        t.row("instance", status == null ? "-" : status.instance());
        t.row("engine", report.get("engine"));
        if (file != null) {
            t.row("config", file.file() + (file.applied() == null ? "" : ", applied " + report.get("config_applied")));
            file.error().ifPresent(error -> {
                for (String line : error.split("\n")) {
                    t.row("config error", line + " (the last good configuration stays in force)");
                }
            });
        }
        if (status != null) {
            t.row("interceptor", describe(status.interceptor()));
            t.row("strategy", describe(status.strategy()));
            t.row("links", report.get("links") + " configured, " + report.get("links_up") + " up"
                    + ((long) report.get("links_degraded") > 0 ? ", " + report.get("links_degraded") + " degraded" : ""));
            if ((int) report.get("peers") > 0) {
                t.row("peers", peersLine(report));
            }
        }
        threads.forEach(h -> t.row("thread", h.name() + ": " + (h.alive() ? "alive" : "NOT RUNNING") + ", last turn "
                + h.lastTurnMillis() + " ms ago, " + h.restarts() + (h.restarts() == 1 ? " restart" : " restarts")));
        warnings.forEach(w -> t.row("warning", w));
        plugins.statusRows(t);
        events.forEach(e -> t.row("event", TIME.format(Instant.ofEpochMilli(e.timeMillis())) + " " + e.subject() + ": "
                + e.text()));
        return t.toString();
    }

    @Descriptor("the links, by peer: state and since when, round-trip time, loss both ways (last 2 s), last heard,"
            + " frames; a PEER column comes first once a peer other than 'default' has links")
    public String links(@Descriptor("print JSON") @Parameter(names = {"-j", "--json"}, presentValue = "true",
            absentValue = "false") boolean json) {
        List<LinkStatus> links = new ArrayList<>(running().links());
        links.sort(Comparator.comparing(Commands::peerOf, PEER_ORDER).thenComparing(LinkStatus::link, Commands::natural));
        if (json) {
            List<Object> list = new ArrayList<>();
            for (LinkStatus l : links) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("link", l.link());
                m.put("peer", l.peer().toString());
                m.put("peer_name", peerOf(l));
                m.put("state", l.state().name());
                m.put("detail", l.detail());
                m.put("origin", l.origin());
                m.put("counters", l.counters());
                list.add(m);
            }
            return Json.write(list);
        }
        // The single-peer form keeps its table as it always was (scripts and tests read its columns by position).
        boolean byPeer = links.stream().anyMatch(l -> !peerOf(l).equals(Alagg.DEFAULT_PEER));
        List<String> header = new ArrayList<>(List.of("LINK", byPeer ? "MAC" : "PEER", "STATE", "SINCE", "RTT",
                "LOSS TO", "LOSS FROM", "HEARD", "SENT", "RECEIVED", "DUPLICATES", "LOST", "DETAIL", "ORIGIN"));
        if (byPeer) {
            header.add(0, "PEER");
        }
        Table t = new Table(header.toArray(String[]::new));
        long now = System.currentTimeMillis();
        for (LinkStatus l : links) {
            Map<String, Long> c = l.counters();
            Long since = c.get("state_since_ms");
            Long rtt = c.get("rtt_us");
            Long heard = c.get("last_received_ms");
            List<Object> row = new ArrayList<>(List.of(l.link(), l.peer(), l.state(), since == null ? "-" : ago(now - since),
                    rtt == null ? "-" : String.format(java.util.Locale.ROOT, "%.2f ms +-%.2f", rtt / 1000.0, c.get("rtt_var_us") / 1000.0),
                    percent(c.get("recent_loss_to_peer_ppm")), percent(c.get("recent_loss_from_peer_ppm")),
                    heard == null || heard < 0 ? "never" : ago(heard), dash(c.get("frames_sent")),
                    dash(c.get("frames_received")), dash(c.get("duplicates")), dash(c.get("lost")),
                    l.detail().isEmpty() ? "-" : l.detail(), dash(l.origin())));
            if (byPeer) {
                row.add(0, peerOf(l));
            }
            t.row(row.toArray());
        }
        return t.toString();
    }

    /** A link's peer: {@link Alagg#DEFAULT_PEER} when the engine names none. */
    private static String peerOf(LinkStatus l) {
        return l.peerName() == null ? Alagg.DEFAULT_PEER : l.peerName();
    }

    /** What Table prints for a missing value; List.of takes no null. */
    private static Object dash(Object value) {
        return value == null ? "-" : value;
    }

    /** "350 ms ago", "12 s ago", "3 min ago". */
    private static String ago(long millis) {
        long m = Math.max(0, millis);
        return m < 10_000 ? m + " ms ago" : m < 600_000 ? m / 1000 + " s ago" : m / 60_000 + " min ago";
    }

    /** Parts per million as a percentage; "-" while not known. */
    private static String percent(Long ppm) {
        return ppm == null ? "-" : String.format(java.util.Locale.ROOT, "%.1f %%", ppm / 10_000.0);
    }

    @Descriptor("the counters (sending, and sequence recovery by their IEEE 802.1CB names): the totals, then a few"
            + " of each peer's, then the plugins' own; --peer NAME: all of one peer's")
    public String stats(@Descriptor("print JSON: the totals, under \"peers\" every peer's counters by name, under"
                        + " \"plugins\" the plugins' own by kind and name")
                        @Parameter(names = {"-j", "--json"}, presentValue = "true", absentValue = "false") boolean json,
                        @Descriptor("only this peer's counters") @Parameter(names = {"-p", "--peer"}, absentValue = "")
                        String peer) {
        InstanceStatus status = running();
        Map<String, Long> counters = status.counters();
        List<PeerStatus> peers = sortedPeers(status);
        PluginReports plugins = new PluginReports(pluginReports);
        if (!peer.isEmpty()) {
            PeerStatus p = peers.stream().filter(x -> x.name().equals(peer)).findFirst().orElseThrow(
                    () -> new IllegalArgumentException("no peer '" + peer + "'; peers: "
                            + names(peers.stream().map(PeerStatus::name).toList())));
            Map<String, Long> own = ordered(p.counters(), counters);
            if (json) {
                return Json.write(own);
            }
            Table t = new Table("COUNTER", "VALUE");
            own.forEach(t::row);
            return "peer " + p.name() + "\n" + t;
        }
        if (json) {
            Map<String, Object> all = new LinkedHashMap<>(counters);
            Map<String, Object> byPeer = new LinkedHashMap<>();
            peers.forEach(p -> byPeer.put(p.name(), ordered(p.counters(), counters)));
            all.put("peers", byPeer);
            all.put("plugins", plugins.counters());
            return Json.write(all);
        }
        Table t = new Table("COUNTER", "VALUE");
        counters.forEach(t::row);
        String pluginTable = "";
        if (!plugins.isEmpty()) {
            Table byPlugin = new Table("PLUGIN", "COUNTER", "VALUE");
            plugins.counterRows(byPlugin);
            pluginTable = "\n\n" + byPlugin;
        }
        if (peers.isEmpty() || peers.size() == 1 && peers.get(0).name().equals(Alagg.DEFAULT_PEER)) {
            return t + pluginTable; // the totals are the one peer's counters
        }
        List<String> header = new ArrayList<>(List.of("PEER"));
        PEER_STATS.forEach(name -> header.add(name.toUpperCase(java.util.Locale.ROOT)));
        Table perPeer = new Table(header.toArray(String[]::new));
        for (PeerStatus p : peers) {
            List<Object> row = new ArrayList<>(List.of(p.name()));
            PEER_STATS.forEach(name -> row.add(dash(p.counters().get(name))));
            perPeer.row(row.toArray());
        }
        return t + "\n\n" + perPeer + pluginTable + "\n\nevery counter of one peer: alagg:stats --peer NAME";
    }

    /** The counters {@code alagg:stats} shows for every peer: what became of its packets and of its frames. */
    static final List<String> PEER_STATS = List.of("sent", "unsent", "too_big", "refused", "received", "passed",
            "discarded", "out_of_order", "lost", "late");

    /** A peer's counters in the order of the totals (the engine's), then any others by name. */
    private static Map<String, Long> ordered(Map<String, Long> counters, Map<String, Long> totals) {
        Map<String, Long> ordered = new LinkedHashMap<>();
        totals.keySet().stream().filter(counters::containsKey).forEach(name -> ordered.put(name, counters.get(name)));
        new TreeMap<>(counters).forEach(ordered::putIfAbsent);
        return ordered;
    }

    @Descriptor("the peers: state, links up of all, allowed inner networks, packets passed, lost and sent, why")
    public String peers(@Descriptor("print JSON: every peer with all its counters")
                        @Parameter(names = {"-j", "--json"}, presentValue = "true", absentValue = "false") boolean json) {
        InstanceStatus status = running();
        List<PeerStatus> peers = sortedPeers(status);
        List<LinkStatus> links = status.links();
        if (json) {
            List<Object> list = new ArrayList<>();
            for (PeerStatus p : peers) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", p.name());
                m.put("state", p.state().name());
                m.put("detail", p.detail());
                m.put("links", p.links());
                m.put("links_up", linksUp(p, links));
                m.put("allowed", p.allowed().stream().map(IpNetwork::toString).toList());
                m.put("origin", p.origin());
                m.put("counters", ordered(p.counters(), status.counters()));
                list.add(m);
            }
            return Json.write(list);
        }
        Table t = new Table("PEER", "STATE", "LINKS UP", "INTERFACES", "ALLOWED", "PASSED", "LOST", "SENT", "DETAIL",
                "ORIGIN");
        for (PeerStatus p : peers) {
            t.row(p.name(), p.state(), linksUp(p, links) + "/" + p.links().size(),
                    p.links().isEmpty() ? "-" : String.join(",", p.links()),
                    p.allowed().isEmpty() ? "(the rest)" : p.allowed().stream().map(IpNetwork::toString)
                            .collect(Collectors.joining(",")),
                    p.counters().get("passed"), p.counters().get("lost"), p.counters().get("sent"),
                    p.detail() == null || p.detail().isEmpty() ? "-" : p.detail(), p.origin());
        }
        return t.toString();
    }

    /** How many of the peer's links are UP. */
    private static long linksUp(PeerStatus p, List<LinkStatus> links) {
        return links.stream().filter(l -> peerOf(l).equals(p.name()) && p.links().contains(l.link())
                && l.state() == LinkState.UP).count();
    }

    /** The engine's peers, {@link Alagg#DEFAULT_PEER} first, then by name (branch2 before branch10). */
    private static List<PeerStatus> sortedPeers(InstanceStatus status) {
        List<PeerStatus> peers = new ArrayList<>(status.peers());
        peers.sort(Comparator.comparing(PeerStatus::name, PEER_ORDER));
        return peers;
    }

    private static List<String> peerNames(List<PeerStatus> peers, LinkState state) {
        return peers.stream().filter(p -> p.state() == state).map(PeerStatus::name).toList();
    }

    /** "7 of 8 up; degraded: branch5; down: branch3". */
    @SuppressWarnings("unchecked")
    private static String peersLine(Map<String, Object> report) {
        StringBuilder s = new StringBuilder(report.get("peers_up") + " of " + report.get("peers") + " up");
        List<String> degraded = (List<String>) report.get("peers_degraded");
        List<String> down = (List<String>) report.get("peers_down");
        if (!degraded.isEmpty()) {
            s.append("; degraded: ").append(String.join(", ", degraded));
        }
        if (!down.isEmpty()) {
            s.append("; down: ").append(String.join(", ", down));
        }
        return s.toString();
    }

    /** {@link Alagg#DEFAULT_PEER} first, then the others in {@link #natural} order. */
    static final Comparator<String> PEER_ORDER = Comparator.comparing((String name) -> !name.equals(Alagg.DEFAULT_PEER))
            .thenComparing(Commands::natural);

    /** Text order, except that runs of digits compare as numbers: eth2 before eth10, branch9 before branch10. */
    static int natural(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char x = a.charAt(i);
            char y = b.charAt(j);
            if (Character.isDigit(x) && Character.isDigit(y)) {
                int endA = i;
                while (endA < a.length() && Character.isDigit(a.charAt(endA))) {
                    endA++;
                }
                int endB = j;
                while (endB < b.length() && Character.isDigit(b.charAt(endB))) {
                    endB++;
                }
                String numberA = a.substring(i, endA).replaceFirst("^0+(?=.)", "");
                String numberB = b.substring(j, endB).replaceFirst("^0+(?=.)", "");
                int c = numberA.length() != numberB.length() ? Integer.compare(numberA.length(), numberB.length())
                        : numberA.compareTo(numberB);
                if (c != 0) {
                    return c;
                }
                i = endA;
                j = endB;
            } else {
                if (x != y) {
                    return Character.compare(x, y);
                }
                i++;
                j++;
            }
        }
        int c = Integer.compare(a.length() - i, b.length() - j);
        return c != 0 ? c : a.compareTo(b);
    }

    @Descriptor("show the reordering strategy and the installed ones")
    public String strategy(@Descriptor("print JSON") @Parameter(names = {"-j", "--json"}, presentValue = "true",
            absentValue = "false") boolean json) {
        return show(running().strategy(), json);
    }

    @Descriptor("switch the reordering strategy (through Config Admin, while traffic flows)")
    public String strategy(@Descriptor("select it even when no installed plugin provides it, and wait for one")
                           @Parameter(names = {"-w", "--wait"}, presentValue = "true", absentValue = "false") boolean wait,
                           @Descriptor("(with a name: not allowed)") @Parameter(names = {"-j", "--json"}, presentValue = "true",
                                   absentValue = "false") boolean json,
                           @Descriptor("strict, windowed, none or a plugin's name") String name) throws IOException {
        return select("reordering strategy", Alagg.ENGINE_STRATEGY, name, wait, json, () -> running().strategy());
    }

    @Descriptor("show the capture mode and the installed ones")
    public String interceptor(@Descriptor("print JSON") @Parameter(names = {"-j", "--json"}, presentValue = "true",
            absentValue = "false") boolean json) {
        return show(running().interceptor(), json);
    }

    @Descriptor("switch the capture mode (through Config Admin, while traffic flows)")
    public String interceptor(@Descriptor("select it even when no installed plugin provides it, and wait for one")
                              @Parameter(names = {"-w", "--wait"}, presentValue = "true", absentValue = "false") boolean wait,
                              @Descriptor("(with a name: not allowed)") @Parameter(names = {"-j", "--json"}, presentValue = "true",
                                      absentValue = "false") boolean json,
                              @Descriptor("nfqueue, tun, tap or a plugin's name") String name) throws IOException {
        return select("interceptor", Alagg.ENGINE_INTERCEPTOR, name, wait, json, () -> running().interceptor());
    }

    @Descriptor("add a link: link add [--peer NAME] <interface> <peer MAC>; without --peer (or with --peer default) a"
            + " link of the default peer, org.alagg.link~<interface>; with it one of peer NAME, org.alagg.link~NAME.<interface>")
    public String link(@Descriptor("the peer the link leads to (added with peer add); default: the default peer")
                       @Parameter(names = {"-p", "--peer"}, absentValue = Alagg.DEFAULT_PEER) String peerName,
                       @Descriptor("add") String action, @Descriptor("local interface") String ifname,
                       @Descriptor("the peer's MAC address on it") String mac) throws IOException, InvalidSyntaxException {
        if (!action.equals("add")) {
            throw new IllegalArgumentException("unknown link action '" + action
                    + "' with 2 arguments; use: link add [--peer NAME] <interface> <peer MAC>");
        }
        Alagg.checkPeerName(peerName);
        InterfaceName.check(ifname);
        MacAddress peer = MacAddress.parseUnicast(mac);
        boolean isDefault = peerName.equals(Alagg.DEFAULT_PEER);
        if (isDefault) {
            Configuration existing = linkConfiguration(ifname);
            if (existing != null) {
                LinkConfiguration other = LinkConfiguration.of(existing);
                if (!other.peerName().equals(Alagg.DEFAULT_PEER)) {
                    throw new IllegalArgumentException("configuration " + existing.getPid() + " exists already: "
                            + other.describe() + " of peer " + other.peerName());
                }
                Dictionary<String, Object> p = existing.getProperties();
                throw new IllegalArgumentException("link " + ifname + " already exists (peer " + p.get(Alagg.LINK_PEER)
                        + ", from " + p.get(Alagg.ORIGIN) + "); remove it first");
            }
        } else {
            if (peerConfiguration(peerName) == null) {
                throw new IllegalArgumentException("no peer " + peerName + " is configured; add it with peer add "
                        + peerName + " [--allowed CIDRs] <interface>=<MAC> ...");
            }
            Optional<LinkConfiguration> existing = linkConfigurations("(" + Alagg.LINK_INTERFACE + "=" + escape(ifname) + ")")
                    .stream().filter(l -> l.peerName().equals(peerName)).findFirst();
            if (existing.isPresent()) {
                throw new IllegalArgumentException("link " + ifname + " of peer " + peerName + " already exists (peer "
                        + existing.get().mac() + ", from " + existing.get().origin() + "); remove it first");
            }
            checkFreeName(peerName, ifname);
        }
        checkMacFree(ifname, peer, peerName);
        writeLink(peerName, ifname, peer);
        return "link " + ifname + " -> " + peer + (isDefault ? "" : " of peer " + peerName) + " added";
    }

    @Descriptor("remove a link: link remove [--peer NAME] <interface>; without --peer (or with --peer default) the"
            + " default peer's link on that interface")
    public String link(@Descriptor("the peer the link leads to; default: the default peer")
                       @Parameter(names = {"-p", "--peer"}, absentValue = Alagg.DEFAULT_PEER) String peerName,
                       @Descriptor("remove") String action, @Descriptor("local interface") String ifname)
            throws IOException, InvalidSyntaxException {
        if (!action.equals("remove")) {
            throw new IllegalArgumentException("unknown link action '" + action
                    + "' with 1 argument; use: link remove [--peer NAME] <interface>");
        }
        boolean isDefault = peerName.equals(Alagg.DEFAULT_PEER);
        List<LinkConfiguration> onInterface = linkConfigurations("(" + Alagg.LINK_INTERFACE + "=" + escape(ifname) + ")");
        Configuration existing = isDefault ? linkConfiguration(ifname) : onInterface.stream()
                .filter(l -> l.peerName().equals(peerName)).map(LinkConfiguration::configuration).findFirst().orElse(null);
        if (existing != null && isDefault && !LinkConfiguration.of(existing).peerName().equals(Alagg.DEFAULT_PEER)) {
            LinkConfiguration named = LinkConfiguration.of(existing);
            throw new IllegalArgumentException("no link " + ifname + " of the default peer is configured; "
                    + existing.getPid() + " is peer " + named.peerName() + "'s link on " + named.ifname()
                    + ": link remove --peer " + named.peerName() + " " + named.ifname());
        }
        if (existing == null) {
            List<String> others = onInterface.stream().filter(l -> !l.peerName().equals(peerName))
                    .map(l -> l.peerName().equals(Alagg.DEFAULT_PEER) ? "link remove " + ifname
                            : "link remove --peer " + l.peerName() + " " + ifname)
                    .toList();
            throw new IllegalArgumentException("no link " + ifname + (isDefault ? "" : " of peer " + peerName)
                    + " is configured" + (others.isEmpty() ? "" : "; on " + ifname + " there are: " + String.join(", ", others)));
        }
        existing.delete();
        return "link " + ifname + (isDefault ? "" : " of peer " + peerName) + " removed";
    }

    @Descriptor("add a peer and its links: peer add <name> [--allowed CIDRs] <interface>=<MAC> [<interface>=<MAC> ...];"
            + " writes org.alagg.peer~<name> and org.alagg.link~<name>.<interface> (set its key and options in the"
            + " configuration file or in Config Admin)")
    public String peer(@Descriptor("the inner networks behind the peer, comma-separated CIDRs; left out: what no other"
                               + " peer's networks hold (at most one peer)")
                       @Parameter(names = {"-a", "--allowed"}, absentValue = "") String allowed,
                       @Descriptor("add") String action, @Descriptor("the peer's name") String name,
                       @Descriptor("its links: local interface=the peer's MAC on it") String... links)
            throws IOException, InvalidSyntaxException {
        if (!action.equals("add")) {
            throw new IllegalArgumentException("unknown peer action '" + action + "' with " + (links.length + 1)
                    + " arguments; use: peer add <name> [--allowed CIDRs] <interface>=<MAC> ... or peer remove <name>");
        }
        Alagg.checkPeerName(name);
        if (name.equals(Alagg.DEFAULT_PEER)) {
            throw new IllegalArgumentException("the peer 'default' is the single-peer form of the configuration: add its"
                    + " links with link add <interface> <MAC>; name the new peer otherwise");
        }
        if (links.length == 0) {
            throw new IllegalArgumentException("peer " + name + " needs at least one link: peer add " + name
                    + " [--allowed CIDRs] <interface>=<MAC> [<interface>=<MAC> ...]");
        }
        List<IpNetwork> networks = allowed.isBlank() ? List.of() : IpNetwork.parseList(allowed);
        Map<String, MacAddress> parsed = new LinkedHashMap<>();
        for (String link : links) {
            int eq = link.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("link '" + link + "' is not <interface>=<MAC> (e.g. eth1=02:00:00:00:01:02)");
            }
            String ifname = InterfaceName.check(link.substring(0, eq));
            MacAddress mac = MacAddress.parseUnicast(link.substring(eq + 1));
            if (parsed.put(ifname, mac) != null) {
                throw new IllegalArgumentException("interface " + ifname + " is given twice; a peer has one link per interface");
            }
        }
        Configuration existing = peerConfiguration(name);
        if (existing != null) {
            throw new IllegalArgumentException("peer " + name + " already exists (" + existing.getPid() + ", from "
                    + existing.getProperties().get(Alagg.ORIGIN) + "); remove it first with peer remove " + name);
        }
        List<LinkConfiguration> orphans = linkConfigurations("(" + Alagg.LINK_PEER_NAME + "=" + escape(name) + ")");
        if (!orphans.isEmpty()) {
            throw new IllegalArgumentException("links of a peer " + name + " are configured without its peer configuration: "
                    + orphans.stream().map(LinkConfiguration::describe).collect(Collectors.joining(", "))
                    + "; remove them first with link remove --peer " + name + " <interface>");
        }
        checkNetworksFree(name, networks);
        for (Map.Entry<String, MacAddress> link : parsed.entrySet()) {
            checkFreeName(name, link.getKey());
            checkMacFree(link.getKey(), link.getValue(), name);
        }
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put(Alagg.PEER_NAME, name);
        if (!networks.isEmpty()) {
            properties.put(Alagg.PEER_ALLOWED, networks.stream().map(IpNetwork::toString).collect(Collectors.joining(",")));
        }
        properties.put(Alagg.ORIGIN, ORIGIN);
        // the peer first: the engine never sees a link whose peer it does not know
        configAdmin.getFactoryConfiguration(Alagg.PEER_FACTORY_PID, name, "?").update(properties);
        for (Map.Entry<String, MacAddress> link : parsed.entrySet()) {
            writeLink(name, link.getKey(), link.getValue());
        }
        return "peer " + name + " added: allowed " + (networks.isEmpty() ? "(the rest)" : properties.get(Alagg.PEER_ALLOWED))
                + "; links " + parsed.entrySet().stream().map(e -> e.getKey() + " -> " + e.getValue())
                        .collect(Collectors.joining(", "));
    }

    @Descriptor("remove a peer: peer remove <name>; deletes org.alagg.peer~<name> and every link configuration of it")
    public String peer(@Descriptor("remove") String action, @Descriptor("the peer's name") String name)
            throws IOException, InvalidSyntaxException {
        if (action.equals("add")) {
            return peer("", action, name);
        }
        if (!action.equals("remove")) {
            throw new IllegalArgumentException("unknown peer action '" + action
                    + "' with 1 argument; use: peer remove <name> or peer add <name> [--allowed CIDRs] <interface>=<MAC> ...");
        }
        if (name.equals(Alagg.DEFAULT_PEER)) {
            throw new IllegalArgumentException("the peer 'default' is the single-peer form of the configuration and cannot"
                    + " be removed; remove its links with link remove <interface>");
        }
        Configuration peer = peerConfiguration(name);
        List<LinkConfiguration> links = linkConfigurations("(" + Alagg.LINK_PEER_NAME + "=" + escape(name) + ")");
        if (peer == null && links.isEmpty()) {
            throw new IllegalArgumentException("no peer " + name + " is configured");
        }
        // its links first: the engine never sees a link whose peer is gone
        Set<String> origins = new LinkedHashSet<>();
        for (LinkConfiguration link : links) {
            origins.add(String.valueOf(link.origin()));
            link.configuration().delete();
        }
        if (peer != null) {
            origins.add(String.valueOf(peer.getProperties().get(Alagg.ORIGIN)));
            peer.delete();
        }
        origins.remove(ORIGIN);
        return "peer " + name + " removed" + (peer == null ? " (it had no peer configuration)" : "") + " with "
                + links.size() + (links.size() == 1 ? " link" : " links")
                + (links.isEmpty() ? "" : ": " + links.stream().map(LinkConfiguration::ifname).sorted(Commands::natural)
                        .collect(Collectors.joining(", ")))
                + (origins.isEmpty() ? "" : "\nit came from " + String.join(", ", origins)
                        + ": remove it there too, or an edit there brings it back");
    }

    /** A link configuration as Config Admin holds it. */
    private record LinkConfiguration(Configuration configuration, String ifname, String mac, String peerName,
                                     String origin) {
        static LinkConfiguration of(Configuration c) {
            Dictionary<String, Object> p = c.getProperties();
            Object peerName = p.get(Alagg.LINK_PEER_NAME);
            return new LinkConfiguration(c, String.valueOf(p.get(Alagg.LINK_INTERFACE)), String.valueOf(p.get(Alagg.LINK_PEER)),
                    peerName == null ? Alagg.DEFAULT_PEER : peerName.toString(), String.valueOf(p.get(Alagg.ORIGIN)));
        }

        String describe() {
            return configuration.getPid() + " (" + ifname + " -> " + mac + ", from " + origin + ")";
        }
    }

    /** The link configurations that match a filter besides being link configurations. */
    private List<LinkConfiguration> linkConfigurations(String filter) throws IOException, InvalidSyntaxException {
        Configuration[] found = configAdmin.listConfigurations(
                "(&(service.factoryPid=" + Alagg.LINK_FACTORY_PID + ")" + filter + ")");
        List<LinkConfiguration> links = new ArrayList<>();
        if (found != null) {
            for (Configuration c : found) {
                if (c.getProperties() != null) {
                    links.add(LinkConfiguration.of(c));
                }
            }
        }
        links.sort(Comparator.comparing(LinkConfiguration::peerName, PEER_ORDER)
                .thenComparing(LinkConfiguration::ifname, Commands::natural));
        return links;
    }

    /** The peer configuration of that name, wherever it came from, or null. */
    private Configuration peerConfiguration(String name) throws IOException, InvalidSyntaxException {
        Configuration[] found = configAdmin.listConfigurations("(&(service.factoryPid=" + Alagg.PEER_FACTORY_PID + ")("
                + Alagg.PEER_NAME + "=" + escape(name) + "))");
        return found == null ? null : found[0];
    }

    /**
     * Refuses a peer's MAC that another link configuration on the interface already has: frames from it could not
     * tell which peer they come from.
     */
    private void checkMacFree(String ifname, MacAddress mac, String peerName) throws IOException, InvalidSyntaxException {
        for (LinkConfiguration other : linkConfigurations("(" + Alagg.LINK_INTERFACE + "=" + escape(ifname) + ")")) {
            MacAddress otherMac;
            try {
                otherMac = MacAddress.parse(other.mac());
            } catch (IllegalArgumentException e) {
                continue; // the engine refuses that one
            }
            if (otherMac.equals(mac)) {
                throw new IllegalArgumentException("MAC " + mac + " on " + ifname + " is already the peer of "
                        + (other.peerName().equals(peerName) ? "" : "peer " + other.peerName() + "'s ") + "link "
                        + other.describe() + "; a MAC leads to one peer on an interface");
            }
        }
    }

    /**
     * Refuses a link of a named peer whose configuration name another configuration has: {@code org.alagg.link~hub.1}
     * is also the name of the default peer's link on a VLAN interface {@code hub.1}.
     */
    private void checkFreeName(String peerName, String ifname) throws IOException, InvalidSyntaxException {
        Configuration[] found = configAdmin.listConfigurations(
                "(service.pid=" + Alagg.LINK_FACTORY_PID + "~" + escape(peerName + "." + ifname) + ")");
        if (found != null && found[0].getProperties() != null) {
            throw new IllegalArgumentException("configuration " + found[0].getPid() + " exists already: "
                    + LinkConfiguration.of(found[0]).describe() + " of peer " + LinkConfiguration.of(found[0]).peerName());
        }
    }

    /**
     * Refuses a peer whose networks another peer configuration has exactly, or that leaves them out like another:
     * a packet could not be told which peer it is for.
     */
    private void checkNetworksFree(String name, List<IpNetwork> networks) throws IOException, InvalidSyntaxException {
        Configuration[] found = configAdmin.listConfigurations("(service.factoryPid=" + Alagg.PEER_FACTORY_PID + ")");
        if (found == null) {
            return;
        }
        for (Configuration c : found) {
            Dictionary<String, Object> p = c.getProperties();
            if (p == null) {
                continue;
            }
            Object other = p.get(Alagg.PEER_NAME);
            Object value = p.get(Alagg.PEER_ALLOWED);
            List<IpNetwork> theirs;
            try {
                theirs = value == null || value.toString().isBlank() ? List.of() : IpNetwork.parseList(value.toString());
            } catch (IllegalArgumentException e) {
                continue; // the engine refuses that one
            }
            if (networks.isEmpty() && theirs.isEmpty()) {
                throw new IllegalArgumentException("peer " + other + " (from " + p.get(Alagg.ORIGIN) + ") already takes"
                        + " what no other peer's networks hold; give " + name + " its networks with --allowed CIDRs");
            }
            for (IpNetwork network : networks) {
                if (theirs.contains(network)) {
                    throw new IllegalArgumentException("network " + network + " is already peer " + other + "'s (from "
                            + p.get(Alagg.ORIGIN) + ")");
                }
            }
        }
    }

    /** Writes a link configuration: the default peer's as {@code link add} always did, a named peer's with peer.name. */
    private void writeLink(String peerName, String ifname, MacAddress peer) throws IOException {
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put(Alagg.LINK_INTERFACE, ifname);
        properties.put(Alagg.LINK_PEER, peer.toString());
        boolean isDefault = peerName.equals(Alagg.DEFAULT_PEER);
        if (!isDefault) {
            properties.put(Alagg.LINK_PEER_NAME, peerName);
        }
        properties.put(Alagg.ORIGIN, ORIGIN);
        configAdmin.getFactoryConfiguration(Alagg.LINK_FACTORY_PID, isDefault ? ifname : peerName + "." + ifname, "?")
                .update(properties);
    }

    /** The default peer's link configuration on an interface, {@code org.alagg.link~<interface>}, or null. */
    private Configuration linkConfiguration(String ifname) throws IOException, InvalidSyntaxException {
        Configuration[] found = configAdmin.listConfigurations(
                "(service.pid=" + Alagg.LINK_FACTORY_PID + "~" + escape(ifname) + ")");
        return found == null ? null : found[0];
    }

    /**
     * Selects a plugin by name. A name no installed plugin provides is refused unless {@code wait} says to select it
     * anyway: selecting it would otherwise turn the part off (nothing captured, no reordering) by a typing mistake.
     */
    private String select(String what, String property, String name, boolean wait, boolean json,
                          Supplier<Selection> selection) throws IOException {
        // --json is an option here too only so that Gogo never takes "--json" for a name and picks this overload
        if (json) {
            throw new IllegalArgumentException("--json shows the " + what + "; it cannot be combined with a name");
        }
        Alagg.checkPluginName(what, name);
        List<String> installed = wait ? null : selection.get().available();
        if (installed != null && !installed.contains(name)) {
            throw new IllegalArgumentException(what + " '" + name + "' is not installed; installed: " + names(installed)
                    + "; add --wait to select it anyway and wait for a plugin that provides it");
        }
        Configuration engineConfig = configAdmin.getConfiguration(Alagg.ENGINE_PID, "?");
        Dictionary<String, Object> properties = engineConfig.getProperties();
        if (properties == null) {
            throw new IllegalStateException("the engine has no configuration yet");
        }
        Object before = properties.get(property);
        properties.put(property, name);
        properties.put(Alagg.ORIGIN, ORIGIN);
        engineConfig.update(properties);
        String result = what + ": " + before + " -> " + name;
        List<String> now = engine == null ? null : selection.get().available();
        if (now != null && !now.contains(name)) {
            result += "\nwaiting for a plugin that provides " + what + " '" + name + "' (installed: " + names(now) + ")";
        }
        return result;
    }

    private static String names(List<String> installed) {
        return installed.isEmpty() ? "none" : String.join(", ", installed);
    }

    private static String show(Selection s, boolean json) {
        return json ? Json.write(selection(s)) : describe(s) + "\ninstalled: " + names(s.available());
    }

    private static Map<String, Object> selection(Selection s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("configured", s.configured());
        m.put("active", s.active());
        m.put("available", s.available());
        m.put("waiting", waiting(s));
        return m;
    }

    /** Whether the configured name is one no installed plugin provides: the engine waits for one to appear. */
    private static boolean waiting(Selection s) {
        return s.active() == null && !s.available().contains(s.configured());
    }

    private static String describe(Selection s) {
        if (waiting(s)) {
            return s.configured() + " (waiting for plugin '" + s.configured() + "')";
        }
        if (s.active() == null) {
            return s.configured() + " (installed, not in use)";
        }
        return s.configured() + (s.active().equals(s.configured()) ? "" : " (using '" + s.active() + "')");
    }

    private static Map<String, Object> thread(HotThread h) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", h.name());
        m.put("alive", h.alive());
        m.put("last_turn_ms", h.lastTurnMillis());
        m.put("restarts", h.restarts());
        return m;
    }

    private InstanceStatus running() {
        InstanceStatus status = engine;
        if (status == null) {
            throw new IllegalStateException("the engine is not running (it has no configuration yet)");
        }
        return status;
    }

    /** Escapes an LDAP filter value; interface names may hold '(' or '*'. */
    private static String escape(String value) {
        return value.replaceAll("([\\\\*()])", "\\\\$1");
    }

    /** One line saying what went wrong, for a person: the message, not the stack. */
    static String describe(Throwable e) {
        Throwable cause = e;
        while (cause.getMessage() == null && cause.getCause() != null) {
            cause = cause.getCause();
        }
        String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return "error: " + message;
    }
}
