package org.alagg.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the end-to-end tests share: where the project is, waiting for conditions, the 50 MB transfer, printing. */
final class Beds {
    static final Path ROOT = Path.of(System.getProperty("alagg.root", "..")).toAbsolutePath().normalize();
    /** The transfer the issue asks for: at least 50 MB. */
    static final long TRANSFER_BYTES = 50_000_000;
    /** Long enough for a paced 50 MB transfer (about 4 s at 100 Mbit/s) under faults. */
    static final Duration TRANSFER_DEADLINE = Duration.ofSeconds(60);
    /**
     * ping's {@code -i} for 100 pings a second: here {@code -i 0.01} gives only about 62 a second (ping's timer sleeps
     * a 16 ms step), {@code -i 0.009} about 110.
     */
    static final double PING_INTERVAL = 0.009;
    private static final Duration DEADLINE = Duration.ofSeconds(20);
    /** A row of {@code lb}: {@code    7|Active     |    1|Alagg reordering: windowed (0.1.0.SNAPSHOT)|0.1.0.SNAPSHOT}. */
    private static final Pattern BUNDLE_ROW = Pattern.compile("(?m)^\\s*(\\d+)\\|[^|]*\\|[^|]*\\|([^|(]+)");

    private Beds() {
    }

    /** A bed with every tool the tests need checked first. */
    static Bed create(Bed.Capture capture, int links, int configuredLinks, String... extraConfig) throws IOException {
        return Bed.create(ROOT, capture, links, configuredLinks, List.of(extraConfig));
    }

    @FunctionalInterface
    interface Probe<T> {
        T get() throws Exception;
    }

    @FunctionalInterface
    interface Check<T> {
        boolean test(T value) throws Exception;
    }

    /** Polls until {@code done} holds for what {@code probe} returns, and returns that; fails after 20 s. */
    static <T> T await(String what, Probe<T> probe, Check<T> done) throws Exception {
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (true) {
            T value = probe.get();
            if (done.test(value)) {
                return value;
            }
            if (System.nanoTime() - end > 0) {
                return fail("not within " + DEADLINE.toSeconds() + " s: " + what + "; last seen:\n" + value);
            }
            Thread.sleep(100);
        }
    }

    /** Waits until both sides report every link of the bed UP. */
    static void awaitLinksUp(Bed bed) throws Exception {
        for (Bed.Side side : List.of(bed.a(), bed.b())) {
            await(side + ": every link UP", () -> side.instance().links(), l -> l.size() == bed.links()
                    && l.values().stream().allMatch(r -> r.state().equals("UP")));
        }
    }

    /** Waits until an instance reports a link in the given state. */
    static Instance.LinkReport awaitLinkState(Instance instance, String link, String state) throws Exception {
        return await(instance.name() + " reports " + link + " " + state, () -> instance.links().get(link),
                report -> report != null && report.state().equals(state));
    }

    /** The id of the bundle whose name starts with {@code name}, from {@code lb}. */
    static long bundleId(Instance instance, String name) throws IOException {
        Matcher m = BUNDLE_ROW.matcher(instance.ctl("lb"));
        while (m.find()) {
            if (m.group(2).strip().equals(name)) {
                return Long.parseLong(m.group(1));
            }
        }
        throw new AssertionError("no bundle '" + name + "' in " + instance);
    }

    /** 100 pings at 100/s from each side to each of the other's addresses (IPv4, IPv6): none lost. */
    static void assertPingsBothWays(Bed bed) throws IOException {
        for (Bed.Side from : List.of(bed.a(), bed.b())) {
            for (String to : List.of(from.peer().ipv4(), from.peer().ipv6())) {
                Traffic.Ping ping = Traffic.ping(from, to, 100, PING_INTERVAL);
                report("ping", "%s, %s -> %s: %s", bed.capture(), from, to, ping);
                assertEquals(0.0, ping.lossPercent(), () -> from + " -> " + to + ": " + ping);
            }
        }
    }

    /** The 50 MB file, A to B over IPv4 and B to A over IPv6, each intact and without a stall over 1 s. */
    static void assertTransfersIntact(Bed bed, Path file) throws Exception {
        Transfer.Result there = Transfer.start(bed.a(), bed.b().ipv4(), file, bed.directory().resolve("received.bin"))
                .await(TRANSFER_DEADLINE);
        report("transfer", "%s, A -> B over IPv4: %s", bed.capture(), there);
        assertIntact(there, Duration.ofSeconds(1));
        Transfer.Result back = Transfer.start(bed.b(), bed.a().ipv6(), file, bed.directory().resolve("received-6.bin"))
                .await(TRANSFER_DEADLINE);
        report("transfer", "%s, B -> A over IPv6: %s", bed.capture(), back);
        assertIntact(back, Duration.ofSeconds(1));
    }

    /** Asserts that a transfer arrived whole and did not stall longer than {@code maxStall}. */
    static void assertIntact(Transfer.Result result, Duration maxStall) {
        assertTrue(result.intact(), "the transfer is not intact: " + result);
        assertTrue(result.longestStall().compareTo(maxStall) <= 0,
                "the transfer stalled " + result.longestStall().toMillis() + " ms, more than " + maxStall.toMillis() + " ms: " + result);
    }

    /** A counter's growth between two {@code alagg:stats} readings. */
    static long delta(Map<String, Long> before, Map<String, Long> after, String counter) {
        return after.getOrDefault(counter, 0L) - before.getOrDefault(counter, 0L);
    }

    /**
     * A counter of a side's kernel from one of its {@code /proc/net} tables ({@code netstat}, {@code snmp}), read
     * in its namespace: a table is a line of names and a line of values, both starting with {@code <group>:}.
     */
    static long kernelCounter(Bed.Side side, String table, String group, String counter) throws IOException {
        List<String> lines = side.exec("cat", "/proc/net/" + table).lines().filter(l -> l.startsWith(group + ":")).toList();
        List<String> names = List.of(lines.get(0).split("\\s+"));
        List<String> values = List.of(lines.get(1).split("\\s+"));
        int i = names.indexOf(counter);
        if (i < 0) {
            throw new AssertionError("no " + group + " counter " + counter + " in /proc/net/" + table);
        }
        return Long.parseLong(values.get(i));
    }

    /** Prints a measured figure so it shows in the test output (and the report docs/e2e.md is written from). */
    static void report(String test, String format, Object... args) {
        System.out.printf("E2E %s: %s%n", test, String.format(java.util.Locale.ROOT, format, args));
    }
}
