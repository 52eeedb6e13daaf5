package org.alagg.e2e;

import static org.alagg.e2e.Beds.assertIntact;
import static org.alagg.e2e.Beds.await;
import static org.alagg.e2e.Beds.report;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.alagg.e2e.Bed.Side;
import org.alagg.testing.RequiresRoot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 16 on the bed, one bed for the whole class (TUN, two links shaped by token buckets at both ends): what each
 * scheduler gives a TCP transfer ({@code redundant}: one link's bandwidth; {@code weighted}: both, on equal and on
 * unequal links, in order at the receiver), {@code backup}'s failover to a backup link when the primary falls silent
 * (carrier up) and its hand-back after the hold time, {@code hybrid}'s protection of small packets on a lossy link and
 * its bulk goodput, and a transfer kept intact while the scheduler is switched four times. Each test leaves the links
 * shaped at 50 Mbit/s, lossless, with the bed's own configuration.
 */
@RequiresRoot(tools = {"tc", "nft", "iperf3", "nc", "ping", "ethtool"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AggregationModesBedIT {
    /** Each TCP run: its first second (slow start, the estimates settling) is left out, the next 4 measured. */
    private static final int TCP_OMIT_SECONDS = 1;
    private static final int TCP_SECONDS = 4;
    /** The token buckets' queue: what a link holds before it drops. */
    private static final int QUEUE_MS = 20;
    /** {@code plugin.backup.hold.ms} on the bed: long enough to tell from the link's own recovery (under 1 s). */
    private static final long HOLD_MS = 2000;
    /** The probes' interval (the default): a silent link is DOWN after three. */
    private static final long PROBE_MS = 100;

    private Bed bed;
    private Side a;
    private Side b;
    /** The configuration each side was started with, which every test returns to. */
    private final Map<Side, String> original = new java.util.HashMap<>();
    /** What {@code redundant} gave on two 50 Mbit/s links, for the other modes to be measured against. */
    private Traffic.Iperf redundant;

    @BeforeAll
    void start() throws Exception {
        bed = Beds.create(Bed.Capture.TUN, 2, 2, "plugin.backup.hold.ms = " + HOLD_MS).start();
        a = bed.a();
        b = bed.b();
        for (Side side : List.of(a, b)) {
            original.put(side, Files.readString(side.instance().config()));
        }
        shape("50mbit", "50mbit");
    }

    @AfterAll
    void stop() {
        if (bed != null) {
            bed.close();
        }
    }

    @AfterEach
    void restore() throws Exception {
        bed.loss(1, 0);
        shape("50mbit", "50mbit");
        for (Side side : List.of(a, b)) {
            if (!Files.readString(side.instance().config()).equals(original.get(side))) {
                apply(side, original.get(side));
            }
        }
        Beds.awaitLinksUp(bed);
    }

    /**
     * TCP fills the token buckets' queues until they drop, whatever the scheduler: some retransmits and some segments
     * queued out of order at B (those behind a lost one) come with every mode. What spreading must not add is its own:
     * per byte carried, weighted may show no more of either than redundant does (with a margin for run-to-run
     * variation), however many more bytes it carries.
     */
    @Test
    @Order(1)
    void weightedAddsTwoLinksUpAndKeepsTheOrder() throws Exception {
        Tcp plain = tcp("redundant, 2 x 50 Mbit/s");
        redundant = plain.result();
        long changes = a.instance().links().get("l1a").counter("state_changes");
        schedule("weighted", "weight=50", "weight=50");
        assertEquals(changes, a.instance().links().get("l1a").counter("state_changes"),
                "a link whose weight changed goes on: not reopened, no state change");
        Tcp weighted = tcp("weighted, 2 x 50 Mbit/s, weights configured 50 and 50");
        schedule("weighted", "", "");
        Tcp estimated = tcp("weighted, 2 x 50 Mbit/s, weights estimated");
        assertTrue(plain.result().megabitsPerSecond() > 35 && plain.result().megabitsPerSecond() < 55,
                "redundant gives one link's bandwidth: " + plain);
        for (Tcp run : List.of(weighted, estimated)) {
            assertTrue(run.retransmitRate() <= 1.5 * plain.retransmitRate() + 0.002,
                    "no more retransmits per segment than redundant: " + run + " against " + plain);
            assertTrue(run.outOfOrderRate() <= 1.5 * plain.outOfOrderRate() + 0.01,
                    "B's TCP sees the stream in order (Alagg reorders): " + run + " against " + plain);
        }
        assertTrue(weighted.result().megabitsPerSecond() >= 90, "weighted adds both links up: " + weighted);
        assertTrue(estimated.result().megabitsPerSecond() >= 80, "estimated weights come close: " + estimated);
    }

    @Test
    @Order(2)
    void weightedFollowsUnequalLinks() throws Exception {
        shape("20mbit", "80mbit");
        schedule("weighted", "weight=20", "weight=80");
        Tcp configured = tcp("weighted, 20 + 80 Mbit/s, weights configured 20 and 80");
        schedule("weighted", "", "");
        Tcp estimated = tcp("weighted, 20 + 80 Mbit/s, weights estimated");
        // the fast link alone gives at most 80 and an even split at most 40: above 85 both links carry their share
        // (runs give 88-94; 90 failed once under CI load at 88)
        assertTrue(configured.result().megabitsPerSecond() >= 85, "configured weights: " + configured);
        // the weights decide the split: an even one would put half on link 1, the fast link alone none
        assertTrue(configured.firstLinkShare() > 0.12 && configured.firstLinkShare() < 0.30,
                "configured 20 and 80: link 1 carries about a fifth of the bytes: " + configured);
        assertTrue(estimated.result().megabitsPerSecond() >= 75, "estimated weights find the capacities: " + estimated);
    }

    @Test
    @Order(3)
    void backupCarriesOnlyProbesUntilThePrimaryFallsSilentAndHandsBackAfterTheHoldTime() throws Exception {
        schedule("backup", "", "tier=1");
        Path file = Transfer.randomFile(bed.directory().resolve("backup.bin"), 36_000_000);
        Map<String, Long> before = a.instance().links().get("l2a").counters();
        Transfer transfer = Transfer.startPaced(a, b.ipv4(), file, bed.directory().resolve("backup-received.bin"), 4_000_000);
        // a steady stream beside TCP, which backs off when its packets are lost and would show its own timers
        Traffic.RunningPing steady = Traffic.pingInBackground(a, b.ipv4(), 0.005);
        Thread.sleep(1500);
        Map<String, Long> during = a.instance().links().get("l2a").counters();
        long backupData = dataFrames(during) - dataFrames(before);
        bed.loss(a, 1, 100); // A hears nothing on l1 from here: its failover is what l2a's traffic shows
        long silenced = System.nanoTime();
        bed.loss(b, 1, 100);
        long failover = awaitData("l2a", true, silenced, 3000);
        Thread.sleep(1000);
        bed.loss(1, 0);
        long restored = System.nanoTime();
        long handBack = awaitData("l2a", false, restored, 6000);
        Map<String, Instance.LinkReport> atHandBack = a.instance().links();
        Transfer.Result result = transfer.await(Duration.ofSeconds(30));
        Traffic.Ping pings = steady.stop();
        report("aggregation modes", "backup (l2 tier 1, hold %d ms): l2a sent %d DATA frames while l1 was up (probes only);"
                + " l1 silenced (nftables drop, carrier up): DATA on l2a after %d ms; l1 back: DATA off l2a after %d ms;"
                + " transfer %s; ping every 5 ms meanwhile: %s; at the hand-back A's l1a %s (%d changes), l2a %s",
                HOLD_MS, backupData, failover / 1_000_000, handBack / 1_000_000, result, pings,
                atHandBack.get("l1a").state(), atHandBack.get("l1a").counter("state_changes"), atHandBack.get("l2a").state());
        assertEquals(0, backupData, "the backup link carries only probes while the primary is up");
        assertTrue(failover <= (300 + PROBE_MS) * 1_000_000, "traffic on the backup within 300 ms + one probe interval: "
                + failover / 1_000_000 + " ms");
        assertTrue(handBack >= HOLD_MS * 1_000_000, "traffic stays on the backup for the hold time after the primary is"
                + " back: " + handBack / 1_000_000 + " ms");
        assertTrue(handBack <= (HOLD_MS + 2000) * 1_000_000, "and returns after it: " + handBack / 1_000_000 + " ms");
        assertIntact(result, Duration.ofSeconds(1));
    }

    @Test
    @Order(4)
    void hybridProtectsSmallPacketsOnALossyLinkAndSpreadsBulk() throws Exception {
        assertTrue(redundant != null, "the redundant run of the first test");
        schedule("hybrid", "", "");
        Tcp bulk = tcp("hybrid, 2 x 50 Mbit/s");
        bed.loss(1, 20);
        Traffic.Ping ping = Traffic.ping(a, b.ipv4(), 300, 0.01);
        Tcp lossy = tcp("hybrid, 2 x 50 Mbit/s, l1 losing 20 %");
        report("aggregation modes", "hybrid: ping A -> B with l1 losing 20 %% of frames both ways: %s", ping);
        assertEquals(0.0, ping.lossPercent(), "small packets go on both links: " + ping);
        assertTrue(bulk.result().megabitsPerSecond() >= 1.6 * redundant.megabitsPerSecond(), "bulk is spread: " + bulk
                + " against redundant's " + redundant);
        assertTrue(lossy.result().megabitsPerSecond() >= 0.5 * redundant.megabitsPerSecond(),
                "the lossy link is left for bulk: " + lossy);
    }

    @Test
    @Order(5)
    void aTransferStaysIntactWhileTheSchedulerIsSwitchedLive() throws Exception {
        Path file = Transfer.randomFile(bed.directory().resolve("switch.bin"), 40_000_000);
        Transfer transfer = Transfer.startPaced(a, b.ipv4(), file, bed.directory().resolve("switch-received.bin"), 6_000_000);
        List<String> switched = new ArrayList<>();
        for (String scheduler : List.of("weighted", "backup", "hybrid", "redundant")) {
            Thread.sleep(1200);
            long started = System.nanoTime();
            for (Side side : List.of(a, b)) {
                apply(side, original.get(side).replaceAll("(?m)^scheduler = .*\\R", "") + "scheduler = " + scheduler + "\n");
            }
            switched.add(scheduler + " (" + (System.nanoTime() - started) / 1_000_000 + " ms to apply)");
        }
        Transfer.Result result = transfer.await(Duration.ofSeconds(30));
        report("aggregation modes", "live switch redundant -> %s mid-transfer: %s", String.join(" -> ", switched), result);
        assertIntact(result, Duration.ofSeconds(1));
        String log = a.instance().log();
        assertTrue(!log.contains(" failed in choose"), "no scheduler failed: " + log);
    }

    /** A TCP run A -> B and what B's kernel saw of its order. */
    /** @param firstLinkShare link 1's part of the bytes A's two links sent during the run (all of iperf3's run) */
    private record Tcp(String what, Traffic.Iperf result, long outOfOrder, long segments, double firstLinkShare) {
        /** The goodput in full-size segments (B's own count depends on how many the TUN offloads joined). */
        double fullSegments() {
            return Math.max(1, result.bytes() / 1448.0);
        }

        double retransmitRate() {
            return result.retransmits() / fullSegments();
        }

        double outOfOrderRate() {
            return outOfOrder / fullSegments();
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s: %s, B's TCP queued %d of %d segments out of order, link 1 carried %.0f %% of"
                    + " A's bytes", what, result, outOfOrder, segments, 100 * firstLinkShare);
        }
    }

    private Tcp tcp(String what) throws Exception {
        long ofo = Beds.kernelCounter(b, "netstat", "TcpExt", "TCPOFOQueue");
        long in = Beds.kernelCounter(b, "snmp", "Tcp", "InSegs");
        Map<String, Long> before = b.instance().stats();
        long first = a.txBytes(a.link(1));
        long second = a.txBytes(a.link(2));
        Traffic.Iperf result = Traffic.tcpSettled(a, b.ipv4(), TCP_OMIT_SECONDS, TCP_SECONDS);
        first = a.txBytes(a.link(1)) - first;
        second = a.txBytes(a.link(2)) - second;
        Tcp run = new Tcp(what, result, Beds.kernelCounter(b, "netstat", "TcpExt", "TCPOFOQueue") - ofo,
                Beds.kernelCounter(b, "snmp", "Tcp", "InSegs") - in, (double) first / Math.max(1, first + second));
        Map<String, Long> after = b.instance().stats();
        String estimates = a.instance().ctl("alagg:status").lines().filter(l -> l.contains("estimated capacity"))
                .map(String::strip).findFirst().orElse("");
        report("aggregation modes", "%s; B's Alagg: %d passed, %d lost, %d late, %d out of order, reorder timeout %d us%s",
                run, Beds.delta(before, after, "passed"), Beds.delta(before, after, "lost"), Beds.delta(before, after, "late"),
                Beds.delta(before, after, "out_of_order"), after.getOrDefault("reorder_timeout_us", -1L),
                estimates.isEmpty() ? "" : "; A's " + estimates);
        return run;
    }

    /** Token buckets of these rates on link 1 and link 2, both ways. */
    private void shape(String l1, String l2) throws Exception {
        bed.slow(1, l1, QUEUE_MS);
        bed.slow(2, l2, QUEUE_MS);
    }

    /** Both sides: this scheduler, and these options after each link's MAC. */
    private void schedule(String scheduler, String l1Options, String l2Options) throws Exception {
        for (Side side : List.of(a, b)) {
            String config = original.get(side)
                    .replaceAll("(?m)^(link\\.l1[ab] = \\S+).*$", "$1 " + l1Options)
                    .replaceAll("(?m)^(link\\.l2[ab] = \\S+).*$", "$1 " + l2Options)
                    .replaceAll("(?m)^scheduler = .*\\R", "");
            apply(side, config + "scheduler = " + scheduler + "\n");
        }
        Beds.awaitLinksUp(bed);
    }

    private static void apply(Side side, String content) throws Exception {
        side.instance().applyConfig(content, Duration.ofSeconds(20));
    }


    /** DATA frames a link sent: its frames less its probes. */
    private static long dataFrames(Map<String, Long> counters) {
        return counters.getOrDefault("frames_sent", 0L) - counters.getOrDefault("probes_sent", 0L);
    }

    /**
     * Polls A's interface until it carries DATA ({@code carrying}: more than the probes' few frames in a window of about
     * 20 ms) or stops carrying it (three such windows in a row: a busy machine may leave the egress thread idle for one);
     * returns the nanoseconds from {@code since} to the end of the first window that shows it.
     */
    private long awaitData(String device, boolean carrying, long since, long withinMs) throws Exception {
        String counter = "/sys/class/net/" + device + "/statistics/tx_packets";
        long window = 20_000_000;
        long last = Long.parseLong(a.exec("cat", counter).strip());
        long lastAt = System.nanoTime();
        List<Long> seen = new ArrayList<>();
        int quietWindows = 0;
        long firstQuiet = 0;
        while (System.nanoTime() - since < withinMs * 1_000_000) {
            Thread.sleep(5);
            long now = System.nanoTime();
            long packets = Long.parseLong(a.exec("cat", counter).strip());
            if (now - lastAt < window) {
                continue;
            }
            long sent = packets - last;
            seen.add(sent);
            last = packets;
            lastAt = now;
            boolean data = sent > 2; // the probes and replies are at most 1 in 20 ms; the pings alone 4
            if (carrying && data) {
                report("aggregation modes", "%s carries DATA: frames per window until then %s", device, seen);
                return now - since;
            }
            if (!carrying) {
                quietWindows = data ? 0 : quietWindows + 1;
                firstQuiet = quietWindows == 1 ? now : firstQuiet;
                if (quietWindows == 3) {
                    report("aggregation modes", "%s no longer carries DATA: frames per window until then %s", device, seen);
                    return firstQuiet - since;
                }
            }
        }
        throw new AssertionError(device + " did not " + (carrying ? "start" : "stop") + " carrying DATA within " + withinMs
                + " ms; frames per window: " + seen);
    }
}
