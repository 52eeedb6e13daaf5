package org.alagg.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.alagg.api.Alagg;
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
import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The commands as Gogo runs them for {@code alagg ctl}: the real command processor picks among the overloads and
 * parses the options, and a failure is an exception (which the control socket turns into exit status 1).
 */
class CommandsTest {
    private final Dictionary<String, Object> engineConfig = new Hashtable<>(Map.of(
            Alagg.ENGINE_STRATEGY, "windowed", Alagg.ENGINE_INTERCEPTOR, "nfqueue", Alagg.ORIGIN, "/etc/alagg.cfg"));
    private final List<Dictionary<String, Object>> updates = new ArrayList<>();
    private final FakeEngine engine = new FakeEngine();
    private final List<Map.Entry<Map<String, Object>, PluginReport>> pluginReports = new ArrayList<>();
    private final ThreadIOImpl threadIO = new ThreadIOImpl();
    private final CommandProcessorImpl processor = new CommandProcessorImpl(threadIO);

    CommandsTest() {
        threadIO.start();
        Commands commands = new Commands(configAdmin(), engine, null, pluginReports);
        for (String function : List.of("status", "strategy", "interceptor", "links", "stats", "link", "peers", "peer")) {
            processor.addCommand("alagg", commands, function);
        }
    }

    @AfterEach
    void stop() {
        processor.stop();
        threadIO.stop();
    }

    /** What {@code alagg ctl} would print: the output, or the exception's line. */
    private record Answer(boolean failed, String text) {
    }

    private Answer run(String commandLine) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        CommandSession session = processor.createSession(InputStream.nullInputStream(), print, print);
        try {
            Object result = session.execute(commandLine);
            return new Answer(false, result == null ? "" : session.format(result, Converter.INSPECT).toString());
        } catch (Exception e) {
            return new Answer(true, Commands.describe(e));
        } finally {
            session.close();
        }
    }

    @Test
    void aStrategyNoPluginProvidesIsRefusedNamingTheInstalledOnes() {
        Answer answer = run("alagg:strategy bogus");
        assertTrue(answer.failed(), answer::text);
        assertEquals("error: reordering strategy 'bogus' is not installed; installed: none, strict, windowed;"
                + " add --wait to select it anyway and wait for a plugin that provides it", answer.text());
        assertEquals(List.of(), updates, "the configuration was changed");
    }

    @Test
    void anInterceptorNoPluginProvidesIsRefusedToo() {
        Answer answer = run("alagg:interceptor tum");
        assertTrue(answer.failed(), answer::text);
        assertEquals("error: interceptor 'tum' is not installed; installed: nfqueue, tap, tun;"
                + " add --wait to select it anyway and wait for a plugin that provides it", answer.text());
        assertEquals(List.of(), updates);
    }

    @Test
    void aMalformedNameIsRefusedWithTheSharedCheck() {
        IllegalArgumentException shared = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Alagg.checkPluginName("reordering strategy", "Bogus"));
        for (String command : List.of("alagg:strategy Bogus", "alagg:strategy --wait Bogus")) {
            Answer answer = run(command);
            assertTrue(answer.failed(), answer::text);
            assertEquals("error: " + shared.getMessage(), answer.text());
        }
        assertEquals(List.of(), updates);
    }

    @Test
    void anInstalledStrategyIsSelectedThroughConfigAdmin() {
        Answer answer = run("alagg:strategy strict");
        assertEquals(new Answer(false, "reordering strategy: windowed -> strict"), answer);
        assertEquals(1, updates.size());
        assertEquals("strict", updates.get(0).get(Alagg.ENGINE_STRATEGY));
        assertEquals(Commands.ORIGIN, updates.get(0).get(Alagg.ORIGIN));
    }

    @Test
    void withWaitAMissingStrategyIsSelectedAndStatusSaysItWaitsForThePlugin() {
        for (String option : List.of("--wait", "-w")) {
            updates.clear();
            Answer answer = run("alagg:strategy " + option + " bogus");
            assertTrue(!answer.failed(), answer::text);
            assertTrue(answer.text().startsWith("reordering strategy: windowed -> bogus\n"
                    + "waiting for a plugin that provides reordering strategy 'bogus'"), answer::text);
            assertEquals("bogus", updates.get(0).get(Alagg.ENGINE_STRATEGY));
        }
        engine.strategy = new Selection("bogus", null, List.of("none", "strict", "windowed"));

        String table = run("alagg:status").text();
        assertTrue(table.lines().anyMatch(l -> l.matches("strategy\\s+bogus \\(waiting for plugin 'bogus'\\)")), table);
        String json = run("alagg:status --json").text();
        assertTrue(json.contains("\"strategy\":{\"configured\":\"bogus\",\"active\":null,"
                + "\"available\":[\"none\",\"strict\",\"windowed\"],\"waiting\":true}"), json);
        String show = run("alagg:strategy").text();
        assertTrue(show.startsWith("bogus (waiting for plugin 'bogus')\ninstalled: none, strict, windowed"), show);
    }

    @Test
    void theOptionsOfTheShowingOverloadStillWork() {
        Answer json = run("alagg:strategy --json");
        assertEquals(new Answer(false, "{\"configured\":\"windowed\",\"active\":\"windowed\","
                + "\"available\":[\"none\",\"strict\",\"windowed\"],\"waiting\":false}"), json);
        assertEquals(List.of(), updates);
        Answer plain = run("alagg:interceptor");
        assertEquals(new Answer(false, "nfqueue\ninstalled: nfqueue, tap, tun"), plain);
        Answer both = run("alagg:strategy --json strict");
        assertEquals(new Answer(true, "error: --json shows the reordering strategy; it cannot be combined with a name"), both);
        assertEquals(List.of(), updates);
    }

    @Test
    void statusShowsTheHotThreads() {
        engine.threads = List.of(new HotThread("alagg-egress", true, 3, 0),
                new HotThread("alagg-ingress", false, 5200, 2));
        String table = run("alagg:status").text();
        assertTrue(table.lines().anyMatch(l -> l.matches("thread\\s+alagg-egress: alive, last turn 3 ms ago, 0 restarts")), table);
        assertTrue(table.lines().anyMatch(
                l -> l.matches("thread\\s+alagg-ingress: NOT RUNNING, last turn 5200 ms ago, 2 restarts")), table);
        assertTrue(table.lines().anyMatch(l -> l.matches("warning\\s+a warning")), table);

        String json = run("alagg:status --json").text();
        assertTrue(json.contains("\"threads\":[{\"name\":\"alagg-egress\",\"alive\":true,\"last_turn_ms\":3,\"restarts\":0},"
                + "{\"name\":\"alagg-ingress\",\"alive\":false,\"last_turn_ms\":5200,\"restarts\":2}]"), json);
        assertTrue(json.contains("\"warnings\":[\"a warning\"]"), json);
    }

    @Test
    void statusWithoutThreadsHasAnEmptyList() {
        String json = run("alagg:status --json").text();
        assertTrue(json.contains("\"threads\":[]"), json);
    }

    // ---- many peers (issue 13) ----

    private static final String FILE = "/etc/alagg/hub.cfg";

    private static LinkStatus link(String peer, String ifname, String mac, LinkState state, long sent) {
        return new LinkStatus(ifname, MacAddress.parse(mac), state, state == LinkState.DOWN ? "nothing heard" : "",
                FILE, Map.of("frames_sent", sent, "frames_received", sent / 2), peer);
    }

    private static PeerStatus peer(String name, LinkState state, String detail, List<String> links, String allowed,
                                   Map<String, Long> counters) {
        return new PeerStatus(name, state, detail, links, allowed.isEmpty() ? List.of() : IpNetwork.parseList(allowed),
                FILE, counters);
    }

    /** A hub with two peers, branch1 (both links up) and branch2 (one of two). */
    private void hubWithTwoPeers() {
        engine.counters = ordered("captured", 300L, "sent", 290L, "unsent", 10L, "received", 800L, "passed", 700L, "lost", 4L);
        engine.peers = List.of(
                peer("branch2", LinkState.DEGRADED, "link eth2 down", List.of("eth1", "eth2"), "10.2.0.0/16",
                        Map.of("sent", 90L, "passed", 200L, "lost", 4L, "received", 300L)),
                peer("branch1", LinkState.UP, "", List.of("eth1", "eth2"), "10.1.0.0/16,fd00:1::/64",
                        Map.of("sent", 200L, "passed", 500L, "lost", 0L, "received", 500L, "captured", 200L)));
        engine.links = List.of(
                link("branch2", "eth2", "02:00:00:00:02:02", LinkState.DOWN, 5),
                link("branch2", "eth1", "02:00:00:00:02:01", LinkState.UP, 50),
                link("branch1", "eth2", "02:00:00:00:01:02", LinkState.UP, 100),
                link("branch1", "eth1", "02:00:00:00:01:01", LinkState.UP, 100));
    }

    private static Map<String, Long> ordered(Object... keysAndValues) {
        Map<String, Long> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], (Long) keysAndValues[i + 1]);
        }
        return m;
    }

    private static List<List<String>> columns(String table) {
        return table.lines().map(l -> List.of(l.split("\\s{2,}"))).toList();
    }

    @Test
    void peersShowsEachPeerWithItsLinksNetworksAndCounters() {
        hubWithTwoPeers();
        Answer answer = run("alagg:peers");
        assertFalse(answer.failed(), answer::text);
        List<List<String>> rows = columns(answer.text());
        assertEquals(List.of("PEER", "STATE", "LINKS UP", "INTERFACES", "ALLOWED", "PASSED", "LOST", "SENT", "DETAIL",
                "ORIGIN"), rows.get(0));
        assertEquals(List.of("branch1", "UP", "2/2", "eth1,eth2", "10.1.0.0/16,fd00:1:0:0:0:0:0:0/64", "500", "0", "200",
                "-", FILE), rows.get(1));
        assertEquals(List.of("branch2", "DEGRADED", "1/2", "eth1,eth2", "10.2.0.0/16", "200", "4", "90",
                "link eth2 down", FILE), rows.get(2));
        assertEquals(3, rows.size(), answer::text);

        String json = run("alagg:peers --json").text();
        assertTrue(json.startsWith("[{\"name\":\"branch1\",\"state\":\"UP\",\"detail\":\"\",\"links\":[\"eth1\",\"eth2\"],"
                + "\"links_up\":2,\"allowed\":[\"10.1.0.0/16\",\"fd00:1:0:0:0:0:0:0/64\"],\"origin\":\"" + FILE + "\","
                + "\"counters\":{\"captured\":200,\"sent\":200,\"received\":500,\"passed\":500,\"lost\":0}},"
                + "{\"name\":\"branch2\",\"state\":\"DEGRADED\",\"detail\":\"link eth2 down\","), json);
        assertTrue(json.endsWith("\"counters\":{\"sent\":90,\"received\":300,\"passed\":200,\"lost\":4}}]"), json);
    }

    @Test
    void aPeerThatTakesTheRestSaysSo() {
        engine.peers = List.of(peer("default", LinkState.DOWN, "no link", List.of(), "", Map.of()));
        List<List<String>> rows = columns(run("alagg:peers").text());
        assertEquals(List.of("default", "DOWN", "0/0", "-", "(the rest)", "-", "-", "-", "no link", FILE), rows.get(1));
        assertTrue(run("alagg:peers --json").text().contains("\"links\":[],\"links_up\":0,\"allowed\":[],"));
    }

    @Test
    void statusSaysWhichPeersAreUp() {
        List<PeerStatus> peers = new ArrayList<>();
        for (int i = 1; i <= 8; i++) {
            peers.add(peer("branch" + i, i == 3 ? LinkState.DOWN : LinkState.UP, "", List.of("eth1"), "10." + i + ".0.0/16",
                    Map.of()));
        }
        engine.peers = peers;
        String table = run("alagg:status").text();
        assertTrue(table.lines().anyMatch(l -> l.matches("peers\\s+7 of 8 up; down: branch3")), table);
        String json = run("alagg:status --json").text();
        assertTrue(json.contains("\"peers\":8,\"peers_up\":7,\"peers_degraded\":[],\"peers_down\":[\"branch3\"]"), json);

        hubWithTwoPeers();
        table = run("alagg:status").text();
        assertTrue(table.lines().anyMatch(l -> l.matches("peers\\s+1 of 2 up; degraded: branch2")), table);
    }

    @Test
    void statusOfAnEngineWithoutPeersHasNoPeerLine() {
        String table = run("alagg:status").text();
        assertTrue(table.lines().noneMatch(l -> l.startsWith("peers")), table);
        assertTrue(run("alagg:status --json").text().contains("\"peers\":0,\"peers_up\":0,\"peers_degraded\":[],"
                + "\"peers_down\":[]"));
    }

    @Test
    void linksAreGroupedByPeerWithThePeerFirst() {
        hubWithTwoPeers();
        engine.links = new ArrayList<>(engine.links);
        engine.links.add(link("default", "eth10", "02:00:00:00:00:10", LinkState.UP, 1));
        engine.links.add(new LinkStatus("eth9", MacAddress.parse("02:00:00:00:00:09"), LinkState.UP, "", "command", Map.of()));
        List<List<String>> rows = columns(run("alagg:links").text());
        assertEquals(List.of("PEER", "LINK", "MAC", "STATE"), rows.get(0).subList(0, 4));
        assertEquals("ORIGIN", rows.get(0).get(rows.get(0).size() - 1));
        assertEquals(List.of("default eth9", "default eth10", "branch1 eth1", "branch1 eth2", "branch2 eth1", "branch2 eth2"),
                rows.stream().skip(1).map(r -> r.get(0) + " " + r.get(1)).toList());
        assertEquals(List.of("branch2", "eth2", "02:00:00:00:02:02", "DOWN"), rows.get(6).subList(0, 4));
        assertEquals("command", rows.get(1).get(rows.get(1).size() - 1));

        String json = run("alagg:links --json").text();
        assertTrue(json.startsWith("[{\"link\":\"eth9\",\"peer\":\"02:00:00:00:00:09\",\"peer_name\":\"default\","
                + "\"state\":\"UP\""), json);
        assertTrue(json.contains("{\"link\":\"eth2\",\"peer\":\"02:00:00:00:02:02\",\"peer_name\":\"branch2\","
                + "\"state\":\"DOWN\",\"detail\":\"nothing heard\",\"origin\":\"" + FILE + "\",\"counters\":{"), json);
    }

    @Test
    void theLinksOfTheDefaultPeerAloneKeepTheirTable() {
        // CommandLineIT (launcher) reads a row by its first column, the link, and the peer's MAC as the second
        engine.links = List.of(
                new LinkStatus("eth2", MacAddress.parse("02:00:00:00:00:02"), LinkState.UP, "", FILE, Map.of()),
                new LinkStatus("eth1", MacAddress.parse("02:00:00:00:00:01"), LinkState.DOWN, "", "command", Map.of()));
        List<List<String>> rows = columns(run("alagg:links").text());
        assertEquals(List.of("LINK", "PEER", "STATE", "SINCE", "RTT", "LOSS TO", "LOSS FROM", "HEARD", "SENT", "RECEIVED",
                "DUPLICATES", "LOST", "DETAIL", "ORIGIN"), rows.get(0));
        assertEquals(List.of("eth1", "02:00:00:00:00:01", "DOWN"), rows.get(1).subList(0, 3));
        assertEquals(List.of("eth2", "02:00:00:00:00:02", "UP"), rows.get(2).subList(0, 3));
        assertTrue(run("alagg:links --json").text().contains("\"peer_name\":\"default\""));
    }

    @Test
    void statsKeepsTheTotalsAndAddsAFewCountersPerPeer() {
        engine.counters = ordered("captured", 3L, "sent", 3L, "passed", 7L);
        String totals = "COUNTER   VALUE\ncaptured  3\nsent      3\npassed    7";
        assertEquals(new Answer(false, totals), run("alagg:stats"));
        engine.peers = List.of(peer("default", LinkState.UP, "", List.of("eth1"), "", Map.of("sent", 3L, "passed", 7L)));
        assertEquals(new Answer(false, totals), run("alagg:stats"), "one default peer: its counters are the totals");
        assertEquals(new Answer(false, "{\"captured\":3,\"sent\":3,\"passed\":7,\"peers\":{\"default\":{\"sent\":3,"
                + "\"passed\":7}},\"plugins\":{}}"), run("alagg:stats --json"));

        hubWithTwoPeers();
        String table = run("alagg:stats").text();
        assertTrue(table.startsWith("COUNTER   VALUE\ncaptured  300\nsent      290\nunsent    10\nreceived  800\n"
                + "passed    700\nlost      4\n\n"), table);
        List<List<String>> perPeer = columns(table.substring(table.indexOf("\n\n") + 2));
        assertEquals(List.of("PEER", "SENT", "UNSENT", "TOO_BIG", "REFUSED", "RECEIVED", "PASSED", "DISCARDED",
                "OUT_OF_ORDER", "LOST", "LATE"), perPeer.get(0));
        assertEquals(List.of("branch1", "200", "-", "-", "-", "500", "500", "-", "-", "0", "-"), perPeer.get(1));
        assertEquals(List.of("branch2", "90", "-", "-", "-", "300", "200", "-", "-", "4", "-"), perPeer.get(2));
        assertTrue(table.endsWith("\n\nevery counter of one peer: alagg:stats --peer NAME"), table);

        String json = run("alagg:stats --json").text();
        assertEquals("{\"captured\":300,\"sent\":290,\"unsent\":10,\"received\":800,\"passed\":700,\"lost\":4,"
                + "\"peers\":{\"branch1\":{\"captured\":200,\"sent\":200,\"received\":500,\"passed\":500,\"lost\":0},"
                + "\"branch2\":{\"sent\":90,\"received\":300,\"passed\":200,\"lost\":4}},\"plugins\":{}}", json);
        assertEquals(new Answer(false, "{\"sent\":90,\"received\":300,\"passed\":200,\"lost\":4}"),
                run("alagg:stats --json --peer branch2"));
    }

    @Test
    void pluginsShowTheirOwnCountersAndStatusByKindAndName() {
        engine.counters = ordered("sent", 3L);
        pluginReports.add(Map.entry(Map.of(Alagg.STRATEGY, "first-come", "component.name", "x.FirstCome"), report(
                ordered("out_of_order", 2L, "held", 0L), List.of("2 of 3 packets came in order"))));
        pluginReports.add(Map.entry(Map.of(Alagg.SCHEDULER, "rotate"), new PluginReport() {
            @Override
            public Map<String, Long> counters() {
                throw new IllegalStateException("not yet");
            }
        }));
        assertEquals(new Answer(false, "{\"sent\":3,\"peers\":{},\"plugins\":{\"strategy\":{\"first-come\":"
                + "{\"held\":0,\"out_of_order\":2}},\"scheduler\":{\"rotate\":{\"error\":\"its report failed: "
                + "java.lang.IllegalStateException: not yet\"}}}}"), run("alagg:stats --json"));
        assertEquals(new Answer(false, "COUNTER  VALUE\nsent     3\n\nPLUGIN               COUNTER       VALUE\n"
                + "strategy first-come  held          0\nstrategy first-come  out_of_order  2\n"
                + "scheduler rotate     error         its report failed: java.lang.IllegalStateException: not yet"),
                run("alagg:stats"));
        String status = run("alagg:status --json").text();
        assertTrue(status.contains("\"plugins\":{\"strategy\":{\"first-come\":[\"2 of 3 packets came in order\"]},"
                + "\"scheduler\":{\"rotate\":[]}}"), status);
        String table = run("alagg:status").text();
        assertTrue(table.matches("(?s).*\\nplugin +strategy first-come: 2 of 3 packets came in order(\\n.*)?"), table);
    }

    private static PluginReport report(Map<String, Long> counters, List<String> status) {
        return new PluginReport() {
            @Override
            public Map<String, Long> counters() {
                return counters;
            }

            @Override
            public List<String> status() {
                return status;
            }
        };
    }

    @Test
    void statsOfThirtyTwoPeersStaysReadable() {
        List<PeerStatus> peers = new ArrayList<>();
        Map<String, Long> totals = ordered("sent", 0L, "received", 0L, "passed", 0L, "lost", 0L, "late", 0L);
        for (int i = 32; i >= 1; i--) {
            Map<String, Long> c = ordered("sent", 1000L * i, "received", 2000L * i + 7, "passed", 2000L * i, "lost",
                    (long) i, "late", 0L, "auth_failed", 3L * i);
            peers.add(peer("branch" + i, i % 8 == 0 ? LinkState.DOWN : LinkState.UP, "", List.of("eth1", "eth2"),
                    "10." + i + ".0.0/16", c));
            c.forEach((name, value) -> totals.merge(name, value, Long::sum));
        }
        engine.peers = peers;
        engine.counters = totals;

        Answer one = run("alagg:stats --peer branch17");
        assertFalse(one.failed(), one::text);
        assertEquals("peer branch17\nCOUNTER      VALUE\nsent         17000\nreceived     34007\npassed       34000\n"
                + "lost         17\nlate         0\nauth_failed  51", one.text());
        assertEquals(one, run("alagg:stats -p branch17"));
        assertTrue(one.text().lines().noneMatch(l -> l.contains("branch1 ") || l.contains("branch2")), one::text);

        String all = run("alagg:stats").text();
        List<String> lines = all.lines().toList();
        assertTrue(lines.stream().allMatch(l -> l.length() <= 100), all);
        List<String> rows = lines.stream().filter(l -> l.startsWith("branch")).toList();
        assertEquals(32, rows.size(), all);
        assertTrue(rows.get(0).startsWith("branch1 ") && rows.get(1).startsWith("branch2 ")
                && rows.get(31).startsWith("branch32 "), all);
        String header = lines.stream().filter(l -> l.startsWith("PEER ")).findFirst().orElseThrow();
        int lostColumn = header.indexOf("LOST");
        assertTrue(rows.stream().allMatch(r -> r.charAt(lostColumn - 1) == ' ' && Character.isDigit(r.charAt(lostColumn))),
                "the columns line up:\n" + all);

        List<String> table = run("alagg:peers").text().lines().toList();
        assertEquals(33, table.size());
        assertTrue(table.stream().allMatch(l -> l.length() <= 120), String.join("\n", table));
        int stateColumn = table.get(0).indexOf("STATE");
        assertTrue(table.stream().skip(1).allMatch(l -> l.substring(stateColumn).matches("(UP|DOWN) .*")),
                String.join("\n", table));
        assertTrue(run("alagg:status").text().contains("28 of 32 up; down: branch8, branch16, branch24, branch32"));

        Answer unknown = run("alagg:stats --peer branch33");
        assertTrue(unknown.failed());
        assertTrue(unknown.text().startsWith("error: no peer 'branch33'; peers: branch1, branch2, branch3, "), unknown::text);
    }

    @Test
    void peerAddWritesThePeerAndItsLinksThroughConfigAdmin() {
        Answer answer = run("alagg:peer add branch1 --allowed 10.1.0.0/16,fd00:1::/64 eth1=02:00:00:00:01:01"
                + " eth2=02:00:00:00:01:02");
        assertEquals(new Answer(false, "peer branch1 added: allowed 10.1.0.0/16,fd00:1:0:0:0:0:0:0/64;"
                + " links eth1 -> 02:00:00:00:01:01, eth2 -> 02:00:00:00:01:02"), answer);
        assertEquals(Map.of("name", "branch1", "allowed", "10.1.0.0/16,fd00:1:0:0:0:0:0:0/64", Alagg.ORIGIN, "command"),
                properties("org.alagg.peer~branch1"));
        assertEquals(Map.of("interface", "eth1", "peer", "02:00:00:00:01:01", "peer.name", "branch1", Alagg.ORIGIN, "command"),
                properties("org.alagg.link~branch1.eth1"));
        assertEquals(Map.of("interface", "eth2", "peer", "02:00:00:00:01:02", "peer.name", "branch1", Alagg.ORIGIN, "command"),
                properties("org.alagg.link~branch1.eth2"));
        assertEquals("branch1", updates.get(0).get(Alagg.PEER_NAME), "the peer is written before its links");
        assertEquals(3, updates.size());

        // the option may come anywhere; without it the peer takes the rest, and one link is enough
        updates.clear();
        assertFalse(run("alagg:peer add -a 10.3.0.0/16 branch3 eth1=02:00:00:00:03:01").failed());
        assertEquals("10.3.0.0/16", properties("org.alagg.peer~branch3").get("allowed"));
        assertEquals(new Answer(false, "peer hq added: allowed (the rest); links eth3 -> 02:00:00:00:00:aa"),
                run("alagg:peer add hq eth3=02:00:00:00:00:AA"));
        assertEquals(Map.of("name", "hq", Alagg.ORIGIN, "command"), properties("org.alagg.peer~hq"));
    }

    @Test
    void peerAddRefusesWhatCannotWorkAndWritesNothing() {
        configure(Alagg.PEER_FACTORY_PID, "branch1", "name", "branch1", "allowed", "10.1.0.0/16", Alagg.ORIGIN, FILE);
        configure(Alagg.LINK_FACTORY_PID, "branch1.eth1", "interface", "eth1", "peer", "02:00:00:00:01:01",
                "peer.name", "branch1", Alagg.ORIGIN, FILE);
        configure(Alagg.LINK_FACTORY_PID, "eth2", "interface", "eth2", "peer", "02:00:00:00:00:02", Alagg.ORIGIN, FILE);
        configure(Alagg.PEER_FACTORY_PID, "hq", "name", "hq", Alagg.ORIGIN, "command");
        Map<String, String> refusals = new java.util.LinkedHashMap<>();
        refusals.put("alagg:peer add branch1 --allowed 10.9.0.0/16 eth3=02:00:00:00:09:01",
                "error: peer branch1 already exists (org.alagg.peer~branch1, from " + FILE + "); remove it first with"
                        + " peer remove branch1");
        refusals.put("alagg:peer add branch.9 eth3=02:00:00:00:09:01",
                "error: " + message(() -> Alagg.checkPeerName("branch.9")));
        refusals.put("alagg:peer add default eth3=02:00:00:00:09:01",
                "error: the peer 'default' is the single-peer form of the configuration: add its links with link add"
                        + " <interface> <MAC>; name the new peer otherwise");
        refusals.put("alagg:peer add branch9 --allowed 10.9.0.0/16 eth3=02:00:00:00:09",
                "error: " + message(() -> MacAddress.parseUnicast("02:00:00:00:09")));
        refusals.put("alagg:peer add branch9 --allowed 10.9.0.0/16 eth3=01:00:5e:00:00:01",
                "error: " + message(() -> MacAddress.parseUnicast("01:00:5e:00:00:01")));
        refusals.put("alagg:peer add branch9 --allowed 10.9.0.0/16 averyveryverylongname=02:00:00:00:09:01",
                "error: " + message(() -> InterfaceName.check("averyveryverylongname")));
        refusals.put("alagg:peer add branch9 --allowed 10.9.0.7/16 eth3=02:00:00:00:09:01",
                "error: " + message(() -> IpNetwork.parseList("10.9.0.7/16")));
        refusals.put("alagg:peer add branch9 --allowed 10.9.0.0/16 eth3",
                "error: link 'eth3' is not <interface>=<MAC> (e.g. eth1=02:00:00:00:01:02)");
        refusals.put("alagg:peer add branch9 --allowed 10.9.0.0/16 eth3=02:00:00:00:09:01 eth3=02:00:00:00:09:02",
                "error: interface eth3 is given twice; a peer has one link per interface");
        refusals.put("alagg:peer add branch9 --allowed 10.9.0.0/16",
                "error: peer branch9 needs at least one link: peer add branch9 [--allowed CIDRs] <interface>=<MAC>"
                        + " [<interface>=<MAC> ...]");
        refusals.put("alagg:peer add branch9",
                "error: peer branch9 needs at least one link: peer add branch9 [--allowed CIDRs] <interface>=<MAC>"
                        + " [<interface>=<MAC> ...]");
        refusals.put("alagg:peer add branch9 --allowed 10.9.0.0/16 eth3=02:00:00:00:09:01 eth1=02:00:00:00:01:01",
                "error: MAC 02:00:00:00:01:01 on eth1 is already the peer of peer branch1's link org.alagg.link~branch1.eth1"
                        + " (eth1 -> 02:00:00:00:01:01, from " + FILE + "); a MAC leads to one peer on an interface");
        refusals.put("alagg:peer add branch9 --allowed 10.9.0.0/16 eth2=02:00:00:00:00:02",
                "error: MAC 02:00:00:00:00:02 on eth2 is already the peer of peer default's link org.alagg.link~eth2"
                        + " (eth2 -> 02:00:00:00:00:02, from " + FILE + "); a MAC leads to one peer on an interface");
        refusals.put("alagg:peer add branch9 eth3=02:00:00:00:09:01",
                "error: peer hq (from command) already takes what no other peer's networks hold; give branch9 its"
                        + " networks with --allowed CIDRs");
        refusals.put("alagg:peer add branch9 --allowed 10.9.0.0/16,10.1.0.0/16 eth3=02:00:00:00:09:01",
                "error: network 10.1.0.0/16 is already peer branch1's (from " + FILE + ")");
        refusals.put("alagg:peer show branch1", "error: unknown peer action 'show' with 1 argument; use: peer remove <name> or"
                + " peer add <name> [--allowed CIDRs] <interface>=<MAC> ...");
        refusals.put("alagg:peer remove branch1 eth1", "error: unknown peer action 'remove' with 2 arguments; use: peer"
                + " add <name> [--allowed CIDRs] <interface>=<MAC> ... or peer remove <name>");
        refusals.forEach((command, message) -> assertEquals(new Answer(true, message), run(command), command));
        assertEquals(List.of(), updates, "a refused command wrote a configuration");
        assertEquals(List.of(), deleted);
    }

    @Test
    void aPeersLinkNameTakenByAVlanLinkOfTheDefaultPeerIsRefused() {
        configure(Alagg.LINK_FACTORY_PID, "branch9.100", "interface", "branch9.100", "peer", "02:00:00:00:00:01",
                Alagg.ORIGIN, FILE);
        assertEquals(new Answer(true, "error: configuration org.alagg.link~branch9.100 exists already:"
                + " org.alagg.link~branch9.100 (branch9.100 -> 02:00:00:00:00:01, from " + FILE + ") of peer default"),
                run("alagg:peer add branch9 --allowed 10.9.0.0/16 100=02:00:00:00:09:01"));
        assertEquals(List.of(), updates);
    }

    @Test
    void peerRemoveDeletesThePeerAndEveryLinkOfIt() {
        configure(Alagg.LINK_FACTORY_PID, "eth1", "interface", "eth1", "peer", "02:00:00:00:00:01", Alagg.ORIGIN, FILE);
        assertFalse(run("alagg:peer add branch1 --allowed 10.1.0.0/16 eth1=02:00:00:00:01:01 eth2=02:00:00:00:01:02").failed());
        assertFalse(run("alagg:peer add branch2 --allowed 10.2.0.0/16 eth1=02:00:00:00:02:01").failed());
        configure(Alagg.LINK_FACTORY_PID, "branch1.eth10", "interface", "eth10", "peer", "02:00:00:00:01:10",
                "peer.name", "branch1", Alagg.ORIGIN, FILE);

        assertEquals(new Answer(false, "peer branch1 removed with 3 links: eth1, eth2, eth10\nit came from " + FILE
                + ": remove it there too, or an edit there brings it back"), run("alagg:peer remove branch1"));
        assertEquals(List.of("org.alagg.link~branch1.eth1", "org.alagg.link~branch1.eth2", "org.alagg.link~branch1.eth10",
                "org.alagg.peer~branch1"), deleted, "the links first, then the peer");
        assertEquals(List.of("org.alagg.link~branch2.eth1", "org.alagg.link~eth1", "org.alagg.peer~branch2"),
                List.copyOf(stored.keySet()));

        assertEquals(new Answer(false, "peer branch2 removed with 1 link: eth1"), run("alagg:peer remove branch2"));
        assertEquals(new Answer(true, "error: no peer branch2 is configured"), run("alagg:peer remove branch2"));
        assertEquals(new Answer(true, "error: the peer 'default' is the single-peer form of the configuration and cannot"
                + " be removed; remove its links with link remove <interface>"), run("alagg:peer remove default"));
        assertEquals(List.of("org.alagg.link~eth1"), List.copyOf(stored.keySet()));
    }

    @Test
    void linkAddAndRemoveNameThePeerWithAnOption() {
        assertEquals(new Answer(true, "error: no peer branch1 is configured; add it with peer add branch1 [--allowed CIDRs]"
                + " <interface>=<MAC> ..."), run("alagg:link add --peer branch1 eth3 02:00:00:00:01:03"));
        assertFalse(run("alagg:peer add branch1 --allowed 10.1.0.0/16 eth1=02:00:00:00:01:01").failed());
        updates.clear();

        assertEquals(new Answer(false, "link eth3 -> 02:00:00:00:01:03 of peer branch1 added"),
                run("alagg:link add --peer branch1 eth3 02:00:00:00:01:03"));
        assertEquals(Map.of("interface", "eth3", "peer", "02:00:00:00:01:03", "peer.name", "branch1", Alagg.ORIGIN, "command"),
                properties("org.alagg.link~branch1.eth3"));
        assertEquals(new Answer(true, "error: link eth3 of peer branch1 already exists (peer 02:00:00:00:01:03, from"
                + " command); remove it first"), run("alagg:link add -p branch1 eth3 02:00:00:00:01:04"));

        // without --peer, or with --peer default: the default peer's link, written as link add always wrote it
        assertEquals(new Answer(false, "link eth3 -> 02:00:00:00:00:03 added"), run("alagg:link add eth3 02:00:00:00:00:03"));
        assertEquals(Map.of("interface", "eth3", "peer", "02:00:00:00:00:03", Alagg.ORIGIN, "command"),
                properties("org.alagg.link~eth3"));
        assertEquals(new Answer(false, "link eth4 -> 02:00:00:00:00:04 added"),
                run("alagg:link add --peer default eth4 02:00:00:00:00:04"));
        assertEquals(Map.of("interface", "eth4", "peer", "02:00:00:00:00:04", Alagg.ORIGIN, "command"),
                properties("org.alagg.link~eth4"));
        assertEquals(new Answer(true, "error: link eth3 already exists (peer 02:00:00:00:00:03, from command); remove it"
                + " first"), run("alagg:link add eth3 02:00:00:00:00:05"));
        assertEquals(new Answer(true, "error: MAC 02:00:00:00:01:01 on eth1 is already the peer of peer branch1's link"
                + " org.alagg.link~branch1.eth1 (eth1 -> 02:00:00:00:01:01, from command); a MAC leads to one peer on an"
                + " interface"), run("alagg:link add eth1 02:00:00:00:01:01"));
        assertEquals(new Answer(true, "error: " + message(() -> Alagg.checkPeerName("x.y"))),
                run("alagg:link add --peer x.y eth5 02:00:00:00:00:05"));

        assertEquals(new Answer(true, "error: no link eth1 is configured; on eth1 there are: link remove --peer branch1 eth1"),
                run("alagg:link remove eth1"));
        assertEquals(new Answer(true, "error: no link eth4 of peer branch1 is configured; on eth4 there are: link remove"
                + " eth4"), run("alagg:link remove --peer branch1 eth4"));
        deleted.clear();
        assertEquals(new Answer(false, "link eth3 of peer branch1 removed"), run("alagg:link remove --peer branch1 eth3"));
        assertEquals(new Answer(false, "link eth3 removed"), run("alagg:link remove eth3"));
        assertEquals(new Answer(false, "link eth4 removed"), run("alagg:link remove -p default eth4"));
        assertEquals(List.of("org.alagg.link~branch1.eth3", "org.alagg.link~eth3", "org.alagg.link~eth4"), deleted);
        assertEquals(new Answer(true, "error: unknown link action 'delete' with 1 argument; use: link remove [--peer NAME]"
                + " <interface>"), run("alagg:link delete eth1"));
    }

    @Test
    void linkRemoveOfTheDefaultPeerNeverTakesAPeersLinkOfTheSameName() {
        configure(Alagg.LINK_FACTORY_PID, "branch1.eth1", "interface", "eth1", "peer", "02:00:00:00:01:01",
                "peer.name", "branch1", Alagg.ORIGIN, FILE);
        assertEquals(new Answer(true, "error: no link branch1.eth1 of the default peer is configured;"
                + " org.alagg.link~branch1.eth1 is peer branch1's link on eth1: link remove --peer branch1 eth1"),
                run("alagg:link remove branch1.eth1"));
        assertEquals(new Answer(true, "error: configuration org.alagg.link~branch1.eth1 exists already:"
                + " org.alagg.link~branch1.eth1 (eth1 -> 02:00:00:00:01:01, from " + FILE + ") of peer branch1"),
                run("alagg:link add branch1.eth1 02:00:00:00:00:01"));
        assertEquals(List.of(), deleted);
        assertEquals(List.of(), updates);
    }

    /** The message of the exception a shared check throws, as the command must repeat it. */
    private static String message(org.junit.jupiter.api.function.Executable check) {
        return org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, check).getMessage();
    }

    /**
     * Config Admin with the engine's configuration and factory configurations by PID; {@code listConfigurations}
     * matches the filter as the real one does, against the properties with service.pid and service.factoryPid.
     */
    private ConfigurationAdmin configAdmin() {
        Configuration configuration = (Configuration) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {Configuration.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getProperties" -> new Hashtable<>(Map.of(
                            Alagg.ENGINE_STRATEGY, engineConfig.get(Alagg.ENGINE_STRATEGY),
                            Alagg.ENGINE_INTERCEPTOR, engineConfig.get(Alagg.ENGINE_INTERCEPTOR),
                            Alagg.ORIGIN, engineConfig.get(Alagg.ORIGIN)));
                    case "update" -> {
                        @SuppressWarnings("unchecked")
                        Dictionary<String, Object> properties = (Dictionary<String, Object>) args[0];
                        updates.add(properties);
                        yield null;
                    }
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        return (ConfigurationAdmin) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ConfigurationAdmin.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getConfiguration") && Alagg.ENGINE_PID.equals(args[0])) {
                        return configuration;
                    }
                    if (method.getName().equals("getFactoryConfiguration") && args.length == 3) {
                        return factoryConfiguration((String) args[0], (String) args[1]);
                    }
                    if (method.getName().equals("listConfigurations")) {
                        Filter filter = FrameworkUtil.createFilter((String) args[0]);
                        Configuration[] found = stored.keySet().stream()
                                .filter(pid -> filter.match(stored.get(pid)))
                                .map(pid -> factoryConfiguration((String) stored.get(pid).get("service.factoryPid"),
                                        pid.substring(pid.indexOf('~') + 1)))
                                .toArray(Configuration[]::new);
                        return found.length == 0 ? null : found;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    /** Factory configurations by PID, with their properties as Config Admin gives them. */
    private final Map<String, Dictionary<String, Object>> stored = new TreeMap<>();
    /** The PIDs deleted, in order. */
    private final List<String> deleted = new ArrayList<>();

    private Configuration factoryConfiguration(String factoryPid, String name) {
        String pid = factoryPid + "~" + name;
        return (Configuration) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {Configuration.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getPid" -> pid;
                    case "getFactoryPid" -> factoryPid;
                    case "getProperties" -> stored.containsKey(pid) ? copy(stored.get(pid)) : null;
                    case "update" -> {
                        @SuppressWarnings("unchecked")
                        Dictionary<String, Object> properties = copy((Dictionary<String, Object>) args[0]);
                        updates.add(copy(properties));
                        properties.put("service.pid", pid);
                        properties.put("service.factoryPid", factoryPid);
                        stored.put(pid, properties);
                        yield null;
                    }
                    case "delete" -> {
                        stored.remove(pid);
                        deleted.add(pid);
                        yield null;
                    }
                    case "hashCode" -> pid.hashCode();
                    case "equals" -> proxy == args[0];
                    case "toString" -> pid;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private static Dictionary<String, Object> copy(Dictionary<String, Object> d) {
        Hashtable<String, Object> copy = new Hashtable<>();
        for (java.util.Enumeration<String> keys = d.keys(); keys.hasMoreElements(); ) {
            String key = keys.nextElement();
            copy.put(key, d.get(key));
        }
        return copy;
    }

    /** A configuration as if the file (or anyone) had written it: not among {@link #updates}. */
    private void configure(String factoryPid, String name, Object... keysAndValues) {
        Hashtable<String, Object> properties = new Hashtable<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            properties.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        String pid = factoryPid + "~" + name;
        properties.put("service.pid", pid);
        properties.put("service.factoryPid", factoryPid);
        stored.put(pid, properties);
    }

    /** The stored properties of a PID without the ones Config Admin adds. */
    private Map<String, Object> properties(String pid) {
        Dictionary<String, Object> d = stored.get(pid);
        if (d == null) {
            return null;
        }
        Map<String, Object> m = new TreeMap<>();
        for (java.util.Enumeration<String> keys = d.keys(); keys.hasMoreElements(); ) {
            String key = keys.nextElement();
            if (!key.startsWith("service.")) {
                m.put(key, d.get(key));
            }
        }
        return m;
    }

    private static final class FakeEngine implements InstanceStatus {
        volatile Selection strategy = new Selection("windowed", "windowed", List.of("none", "strict", "windowed"));
        volatile List<HotThread> threads = List.of();
        volatile List<PeerStatus> peers = List.of();
        volatile List<LinkStatus> links = List.of();
        volatile Map<String, Long> counters = Map.of();

        @Override
        public List<PeerStatus> peers() {
            return peers;
        }

        @Override
        public String instance() {
            return "east";
        }

        @Override
        public Selection interceptor() {
            return new Selection("nfqueue", "nfqueue", List.of("nfqueue", "tap", "tun"));
        }

        @Override
        public Selection strategy() {
            return strategy;
        }

        @Override
        public List<LinkStatus> links() {
            return links;
        }

        @Override
        public Map<String, Long> counters() {
            return counters;
        }

        @Override
        public List<HotThread> threads() {
            return threads;
        }

        @Override
        public List<String> warnings() {
            return List.of("a warning");
        }
    }
}
