package org.alagg.nfqueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.alagg.api.IpNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands managed capture runs: only what changed, everything removed, a crash's leftovers first. */
class ManagedCaptureTest {
    @TempDir
    Path temp;

    private final List<String> commands = new ArrayList<>();
    /** Commands that fail, by their start. */
    private final List<String> failing = new ArrayList<>();
    /** What {@code ip route show exact} shows: routes in the way, by destination. */
    private final java.util.Map<String, String> routesShown = new java.util.HashMap<>();
    /** Whether {@code ip route show exact D dev lo proto 161} shows what {@link #routesShown} has (ours is there). */
    private boolean shownOurs = true;
    /** Whether iptables -S still finds the chain after its removal. */
    private boolean chainsStay;
    /** What a command prints, by the whole command line, before any other rule of the fake. */
    private final java.util.Map<String, String> outputs = new java.util.HashMap<>();

    private ManagedCapture capture(String instance) {
        return new ManagedCapture(instance, temp.resolve(instance + ".capture"), (tool, args) -> {
            String command = tool + " " + String.join(" ", args);
            commands.add(command);
            if (failing.stream().anyMatch(command::startsWith)) {
                throw new IOException(command + " failed");
            }
            if (outputs.containsKey(command)) {
                return outputs.get(command);
            }
            if (command.contains(" -S ") && !chainsStay) {
                throw new IOException(command + " failed: No chain/target/match by that name."); // removed: gone
            }
            if (command.contains(" route show exact ") && command.endsWith(" proto 161")) {
                return shownOurs ? routesShown.getOrDefault(args.get(4), "") : "";
            }
            return command.contains(" route show exact ") ? routesShown.getOrDefault(args.get(4), "") : "";
        });
    }

    private static ManagedCapture.Settings settings(String destinations, boolean forward, int mtu) {
        return new ManagedCapture.Settings(IpNetwork.parseList(destinations), forward, 7, 0xa1a9, mtu);
    }

    private List<String> taken() {
        List<String> taken = List.copyOf(commands);
        commands.clear();
        return taken;
    }

    /** What the first apply of instance 'east' runs to clear a previous run's chains (a state file adds its routes). */
    private static final List<String> LEFTOVERS = List.of(
            "iptables -w 5 -D OUTPUT -j ALAGG-east", "iptables -w 5 -D FORWARD -j ALAGG-east",
            "iptables -w 5 -F ALAGG-east", "iptables -w 5 -X ALAGG-east",
            "ip6tables -w 5 -D OUTPUT -j ALAGG-east", "ip6tables -w 5 -D FORWARD -j ALAGG-east",
            "ip6tables -w 5 -F ALAGG-east", "ip6tables -w 5 -X ALAGG-east");

    @Test
    void makesTheChainsRulesAndRoutesAndChangesOnlyWhatChanged() throws Exception {
        failing.add("iptables -w 5 -D"); // nothing left: every removal of a leftover fails
        failing.add("ip6tables -w 5 -D");
        failing.add("iptables -w 5 -F");
        failing.add("ip6tables -w 5 -F");
        failing.add("iptables -w 5 -X");
        failing.add("ip6tables -w 5 -X");
        ManagedCapture capture = capture("east");
        capture.apply(settings("10.9.1.0/24, fd09:1::/64", false, 1480));
        List<String> expected = new ArrayList<>(List.of(
                "iptables -w 5 -D OUTPUT -j ALAGG-east", "iptables -w 5 -D FORWARD -j ALAGG-east",
                "iptables -w 5 -F ALAGG-east", "iptables -w 5 -X ALAGG-east", "iptables -w 5 -S ALAGG-east",
                "ip6tables -w 5 -D OUTPUT -j ALAGG-east", "ip6tables -w 5 -D FORWARD -j ALAGG-east",
                "ip6tables -w 5 -F ALAGG-east", "ip6tables -w 5 -X ALAGG-east", "ip6tables -w 5 -S ALAGG-east",
                "ip -4 route show exact 10.9.1.0/24 table all",
                "ip -6 route show exact fd09:1:0:0:0:0:0:0/64 table all",
                "iptables -w 5 -N ALAGG-east",
                "iptables -w 5 -A ALAGG-east -d 10.9.1.0/24 -m mark ! --mark 0xa1a9 -j NFQUEUE --queue-num 7",
                "iptables -w 5 -I OUTPUT 1 -j ALAGG-east",
                "ip -4 route add 10.9.1.0/24 dev lo mtu 1480 proto 161",
                "ip6tables -w 5 -N ALAGG-east",
                "ip6tables -w 5 -A ALAGG-east -d fd09:1:0:0:0:0:0:0/64 -m mark ! --mark 0xa1a9 -j NFQUEUE --queue-num 7",
                "ip6tables -w 5 -I OUTPUT 1 -j ALAGG-east",
                "ip -6 route add fd09:1:0:0:0:0:0:0/64 dev lo mtu 1480 proto 161"));
        assertEquals(expected, taken());
        assertEquals(List.of("10.9.1.0/24", "fd09:1:0:0:0:0:0:0/64"), Files.readAllLines(temp.resolve("east.capture")));
        failing.clear();

        capture.apply(settings("10.9.1.0/24, 10.9.2.0/24", true, 1480)); // one added, the IPv6 one gone, FORWARD on
        assertEquals(List.of(
                "ip -4 route show exact 10.9.2.0/24 table all",
                "iptables -w 5 -A ALAGG-east -d 10.9.2.0/24 -m mark ! --mark 0xa1a9 -j NFQUEUE --queue-num 7",
                "iptables -w 5 -I FORWARD 1 -j ALAGG-east",
                "ip -4 route add 10.9.2.0/24 dev lo mtu 1480 proto 161",
                "ip6tables -w 5 -D OUTPUT -j ALAGG-east", "ip6tables -w 5 -D OUTPUT -j ALAGG-east",
                "ip6tables -w 5 -D FORWARD -j ALAGG-east", "ip6tables -w 5 -F ALAGG-east", "ip6tables -w 5 -X ALAGG-east",
                "ip -6 route del fd09:1:0:0:0:0:0:0/64 dev lo proto 161"), withoutRepeatedJumpRemovals(taken()));

        routesShown.put("10.9.2.0/24", "10.9.2.0/24 dev lo proto 161 scope link mtu 1480\n"); // the kernel has ours
        capture.apply(settings("10.9.2.0/24", true, 1380)); // one removed; the links' MTU dropped
        assertEquals(List.of(
                "iptables -w 5 -D ALAGG-east -d 10.9.1.0/24 -m mark ! --mark 0xa1a9 -j NFQUEUE --queue-num 7",
                "ip -4 route del 10.9.1.0/24 dev lo proto 161",
                "ip -4 route show exact 10.9.2.0/24 dev lo proto 161",
                "ip -4 route change 10.9.2.0/24 dev lo mtu 1380 proto 161"), taken(), "its own route changed in place");

        capture.apply(settings("10.9.2.0/24", true, 1380));
        assertEquals(List.of(), taken(), "nothing changed, nothing runs");

        capture.remove();
        assertEquals(List.of(
                "iptables -w 5 -D OUTPUT -j ALAGG-east", "iptables -w 5 -D OUTPUT -j ALAGG-east",
                "iptables -w 5 -D FORWARD -j ALAGG-east", "iptables -w 5 -F ALAGG-east", "iptables -w 5 -X ALAGG-east",
                "ip -4 route del 10.9.2.0/24 dev lo proto 161"), withoutRepeatedJumpRemovals(taken()));
        assertEquals(false, Files.exists(temp.resolve("east.capture")));
    }

    /** The fake never fails a jump's removal, so removal repeats up to its bound: keep the first two of a run. */
    private static List<String> withoutRepeatedJumpRemovals(List<String> commands) {
        List<String> kept = new ArrayList<>();
        for (String c : commands) {
            long same = kept.stream().filter(c::equals).count();
            if (!(c.contains(" -D OUTPUT -j ") || c.contains(" -D FORWARD -j ")) || same < (c.contains("OUTPUT") ? 2 : 1)) {
                kept.add(c);
            }
        }
        return kept;
    }

    @Test
    void aStartAfterACrashRemovesTheRoutesTheStateFileLists() throws Exception {
        Files.write(temp.resolve("east.capture"), List.of("10.9.1.0/24", "fd09:1:0:0:0:0:0:0/64"));
        failing.add("iptables -w 5 -D OUTPUT");
        failing.add("ip6tables -w 5 -D OUTPUT");
        failing.add("iptables -w 5 -D FORWARD");
        failing.add("ip6tables -w 5 -D FORWARD");
        capture("east").apply(settings("10.9.3.0/24", false, 1480));
        List<String> expected = new ArrayList<>(LEFTOVERS);
        expected.addAll(List.of(
                "ip -4 route del 10.9.1.0/24 dev lo proto 161",
                "ip -6 route del fd09:1:0:0:0:0:0:0/64 dev lo proto 161",
                "ip -4 route show exact 10.9.3.0/24 table all",
                "iptables -w 5 -N ALAGG-east",
                "iptables -w 5 -A ALAGG-east -d 10.9.3.0/24 -m mark ! --mark 0xa1a9 -j NFQUEUE --queue-num 7",
                "iptables -w 5 -I OUTPUT 1 -j ALAGG-east",
                "ip -4 route add 10.9.3.0/24 dev lo mtu 1480 proto 161"));
        assertEquals(expected, taken());
        assertEquals(List.of("10.9.3.0/24"), Files.readAllLines(temp.resolve("east.capture")));
    }

    @Test
    void aFailureIsReportedAndTheNextApplyStartsFromScratch() throws Exception {
        ManagedCapture capture = capture("east");
        failing.add("iptables -w 5 -N");
        assertThrows(IOException.class, () -> capture.apply(settings("10.9.1.0/24", false, 1480)));
        failing.clear();
        commands.clear();
        capture.apply(settings("10.9.1.0/24", false, 1480));
        assertEquals("iptables -w 5 -D OUTPUT -j ALAGG-east", commands.get(0), "the leftovers go first: " + commands);
        assertEquals(List.of("10.9.1.0/24"), Files.readAllLines(temp.resolve("east.capture")));
    }

    /**
     * A destination that already has a route, whatever its metric or table, another instance's included, is left out
     * (no rule, no route) and named; the others are made, and neither this nor a stop touches that route.
     */
    @Test
    void aRouteThatIsThereAlreadyIsLeftAloneAndItsDestinationLeftOut() throws Exception {
        ManagedCapture capture = capture("east");
        capture.apply(settings("10.9.2.0/24", false, 1480));
        routesShown.put("10.9.1.0/24", "blackhole 10.9.1.0/24 proto static metric 100\n");
        routesShown.put("fd09:1:0:0:0:0:0:0/64", "fd09:1::/64 dev lo proto 161 metric 1024 mtu 1480 pref medium\n");
        commands.clear();
        String leftOut = capture.apply(settings("10.9.2.0/24, 10.9.1.0/24, 10.9.3.0/24, fd09:1::/64", false, 1480));
        assertEquals("a route to 10.9.1.0/24 (blackhole 10.9.1.0/24 proto static metric 100), to fd09:1:0:0:0:0:0:0/64"
                + " (fd09:1::/64 dev lo proto 161 metric 1024 mtu 1480 pref medium) is there already, not made by this"
                + " instance: Alagg does not take over a route it did not make (whatever its metric or table), so it"
                + " captures nothing for it; remove that route, or leave the destination out of capture.destinations",
                leftOut, "another instance's route (through lo, protocol 161) is in the way too");
        assertEquals(List.of(
                "ip -4 route show exact 10.9.1.0/24 table all",
                "ip -4 route show exact 10.9.3.0/24 table all",
                "ip -6 route show exact fd09:1:0:0:0:0:0:0/64 table all",
                "iptables -w 5 -A ALAGG-east -d 10.9.3.0/24 -m mark ! --mark 0xa1a9 -j NFQUEUE --queue-num 7",
                "ip -4 route add 10.9.3.0/24 dev lo mtu 1480 proto 161"), taken(), "the others made, nothing else");
        assertEquals(List.of("10.9.2.0/24", "10.9.3.0/24"), Files.readAllLines(temp.resolve("east.capture")));
        capture.remove();
        assertEquals(List.of(), commands.stream().filter(c -> c.contains("route del 10.9.1.0") || c.contains("route del fd09"))
                .toList(), "a stop does not delete the routes it did not make");

        routesShown.clear(); // the operator removed theirs: the next edit makes it
        assertEquals("", capture.apply(settings("10.9.1.0/24, 10.9.1.0/24", false, 1480)));
        assertEquals(List.of("10.9.1.0/24"), Files.readAllLines(temp.resolve("east.capture")), "a duplicate is made once");
    }

    /** An MTU change keeps the route; one deleted by hand is made again only where no other route is now. */
    @Test
    void anMtuChangeKeepsItsRouteAndNeverTakesOverAnother() throws Exception {
        ManagedCapture capture = capture("east");
        capture.apply(settings("10.9.1.0/24", false, 1480));
        routesShown.put("10.9.1.0/24", "10.9.1.0/24 dev lo proto 161 scope link mtu 1480\n"); // ours, as ip shows it
        commands.clear();
        capture.apply(settings("10.9.1.0/24", false, 1380));
        assertEquals(List.of("ip -4 route show exact 10.9.1.0/24 dev lo proto 161",
                "ip -4 route change 10.9.1.0/24 dev lo mtu 1380 proto 161"), taken());
        routesShown.put("10.9.1.0/24", "blackhole 10.9.1.0/24 proto static\n"); // ours deleted by hand, theirs came
        shownOurs = false;
        IOException e = assertThrows(IOException.class, () -> capture.apply(settings("10.9.1.0/24", false, 1280)));
        assertEquals("the route to 10.9.1.0/24 this instance made is gone, and another is there (blackhole 10.9.1.0/24"
                + " proto static): Alagg does not take it over", e.getMessage());
        assertEquals(false, commands.stream().anyMatch(c -> c.contains("route change") || c.contains("route add")));
    }

    /**
     * What someone else took away (a firewall reload, a route deleted by hand) is found, in either spelling of the tools
     * (iptables: ADDRESS/32 and compressed IPv6; ip: the bare host), and the next apply makes everything again.
     */
    @Test
    void whatSomeoneElseTookAwayIsFoundAndMadeAgain() throws Exception {
        ManagedCapture capture = capture("east");
        capture.apply(settings("10.9.1.0/24, 10.9.0.7/32, fd09:1::/64", false, 1480));
        outputs.put("iptables -w 5 -S OUTPUT", "-P OUTPUT ACCEPT\n-A OUTPUT -j ALAGG-east\n");
        outputs.put("ip6tables -w 5 -S OUTPUT", "-P OUTPUT ACCEPT\n-A OUTPUT -j ALAGG-east\n");
        outputs.put("iptables -w 5 -S ALAGG-east", "-N ALAGG-east\n"
                + "-A ALAGG-east -d 10.9.1.0/24 -m mark ! --mark 0xa1a9 -j NFQUEUE --queue-num 7\n"
                + "-A ALAGG-east -d 10.9.0.7/32 -m mark ! --mark 0xa1a9 -j NFQUEUE --queue-num 7\n");
        outputs.put("ip6tables -w 5 -S ALAGG-east", "-N ALAGG-east\n"
                + "-A ALAGG-east -d fd09:1::/64 -m mark ! --mark 0xa1a9 -j NFQUEUE --queue-num 7\n");
        outputs.put("ip -4 route show dev lo proto 161", "10.9.0.7 scope link mtu 1480\n10.9.1.0/24 scope link mtu 1480\n");
        outputs.put("ip -6 route show dev lo proto 161", "fd09:1::/64 metric 1024 mtu 1480 pref medium\n");
        assertEquals("", capture.missing());

        outputs.put("ip -4 route show dev lo proto 161", "10.9.1.0/24 scope link mtu 1480\n"); // a host route deleted
        outputs.put("ip6tables -w 5 -S OUTPUT", "-P OUTPUT ACCEPT\n"); // the jump flushed
        assertEquals("route to 10.9.0.7/32, ip6tables OUTPUT jump to ALAGG-east", capture.missing());
        commands.clear();
        capture.apply(settings("10.9.1.0/24, 10.9.0.7/32, fd09:1::/64", false, 1480));
        assertEquals("iptables -w 5 -D OUTPUT -j ALAGG-east", commands.get(0), "from scratch: " + commands);
        assertTrue(commands.contains("ip6tables -w 5 -I OUTPUT 1 -j ALAGG-east"), commands.toString());
        assertTrue(commands.contains("ip -4 route add 10.9.0.7/32 dev lo mtu 1480 proto 161"), commands.toString());
    }

    /** A chain iptables cannot remove (still listed by iptables -S) is an error, and the state file stays. */
    @Test
    void aChainThatStaysIsAnError() throws Exception {
        ManagedCapture capture = capture("east");
        capture.apply(settings("10.9.1.0/24", false, 1480));
        failing.add("iptables -w 5 -X");
        chainsStay = true;
        IOException e = assertThrows(IOException.class, capture::remove);
        assertEquals("could not remove iptables chain ALAGG-east (the next start tries again)", e.getMessage());
        assertEquals(true, capture.leftovers());
    }

    /** Removal that leaves a route behind keeps the state file, so that the next start tries again. */
    @Test
    void theStateFileStaysWhileARouteCouldNotBeRemoved() throws Exception {
        Files.write(temp.resolve("east.capture"), List.of("10.9.1.0/24"));
        failing.add("ip -4 route del 10.9.1.0/24");
        ManagedCapture stuck = new ManagedCapture("east", temp.resolve("east.capture"), (tool, args) -> {
            String command = tool + " " + String.join(" ", args);
            if (failing.stream().anyMatch(command::startsWith)) {
                throw new IOException(command + " failed");
            }
            return command.startsWith("ip -4 route show 10.9.1.0/24") ? "10.9.1.0/24 proto 161 scope link mtu 1480\n" : "";
        });
        assertEquals(true, stuck.leftovers());
        IOException e = assertThrows(IOException.class, stuck::remove);
        assertEquals("could not remove route 10.9.1.0/24 (the next start tries again)", e.getMessage());
        assertEquals(List.of("10.9.1.0/24"), Files.readAllLines(temp.resolve("east.capture")), "a route is still there");
        assertThrows(IOException.class, () -> stuck.apply(settings("10.9.1.0/24", false, 1480)));
        assertEquals(List.of("10.9.1.0/24"), Files.readAllLines(temp.resolve("east.capture")),
                "still listed after a start that could not remove it: never forgotten");
        failing.clear();
        stuck.remove();
        assertEquals(false, stuck.leftovers());
    }

    @Test
    void theDefaultRouteIsNeverADestination() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ManagedCapture.checkDestinations(IpNetwork.parseList("10.9.1.0/24, 0.0.0.0/0")));
        assertEquals("0.0.0.0/0 is every address: a route for it through lo would take over the default route; list"
                + " the peer's networks", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ManagedCapture.checkDestinations(IpNetwork.parseList("::/0")));
        ManagedCapture.checkDestinations(IpNetwork.parseList("10.0.0.0/8, fd00::/8"));
    }

    @Test
    void longInstanceNamesGiveChainNamesIptablesTakes() {
        assertEquals("ALAGG-east", ManagedCapture.chainName("east"));
        assertEquals("ALAGG-0123456789abcdefghijkl", ManagedCapture.chainName("0123456789abcdefghijkl"));
        String shortened = ManagedCapture.chainName("0123456789abcdefghijklm");
        assertEquals(28, shortened.length(), shortened);
        assertEquals("ALAGG-0123456789abc-", shortened.substring(0, 20));
        assertEquals(false, shortened.equals(ManagedCapture.chainName("0123456789abcdefghijkln")));
    }
}
