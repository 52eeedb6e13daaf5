package org.alagg.e2e;

import static org.alagg.e2e.Beds.assertIntact;
import static org.alagg.e2e.Beds.await;
import static org.alagg.e2e.Beds.report;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.alagg.e2e.Bed.Side;
import org.alagg.testing.RequiresRoot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Managed capture ({@code capture.destinations}, issue 17): no rule and no route written by hand, only the application
 * addresses on {@code lo} and an unrelated rule of the "operator's" own in each namespace; the instances make the rest.
 * One bed, steps in order: traffic with link 1 cut mid-transfer; a live edit of A's destinations; SIGKILL and restart
 * of A; a clean stop of both, after which iptables-save, ip6tables-save and the routes are as before the start.
 */
@RequiresRoot(tools = {"tc", "nc", "ping", "ethtool", "iptables", "ip6tables", "iptables-save", "ip6tables-save"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ManagedCaptureBedIT {
    /** Counters ({@code [12:3456]}) and the comment lines with dates change from one iptables-save to the next. */
    private static final Pattern COUNTERS = Pattern.compile(" \\[\\d+:\\d+\\]");

    private Bed bed;
    private Side a;
    private Side b;
    private final Map<Side, List<String>> before = new java.util.HashMap<>();

    @BeforeAll
    void start() throws Exception {
        bed = Bed.createManaged(Beds.ROOT, 2, 2, List.of("reorder = windowed"));
        a = bed.a();
        b = bed.b();
        for (Side side : List.of(a, b)) {
            // the operator's own firewall, which Alagg must leave as it is
            side.exec("iptables", "-A", "INPUT", "-p", "tcp", "--dport", "9", "-j", "ACCEPT");
            side.exec("ip6tables", "-A", "INPUT", "-p", "tcp", "--dport", "9", "-j", "ACCEPT");
            // the kernel's own IPv6 routes of the links come a moment after they are up: the snapshot waits for them
            before.put(side, await(side + " has the IPv6 routes of both links", () -> kernelState(side),
                    state -> List.of(side.link(1), side.link(2)).stream().allMatch(link -> state.contains(
                            "ip -6 fe80::/64 dev " + link + " proto kernel metric 256 pref medium") && state.contains(
                            "ip -6 multicast ff00::/8 dev " + link + " table local proto kernel metric 256 pref medium"))));
            List<String> state = before.get(side);
            assertFalse(state.stream().anyMatch(line -> line.contains("NFQUEUE")), side + " has a queue rule before: " + state);
            assertFalse(state.stream().anyMatch(line -> line.startsWith(side.peer().ipv4() + " ")),
                    side + " has a route to the peer before: " + state);
        }
        long started = System.nanoTime();
        bed.start();
        report("managed capture", "both instances forwarding (pings both ways, IPv4 and IPv6) %d ms after the start,"
                + " with no rule or route written by hand", (System.nanoTime() - started) / 1_000_000);
    }

    @AfterAll
    void stop() {
        if (bed != null) {
            bed.close();
        }
    }

    @Test
    @Order(1)
    void makesOneChainRuleAndRoutePerDestinationThroughLoWithTheLinksMtu() throws Exception {
        for (Side side : List.of(a, b)) {
            assertManaged(side, List.of(side.peer().ipv4() + "/32"), List.of(side.peer().ipv6() + "/128"));
        }
    }

    @Test
    @Order(2)
    void aTransferSurvivesLink1CutInItsMiddleWithoutUnreachable() throws Exception {
        Path file = Transfer.randomFile(bed.directory().resolve("sent.bin"), Beds.TRANSFER_BYTES);
        bed.slow(1, "100mbit", 50);
        bed.slow(2, "100mbit", 50);
        try {
            Transfer transfer = Transfer.start(a, b.ipv4(), file, bed.directory().resolve("received.bin"));
            await("a quarter of the transfer arrived", transfer::received, r -> r >= Beds.TRANSFER_BYTES / 4);
            bed.cut(1, true);
            Traffic.Ping ping = Traffic.ping(a, b.ipv4(), 20, 0.02);
            Transfer.Result result = transfer.await(Beds.TRANSFER_DEADLINE);
            report("managed capture", "link 1 cut a quarter into a 50 MB transfer: %s; ping during the cut: %s", result, ping);
            assertIntact(result, Duration.ofSeconds(1));
            assertEquals(0.0, ping.lossPercent(), "pings while link 1 is cut: " + ping);
            // the route is through lo: cutting the link took nothing away
            assertTrue(a.exec("ip", "-4", "route", "get", b.ipv4()).contains(" dev lo "), "route to B with link 1 cut");
        } finally {
            bed.cut(1, false);
            bed.slow(1, null, 0);
            bed.slow(2, null, 0);
            Files.deleteIfExists(bed.directory().resolve("received.bin"));
            Files.deleteIfExists(file);
        }
    }

    @Test
    @Order(3)
    void aLiveEditAddsAndRemovesExactlyWhatChanged() throws Exception {
        Path config = a.instance().config();
        List<String> original = Files.readAllLines(config);
        String managed = Side.managedDestinations(b.ipv4() + "/32", b.ipv6() + "/128");
        assertTrue(original.contains(managed), original.toString());
        List<String> edited = new ArrayList<>(original);
        edited.set(original.indexOf(managed), Side.managedDestinations(b.ipv4() + "/32", "10.88.9.0/24"));
        Files.write(config, edited);
        await("A's rules and routes follow the edit: 10.88.9.0/24 added, " + b.ipv6() + " removed", () -> managed(a),
                m -> m.equals(expectedManaged(a, List.of(b.ipv4() + "/32", "10.88.9.0/24"), List.of())));
        assertTrue(Traffic.ping(a, b.ipv4(), 5, 0.05).allAnswered(), "IPv4 still crosses");

        Files.write(config, original);
        await("A's rules and routes back as before the edit", () -> managed(a),
                m -> m.equals(expectedManaged(a, List.of(b.ipv4() + "/32"), List.of(b.ipv6() + "/128"))));
        bed.awaitForwarding(Duration.ofSeconds(20));
    }

    /**
     * A route the operator made to a network that an edit then adds to capture.destinations is not taken over: the edit
     * is refused for it with the reason in alagg:status, and neither that edit nor the next takes the route away.
     */
    @Test
    @Order(4)
    void aRouteOfTheOperatorsIsNeverTakenOver() throws Exception {
        String operators = "10.88.7.0/24";
        // of another metric than Alagg's: ip route add alone would not refuse it, and Alagg's would win
        a.exec("ip", "-4", "route", "add", "blackhole", operators, "proto", "static", "metric", "100");
        Path config = a.instance().config();
        List<String> original = Files.readAllLines(config);
        String managed = Side.managedDestinations(b.ipv4() + "/32", b.ipv6() + "/128");
        List<String> edited = new ArrayList<>(original);
        edited.set(original.indexOf(managed), Side.managedDestinations(b.ipv4() + "/32", b.ipv6() + "/128", operators));
        try {
            Files.write(config, edited);
            String problem = await("A's status names the route it would not take", () -> a.instance().ctl("alagg:status"),
                    status -> status.contains("a route to " + operators + " (blackhole " + operators + " proto static"
                            + " metric 100) is there already"));
            report("managed capture", "an edit adding %s, which the operator routes: %s", operators, problem.lines()
                    .filter(l -> l.contains(operators)).findFirst().orElse("").strip());
            assertEquals(expectedManaged(a, List.of(b.ipv4() + "/32"), List.of(b.ipv6() + "/128")), managed(a),
                    "the other destinations kept, nothing made for the refused one");
            assertTrue(Traffic.ping(a, b.ipv4(), 5, 0.05).allAnswered(), "the others still cross");
            Files.write(config, original);
            await("A's rules and routes back as before the edit", () -> managed(a),
                    m -> m.equals(expectedManaged(a, List.of(b.ipv4() + "/32"), List.of(b.ipv6() + "/128"))));
            assertEquals("blackhole " + operators + " proto static metric 100", a.exec("ip", "-4", "route", "show",
                    operators).strip(),
                    "the operator's route, after the refused edit and the one after it");
            await("the problem is gone from A's status", () -> a.instance().ctl("alagg:status"),
                    status -> !status.contains(operators));
        } finally {
            Files.write(config, original);
            a.exec("ip", "-4", "route", "del", "blackhole", operators, "proto", "static", "metric", "100");
        }
        bed.awaitForwarding(Duration.ofSeconds(20));
    }

    /**
     * What someone else takes away while the instance runs (a firewall reload that flushes the chain and its jump, a
     * route deleted by hand) is made again within the watch period, and the traffic crosses again.
     */
    @Test
    @Order(5)
    void rulesAndRoutesTakenAwayAreMadeAgain() throws Exception {
        String chain = "ALAGG-" + a.instance().name();
        long started = System.nanoTime();
        a.exec("iptables", "-w", "-D", "OUTPUT", "-j", chain);
        a.exec("iptables", "-w", "-F", chain);
        a.exec("ip", "-6", "route", "del", b.ipv6(), "dev", "lo", "proto", "161");
        await("A's rules and routes made again", () -> managed(a),
                m -> m.equals(expectedManaged(a, List.of(b.ipv4() + "/32"), List.of(b.ipv6() + "/128"))));
        report("managed capture", "the IPv4 chain flushed, its jump and the IPv6 route deleted by hand: all made again"
                + " %d ms later", (System.nanoTime() - started) / 1_000_000);
        assertTrue(a.instance().log().contains("gone (a firewall reload? a route deleted?): made again"), "said in the log");
        bed.awaitForwarding(Duration.ofSeconds(20));
    }

    @Test
    @Order(6)
    void aStartAfterSigkillLeavesNoDuplicates() throws Exception {
        long pid = a.instance().javaPid();
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly); // SIGKILL: nothing is cleaned up
        await("A's JVM is gone", () -> a.instance().alive(), alive -> !alive);
        assertManaged(a, List.of(b.ipv4() + "/32"), List.of(b.ipv6() + "/128")); // left behind by the killed run
        a.instance().start();
        bed.awaitForwarding(Duration.ofSeconds(30));
        assertManaged(a, List.of(b.ipv4() + "/32"), List.of(b.ipv6() + "/128"));
    }

    /**
     * A run killed, then started with capture.destinations gone from its file: the leftovers (NFQUEUE rules without
     * --queue-bypass, which would drop the traffic with nobody on the queue) are removed all the same.
     */
    @Test
    @Order(7)
    void aStartAfterSigkillWithoutDestinationsRemovesTheLeftovers() throws Exception {
        Path config = a.instance().config();
        List<String> original = Files.readAllLines(config);
        String managed = Side.managedDestinations(b.ipv4() + "/32", b.ipv6() + "/128");
        ProcessHandle.of(a.instance().javaPid()).ifPresent(ProcessHandle::destroyForcibly);
        await("A's JVM is gone", () -> a.instance().alive(), alive -> !alive);
        assertManaged(a, List.of(b.ipv4() + "/32"), List.of(b.ipv6() + "/128"));
        List<String> without = new ArrayList<>(original);
        without.remove(managed);
        Files.write(config, without);
        try {
            a.instance().start();
            a.instance().awaitAnswering(Duration.ofSeconds(30));
            await("the killed run's chains and routes removed", () -> managed(a), List::isEmpty);
        } finally {
            Files.write(config, original); // a live edit: the rules and routes come back
        }
        await("A's rules and routes made again by the edit", () -> managed(a),
                m -> m.equals(expectedManaged(a, List.of(b.ipv4() + "/32"), List.of(b.ipv6() + "/128"))));
        bed.awaitForwarding(Duration.ofSeconds(30));
    }

    @Test
    @Order(8)
    void aCleanStopLeavesTheFirewallAndRoutesAsTheyWere() throws Exception {
        a.instance().stop();
        b.instance().stop();
        for (Side side : List.of(a, b)) {
            assertEquals(String.join("\n", before.get(side)), String.join("\n", kernelState(side)),
                    side + ": iptables-save, ip6tables-save and the routes after a clean stop");
        }
    }

    /** What the rules and routes of managed capture are on a side, as the kernel shows them. */
    private static List<String> managed(Side side) throws Exception {
        String chain = "ALAGG-" + side.instance().name();
        List<String> lines = new ArrayList<>();
        for (String tool : List.of("iptables-save", "ip6tables-save")) {
            side.exec(tool).lines().filter(l -> l.contains(chain)).map(l -> tool + " " + COUNTERS.matcher(l).replaceAll(""))
                    .forEach(lines::add);
        }
        for (String family : List.of("-4", "-6")) {
            side.exec("ip", family, "route", "show", "proto", "161").lines().map(l -> "ip " + family + " " + l.strip())
                    .forEach(lines::add);
        }
        return lines;
    }

    /** What {@link #managed} shows for these destinations: a chain per family with destinations, jumps, routes. */
    private static List<String> expectedManaged(Side side, List<String> ipv4, List<String> ipv6) {
        String chain = "ALAGG-" + side.instance().name();
        List<String> lines = new ArrayList<>();
        for (String[] family : new String[][] {{"iptables-save", String.join(",", ipv4)}, {"ip6tables-save", String.join(",", ipv6)}}) {
            if (family[1].isEmpty()) {
                continue;
            }
            lines.add(family[0] + " :" + chain + " -");
            lines.add(family[0] + " -A OUTPUT -j " + chain);
            for (String d : family[1].split(",")) {
                lines.add(family[0] + " -A " + chain + " -d " + d + " -m mark ! --mark 0xa1a9 -j NFQUEUE --queue-num 0");
            }
        }
        for (String d : ipv4) {
            lines.add("ip -4 " + d.replace("/32", "") + " dev lo scope link mtu 1480"); // 'show proto 161' leaves it out
        }
        for (String d : ipv6) {
            lines.add("ip -6 " + d.replace("/128", "") + " dev lo metric 1024 mtu 1480 pref medium");
        }
        return lines;
    }

    private static void assertManaged(Side side, List<String> ipv4, List<String> ipv6) throws Exception {
        assertEquals(String.join("\n", expectedManaged(side, ipv4, ipv6)), String.join("\n", managed(side)), side.toString());
    }

    /**
     * iptables-save and ip6tables-save without counters and dated comments, and every route, sorted; but for the local
     * routes of the links' IPv6 link-local addresses, which come whenever duplicate address detection ends.
     */
    private static List<String> kernelState(Side side) throws Exception {
        List<String> state = new ArrayList<>();
        for (String tool : List.of("iptables-save", "ip6tables-save")) {
            side.exec(tool).lines().filter(l -> !l.startsWith("#")).map(l -> tool + " " + COUNTERS.matcher(l).replaceAll(""))
                    .forEach(state::add);
        }
        for (String family : List.of("-4", "-6")) {
            side.exec("ip", family, "route", "show", "table", "all").lines().filter(l -> !l.startsWith("local fe80:"))
                    .map(l -> "ip " + family + " " + l.strip()).sorted().forEach(state::add);
        }
        return state;
    }
}
