package org.alagg.nfqueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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

    private ManagedCapture capture(String instance) {
        return new ManagedCapture(instance, temp.resolve(instance + ".capture"), (tool, args) -> {
            String command = tool + " " + String.join(" ", args);
            commands.add(command);
            if (failing.stream().anyMatch(command::startsWith)) {
                throw new IOException(command + " failed");
            }
            if (command.contains(" -S ")) {
                throw new IOException(command + " failed: No chain/target/match by that name."); // removed: gone
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

        capture.apply(settings("10.9.2.0/24", true, 1380)); // one removed; the links' MTU dropped
        assertEquals(List.of(
                "iptables -w 5 -D ALAGG-east -d 10.9.1.0/24 -m mark ! --mark 0xa1a9 -j NFQUEUE --queue-num 7",
                "ip -4 route del 10.9.1.0/24 dev lo proto 161",
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
     * A route to a destination that is there already, whatever its metric or table, is someone else's: the whole edit is
     * refused before anything changes, and neither it nor a stop touches that route.
     */
    @Test
    void aRouteThatIsThereAlreadyIsRefusedAndLeftAlone() throws Exception {
        ManagedCapture capture = capture("east");
        capture.apply(settings("10.9.2.0/24", false, 1480));
        routesShown.put("10.9.1.0/24", "blackhole 10.9.1.0/24 proto static metric 100\n");
        commands.clear();
        IOException e = assertThrows(IOException.class, () -> capture.apply(settings("10.9.2.0/24, 10.9.1.0/24", false, 1480)));
        assertEquals("a route to 10.9.1.0/24 (blackhole 10.9.1.0/24 proto static metric 100) is there already, not made by"
                + " this instance: Alagg does not take over a route it did not make (whatever its metric or table); remove"
                + " it, or leave the destination out of capture.destinations", e.getMessage());
        assertEquals(List.of("ip -4 route show exact 10.9.1.0/24 table all"), taken(), "nothing changed");
        assertEquals(List.of("10.9.2.0/24"), Files.readAllLines(temp.resolve("east.capture")));

        routesShown.put("10.9.1.0/24", "10.9.1.0/24 dev lo proto 161 scope link mtu 1480\n"); // one of ours: not in the way
        capture.apply(settings("10.9.2.0/24, 10.9.1.0/24", false, 1480));
        assertEquals(List.of("10.9.2.0/24", "10.9.1.0/24"), Files.readAllLines(temp.resolve("east.capture")));
        routesShown.clear();
        capture.apply(settings("10.9.2.0/24, 10.9.2.0/24", false, 1480));
        assertEquals(List.of("10.9.2.0/24"), Files.readAllLines(temp.resolve("east.capture")), "a duplicate is made once");
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
