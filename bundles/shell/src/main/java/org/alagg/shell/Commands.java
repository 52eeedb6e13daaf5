package org.alagg.shell;

import java.io.IOException;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.alagg.api.Alagg;
import org.alagg.api.ConfigFileStatus;
import org.alagg.api.Event;
import org.alagg.api.HotThread;
import org.alagg.api.InstanceStatus;
import org.alagg.api.InterfaceName;
import org.alagg.api.LinkState;
import org.alagg.api.LinkStatus;
import org.alagg.api.MacAddress;
import org.alagg.api.Selection;
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
 */
@Component(service = Commands.class, property = {
    "osgi.command.scope=alagg",
    "osgi.command.function=status",
    "osgi.command.function=links",
    "osgi.command.function=stats",
    "osgi.command.function=strategy",
    "osgi.command.function=interceptor",
    "osgi.command.function=link",
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

    /** For Declarative Services, which injects the references. */
    public Commands() {
    }

    /** With the services given, for tests. */
    Commands(ConfigurationAdmin configAdmin, InstanceStatus engine, ConfigFileStatus configFile) {
        this.configAdmin = configAdmin;
        this.engine = engine;
        this.configFile = configFile;
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
            warnings.addAll(status.warnings());
        }
        List<HotThread> threads = status == null ? List.of() : status.threads();
        report.put("threads", threads.stream().map(Commands::thread).toList());
        report.put("warnings", warnings);
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
        }
        threads.forEach(h -> t.row("thread", h.name() + ": " + (h.alive() ? "alive" : "NOT RUNNING") + ", last turn "
                + h.lastTurnMillis() + " ms ago, " + h.restarts() + (h.restarts() == 1 ? " restart" : " restarts")));
        warnings.forEach(w -> t.row("warning", w));
        events.forEach(e -> t.row("event", TIME.format(Instant.ofEpochMilli(e.timeMillis())) + " " + e.subject() + ": "
                + e.text()));
        return t.toString();
    }

    @Descriptor("the links: state and since when, round-trip time, loss both ways (last 2 s), last heard, frames")
    public String links(@Descriptor("print JSON") @Parameter(names = {"-j", "--json"}, presentValue = "true",
            absentValue = "false") boolean json) {
        List<LinkStatus> links = running().links();
        if (json) {
            List<Object> list = new ArrayList<>();
            for (LinkStatus l : links) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("link", l.link());
                m.put("peer", l.peer().toString());
                m.put("state", l.state().name());
                m.put("detail", l.detail());
                m.put("origin", l.origin());
                m.put("counters", l.counters());
                list.add(m);
            }
            return Json.write(list);
        }
        Table t = new Table("LINK", "PEER", "STATE", "SINCE", "RTT", "LOSS TO", "LOSS FROM", "HEARD", "SENT", "RECEIVED",
                "DUPLICATES", "LOST", "DETAIL", "ORIGIN");
        long now = System.currentTimeMillis();
        for (LinkStatus l : links) {
            Map<String, Long> c = l.counters();
            Long since = c.get("state_since_ms");
            Long rtt = c.get("rtt_us");
            Long heard = c.get("last_received_ms");
            t.row(l.link(), l.peer(), l.state(), since == null ? "-" : ago(now - since),
                    rtt == null ? "-" : String.format(java.util.Locale.ROOT, "%.2f ms +-%.2f", rtt / 1000.0, c.get("rtt_var_us") / 1000.0),
                    percent(c.get("recent_loss_to_peer_ppm")), percent(c.get("recent_loss_from_peer_ppm")),
                    heard == null || heard < 0 ? "never" : ago(heard), c.get("frames_sent"), c.get("frames_received"),
                    c.get("duplicates"), c.get("lost"), l.detail().isEmpty() ? "-" : l.detail(), l.origin());
        }
        return t.toString();
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

    @Descriptor("the sequence recovery counters (IEEE 802.1CB names)")
    public String stats(@Descriptor("print JSON") @Parameter(names = {"-j", "--json"}, presentValue = "true",
            absentValue = "false") boolean json) {
        Map<String, Long> counters = running().counters();
        if (json) {
            return Json.write(counters);
        }
        Table t = new Table("COUNTER", "VALUE");
        counters.forEach(t::row);
        return t.toString();
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

    @Descriptor("add a link: link add <interface> <peer MAC>")
    public String link(@Descriptor("add") String action, @Descriptor("local interface") String ifname,
                       @Descriptor("the peer's MAC address on it") String mac) throws IOException, InvalidSyntaxException {
        if (!action.equals("add")) {
            throw new IllegalArgumentException("unknown link action '" + action + "' with 2 arguments; use: link add <interface> <peer MAC>");
        }
        InterfaceName.check(ifname);
        MacAddress peer = MacAddress.parseUnicast(mac);
        Configuration existing = linkConfiguration(ifname);
        if (existing != null) {
            Dictionary<String, Object> p = existing.getProperties();
            throw new IllegalArgumentException("link " + ifname + " already exists (peer " + p.get(Alagg.LINK_PEER)
                    + ", from " + p.get(Alagg.ORIGIN) + "); remove it first");
        }
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put(Alagg.LINK_INTERFACE, ifname);
        properties.put(Alagg.LINK_PEER, peer.toString());
        properties.put(Alagg.ORIGIN, ORIGIN);
        configAdmin.getFactoryConfiguration(Alagg.LINK_FACTORY_PID, ifname, "?").update(properties);
        return "link " + ifname + " -> " + peer + " added";
    }

    @Descriptor("remove a link: link remove <interface>")
    public String link(@Descriptor("remove") String action, @Descriptor("local interface") String ifname)
            throws IOException, InvalidSyntaxException {
        if (!action.equals("remove")) {
            throw new IllegalArgumentException("unknown link action '" + action + "' with 1 argument; use: link remove <interface>");
        }
        Configuration existing = linkConfiguration(ifname);
        if (existing == null) {
            throw new IllegalArgumentException("no link " + ifname + " is configured");
        }
        existing.delete();
        return "link " + ifname + " removed";
    }

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
