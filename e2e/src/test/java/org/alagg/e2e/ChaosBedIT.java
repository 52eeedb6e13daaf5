package org.alagg.e2e;

import static org.alagg.e2e.Beds.await;
import static org.alagg.e2e.Beds.report;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.alagg.e2e.Bed.Side;
import org.alagg.e2e.chaos.ChaosPlugin;
import org.alagg.testing.RequiresRoot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.function.Executable;

/**
 * A data path nothing inside Alagg can stop: a minute and more of everything an operator and a bad plugin can do to
 * a running pair of instances, while pings run both ways at 100/s and a paced TCP transfer runs all along. A plugin
 * jar whose strategy and scheduler throw at random is dropped in and selected; strategies are switched every few
 * seconds; the AF_PACKET transport bundle is stopped and started; links are cut; the EtherType is changed on both
 * sides and back; a config file is rewritten wholesale. Then, back in the start configuration: the transfer arrived
 * intact, both hot threads run, no warning speaks of a closed descriptor, no descriptor leaked, the counters add up,
 * and pings cross without loss.
 *
 * <p>The bed runs its own copy of the distribution, so the plugin reaches only its instances.
 */
@RequiresRoot(tools = {"nc", "ping", "ethtool", "ss", "iptables", "ip6tables"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChaosBedIT {
    /** The chaos lasts at least this long, and at least one round of every step (a round takes some 40 s). */
    private static final Duration CHAOS = Duration.ofSeconds(40);
    /** Between two steps: the transfer and the pings cross each state for 1.5 s, some 2 000 packets. */
    private static final long PAUSE_MILLIS = 1500;
    /** The transfer's pace: 16 Mbit/s, some 1 400 packets a second each way with the pings and acks. */
    private static final long PACE = 2_000_000;
    /** The transfer's size: at the pace it lasts 75 s, past the end of the chaos (a round takes longer under load). */
    private static final long BYTES = PACE * 75;
    private static final String TRANSPORT = "Alagg AF_PACKET link transport";
    /** What a warning must not say: a descriptor used after it was closed, or in the middle of it. */
    private static final Pattern CLOSED_DESCRIPTOR = Pattern.compile("(?i)EBADF|bad file descriptor|closed");
    private static final long FD_MARGIN = 3;

    private Bed bed;
    private Side a;
    private Side b;
    /** What each side's config file says at the start. */
    private final Map<Side, String> original = new LinkedHashMap<>();
    /** The keys each side's file sets now on top of the original, in the order they were set. */
    private final Map<Side, Map<String, String>> settings = new LinkedHashMap<>();
    private long startNanos;

    @BeforeAll
    void start() throws Exception {
        bed = Bed.create(Beds.ROOT, Bed.Capture.NFQUEUE, 2, 2, List.of("reorder = windowed"), true).start();
        a = bed.a();
        b = bed.b();
        for (Side side : List.of(a, b)) {
            original.put(side, Files.readString(side.instance().config()));
            settings.put(side, new LinkedHashMap<>());
        }
    }

    @AfterAll
    void stop() {
        if (bed != null) {
            bed.close();
        }
    }

    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }

    private record Named(String what, Step step) {
    }

    @Test
    void aMinuteOfPluginFaultsSwapsRestartsCutsAndEditsLeavesTheDataPathWhole() throws Exception {
        Beds.assertPingsBothWays(bed);
        Map<Side, Long> fdsBefore = new LinkedHashMap<>();
        Map<Side, Long> transport = new LinkedHashMap<>();
        for (Side side : List.of(a, b)) {
            fdsBefore.put(side, side.instance().openFileDescriptors());
            transport.put(side, Beds.bundleId(side.instance(), TRANSPORT));
        }
        report("chaos", "open descriptors before: A %d, B %d", fdsBefore.get(a), fdsBefore.get(b));

        Path file = Transfer.randomFile(bed.directory().resolve("sent.bin"), BYTES);
        Path jar = bed.pluginsFolder().resolve("chaos.jar");
        List<Named> round = List.of(
                new Named("strategy chaos at A and B (command)", () -> strategy("chaos")),
                new Named("scheduler = chaos in both files", () -> setBoth("scheduler", "chaos")),
                new Named("strategy strict", () -> strategy("strict")),
                new Named("A's AF_PACKET transport bundle stopped, started 1 s later", () -> restart(a, transport.get(a))),
                new Named("strategy none", () -> strategy("none")),
                new Named("link 1 cut, restored 1 s later", () -> flap(1)),
                new Named("strategy chaos", () -> strategy("chaos")),
                new Named("ethertype = 0x88B6 in both files", () -> setBoth("ethertype", "0x88B6")),
                new Named("strategy windowed", () -> strategy("windowed")),
                new Named("B's AF_PACKET transport bundle stopped, started 1 s later", () -> restart(b, transport.get(b))),
                new Named("ethertype = 0x88B5 in both files", () -> setBoth("ethertype", "0x88B5")),
                new Named("strategy chaos", () -> strategy("chaos")),
                new Named("A's file rewritten wholesale (reorder = strict, reorder.window = 1024, reorder.timeout.ms = 20)",
                        () -> rewriteWholesale(a, Map.of("reorder", "strict", "reorder.window", "1024", "reorder.timeout.ms", "20"))),
                new Named("link 2 cut, restored 1 s later", () -> flap(2)),
                new Named("scheduler = redundant in both files", () -> setBoth("scheduler", "redundant")),
                new Named("A's file rewritten wholesale back", () -> rewriteWholesale(a, Map.of())),
                new Named("both transport bundles stopped at once, started 1 s later", () -> {
                    a.instance().ctl("stop", Long.toString(transport.get(a)));
                    b.instance().ctl("stop", Long.toString(transport.get(b)));
                    Thread.sleep(1000);
                    a.instance().ctl("start", Long.toString(transport.get(a)));
                    b.instance().ctl("start", Long.toString(transport.get(b)));
                }));

        List<Traffic.RunningPing> pings = List.of(Traffic.pingInBackground(a, b.ipv4(), Beds.PING_INTERVAL),
                Traffic.pingInBackground(b, a.ipv4(), Beds.PING_INTERVAL));
        Transfer transfer = Transfer.startPaced(a, b.ipv4(), file, bed.directory().resolve("received.bin"), PACE);
        startNanos = System.nanoTime();
        Thread.sleep(PAUSE_MILLIS);
        step("plugin jar moved into plugins/; both instances install it", () -> {
            Path staged = bed.directory().resolve("chaos.jar.part");
            ChaosPlugin.writeBundle(staged);
            Files.move(staged, jar, StandardCopyOption.ATOMIC_MOVE);
            for (Side side : List.of(a, b)) {
                await(side + " lists the chaos strategy", () -> side.instance().ctl("alagg:strategy", "--json"),
                        out -> available(out).contains(ChaosPlugin.NAME));
            }
        });
        int steps = 0;
        while (seconds() < CHAOS.toSeconds() || steps < round.size()) {
            Named next = round.get(steps++ % round.size());
            Thread.sleep(PAUSE_MILLIS);
            step(next.what(), next.step());
        }
        long receivedAtEnd = transfer.received();
        double chaosSeconds = seconds();

        // back to the start configuration
        step("both files as at the start, strategy windowed (command), plugin jar removed", () -> {
            for (Side side : List.of(a, b)) {
                settings.get(side).clear();
                Files.writeString(side.instance().config(), original.get(side));
            }
            strategy("windowed");
            Files.delete(jar);
            for (Side side : List.of(a, b)) {
                await(side + " drops the chaos plugin and uses windowed", () -> side.instance().ctl("alagg:strategy", "--json"),
                        out -> !available(out).contains(ChaosPlugin.NAME) && out.contains("\"active\":\"windowed\""));
            }
        });
        // what is left to feed at the pace, and time to recover from the last step
        Transfer.Result result = transfer.await(Duration.ofSeconds(BYTES / PACE - Math.round(seconds()) + 40));
        List<Traffic.Ping> pinged = new ArrayList<>();
        for (Traffic.RunningPing ping : pings) {
            pinged.add(ping.stop());
        }
        report("chaos", "%.0f s of chaos, %d steps; transfer of %d bytes paced at %d bytes/s, %d received when the chaos "
                + "ended: %s", chaosSeconds, steps + 1, BYTES, PACE, receivedAtEnd, result);
        double pingSeconds = seconds();
        report("chaos", "ping for %.0f s (%.0f/s), A -> B: %s; B -> A: %s", pingSeconds, pinged.get(0).transmitted() / pingSeconds,
                pinged.get(0), pinged.get(1));
        Map<Side, Long> faults = new LinkedHashMap<>();
        for (Side side : List.of(a, b)) {
            faults.put(side, side.instance().log().lines().filter(l -> l.contains(ChaosPlugin.MESSAGE)).count());
        }
        report("chaos", "plugin faults the instances logged (each reported once until the plugin is selected again): "
                + "A %d, B %d", faults.get(a), faults.get(b));

        Thread.sleep(1000);
        Map<Side, Long> fdsAfter = new LinkedHashMap<>();
        Map<Side, Map<String, Object>> status = new LinkedHashMap<>();
        for (Side side : List.of(a, b)) {
            fdsAfter.put(side, side.instance().openFileDescriptors());
            status.put(side, side.instance().status());
            report("chaos", "%s: open descriptors %d before, %d after; threads %s; warnings %s; log lines naming EBADF: %d",
                    side, fdsBefore.get(side), fdsAfter.get(side), status.get(side).get("threads"),
                    status.get(side).get("warnings"), side.instance().log().lines()
                            .filter(l -> l.contains("EBADF") || l.contains("Bad file descriptor")).count());
        }
        List<Executable> checks = new ArrayList<>();
        checks.add(() -> assertTrue(faults.get(a) + faults.get(b) > 0, "the chaos plugin never failed: no chaos at all"));
        checks.add(() -> assertTrue(receivedAtEnd < BYTES,
                "the transfer must outlast the chaos, but it had ended when the chaos did: " + result));
        checks.add(() -> Beds.assertIntact(result, Duration.ofSeconds(30)));
        for (Side side : List.of(a, b)) {
            checks.add(() -> assertThreadsTurn(side, status.get(side)));
            checks.add(() -> assertNoClosedDescriptorWarning(side, status.get(side)));
            checks.add(() -> assertTrue(fdsAfter.get(side) <= fdsBefore.get(side) + FD_MARGIN, side + " leaks descriptors: "
                    + fdsBefore.get(side) + " open before the chaos, " + fdsAfter.get(side) + " after, back in the start "
                    + "configuration (allowed: " + FD_MARGIN + " more)"));
        }
        checks.add(() -> Conservation.assertCountersAddUp(bed));
        checks.add(() -> Beds.assertPingsBothWays(bed));
        assertAll("after " + Math.round(chaosSeconds) + " s of chaos", checks);
    }

    private double seconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /**
     * Runs a step and reports it, with how far each side's links' frames_received are from received - unknown_source
     * right after it (read while traffic flows, so a few frames either way are noise; a jump names the step).
     */
    private void step(String what, Step step) throws Exception {
        double at = seconds();
        step.run();
        double took = seconds() - at;
        StringBuilder off = new StringBuilder();
        for (Side side : List.of(a, b)) {
            Instance.Counters c = side.instance().counters();
            long links = c.links().values().stream().mapToLong(l -> l.counter("frames_received")).sum();
            long expected = c.stats().getOrDefault("received", 0L) - c.stats().getOrDefault("unknown_source", 0L);
            off.append(off.length() == 0 ? "" : ", ").append(side).append(' ').append(links - expected);
        }
        report("chaos", "%5.1f s (%4.1f s): %s [links' frames_received - (received - unknown_source): %s]", at, took, what, off);
    }

    private void strategy(String name) throws Exception {
        for (Side side : List.of(a, b)) {
            side.instance().ctl("alagg:strategy", name);
        }
    }

    private void restart(Side side, long bundle) throws Exception {
        side.instance().ctl("stop", Long.toString(bundle));
        Thread.sleep(1000);
        side.instance().ctl("start", Long.toString(bundle));
    }

    private void flap(int link) throws Exception {
        bed.cut(link, true);
        Thread.sleep(1000);
        bed.cut(link, false);
    }

    /** Sets a key in both files (A's first), each edited in place as an operator's editor would. */
    private void setBoth(String key, String value) throws Exception {
        for (Side side : List.of(a, b)) {
            settings.get(side).put(key, value);
            Files.writeString(side.instance().config(), edited(side));
        }
    }

    /** The side's original file with the current settings: a line replaced where the key has one, else added. */
    private String edited(Side side) {
        Map<String, String> left = new LinkedHashMap<>(settings.get(side));
        StringBuilder out = new StringBuilder();
        for (String line : original.get(side).split("\n")) {
            String key = key(line);
            out.append(key != null && left.containsKey(key) ? key + " = " + left.remove(key) : line).append('\n');
        }
        left.forEach((k, v) -> out.append(k).append(" = ").append(v).append('\n'));
        return out.toString();
    }

    /**
     * Replaces the side's file by another one with the same meaning plus {@code changes}: every key in reverse order,
     * each under a comment, written next to it and renamed over it (a new file, as many editors save).
     */
    private void rewriteWholesale(Side side, Map<String, String> changes) throws Exception {
        for (String key : List.of("reorder", "reorder.window", "reorder.timeout.ms")) {
            settings.get(side).remove(key);
        }
        settings.get(side).putAll(changes);
        List<String> lines = new ArrayList<>(List.of(edited(side).split("\n")));
        List<String> entries = new ArrayList<>(lines.stream().filter(l -> key(l) != null).toList());
        Collections.reverse(entries);
        StringBuilder out = new StringBuilder("# rewritten wholesale by ChaosBedIT\n\n");
        for (String entry : entries) {
            out.append("# ").append(key(entry)).append('\n').append(entry).append("\n\n");
        }
        Path staged = side.instance().config().resolveSibling(side.instance().config().getFileName() + ".new");
        Files.writeString(staged, out);
        Files.move(staged, side.instance().config(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static final Pattern ENTRY = Pattern.compile("^\\s*([a-z][a-z0-9._]*)\\s*=");

    /** The key of a {@code key = value} line, or null for a comment or blank line. */
    private static String key(String line) {
        Matcher m = ENTRY.matcher(line);
        return m.find() ? m.group(1) : null;
    }

    /** The {@code available} names of {@code alagg:strategy --json}. */
    private static List<Object> available(String json) {
        return Json.array(Json.object(Json.parse(json), "alagg:strategy").get("available"), "available");
    }

    /** Both hot threads listed, alive, and turned within the last second. */
    private static void assertThreadsTurn(Side side, Map<String, Object> status) {
        Object listed = status.get("threads");
        assertTrue(listed instanceof List<?> l && !l.isEmpty(), side + ": alagg:status --json lists no hot threads: " + status);
        Map<String, Map<String, Object>> threads = new LinkedHashMap<>();
        for (Object o : Json.array(listed, "threads")) {
            Map<String, Object> t = Json.object(o, "thread");
            threads.put(String.valueOf(t.get("name")), t);
        }
        for (String name : List.of("alagg-egress", "alagg-ingress")) {
            Map<String, Object> t = threads.get(name);
            assertTrue(t != null, side + ": no hot thread " + name + " in " + threads.keySet());
            assertTrue(Boolean.TRUE.equals(t.get("alive")), side + ": hot thread " + name + " is dead: " + t);
            double lastTurn = t.get("last_turn_ms") instanceof Double d ? d : Double.NaN;
            assertTrue(lastTurn < 1000, side + ": hot thread " + name + " last turned " + lastTurn + " ms ago: " + t);
        }
    }

    /** No warning speaks of a descriptor closed under a thread. */
    private static void assertNoClosedDescriptorWarning(Side side, Map<String, Object> status) {
        List<String> bad = new ArrayList<>();
        Object warnings = status.get("warnings");
        if (warnings instanceof List<?> list) {
            for (Object w : list) {
                if (CLOSED_DESCRIPTOR.matcher(String.valueOf(w)).find()) {
                    bad.add(String.valueOf(w));
                }
            }
        }
        assertTrue(bad.isEmpty(), side + ": warnings about closed descriptors: " + String.join(" | ", bad));
        assertTrue(warnings instanceof List<?>, side + ": alagg:status --json has no warnings list: " + status);
    }
}
