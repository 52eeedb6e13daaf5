package org.alagg.e2e;

import static org.alagg.e2e.Beds.assertIntact;
import static org.alagg.e2e.Beds.await;
import static org.alagg.e2e.Beds.awaitLinkState;
import static org.alagg.e2e.Beds.delta;
import static org.alagg.e2e.Beds.report;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

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
 * The main capture mode end to end: two namespaces, three veth links of which two are configured, NFQUEUE capture
 * with raw delivery, {@code windowed} reordering; real ping, iperf3 and nc. Each test leaves the bed as it found
 * it (faults removed, both links up, the configured strategy).
 */
@RequiresRoot(tools = {"nft", "tc", "iperf3", "nc", "ping", "ethtool", "ss", "iptables", "ip6tables"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NfqueueBedIT {
    /** The pace of the transfers that have something happen in their middle: about 4 s for 50 MB. */
    private static final String PACE = "100mbit";

    private Bed bed;
    private Side a;
    private Side b;
    private Path file;

    @BeforeAll
    void start() throws Exception {
        bed = Beds.create(Bed.Capture.NFQUEUE, 3, 2, "reorder = windowed");
        long started = System.nanoTime();
        bed.start();
        report("start", "both instances started and forwarding (ping answered both ways) after %d ms",
                (System.nanoTime() - started) / 1_000_000);
        a = bed.a();
        b = bed.b();
        file = Transfer.randomFile(bed.directory().resolve("sent.bin"), Beds.TRANSFER_BYTES);
    }

    /** Heals the links, then checks that both sides' counters add up (the traffic has stopped). */
    @AfterEach
    void healLinksAndCheckCounters() throws Exception {
        for (int n = 1; n <= 2; n++) {
            bed.loss(n, 0);
            bed.slow(n, null, 0);
            bed.cut(n, false);
        }
        Conservation.assertCountersAddUp(bed);
    }

    @AfterAll
    void stop() {
        if (bed != null) {
            bed.close();
        }
    }

    @Test
    @Order(1)
    void pingsBothWaysOverIpv4AndIpv6WithoutLoss() throws Exception {
        Beds.assertPingsBothWays(bed);
    }

    @Test
    @Order(2)
    void transfersFiftyMegabytesIntact() throws Exception {
        Beds.assertTransfersIntact(bed, file);
    }

    @Test
    @Order(3)
    void carriesTcpBulkAndUdpAtAFixedRate() throws Exception {
        Traffic.Iperf tcp = Traffic.tcp(a, b.ipv4(), 5);
        report("tcp", "iperf3 TCP 5 s A -> B: %s", tcp);
        assertTrue(tcp.megabitsPerSecond() > 50, "TCP through the aggregate: " + tcp);
        Traffic.Iperf udp = Traffic.udp(b, a.ipv4(), 5, "100M", 1300);
        report("udp", "iperf3 UDP 100 Mbit/s, 1300 B, 5 s B -> A: %s", udp);
        assertTrue(udp.packets() > 40_000, "UDP packets: " + udp);
        assertTrue(udp.lostPercent() < 1.0, "UDP loss at 100 Mbit/s: " + udp);
    }

    @Test
    @Order(4)
    void twentyPercentLossOnEachLinkCostsAboutFourPercentEndToEnd() throws Exception {
        // on the way to B, as facts.md measures it: the direction the datagrams take
        bed.loss(b, 1, 20);
        bed.loss(b, 2, 20);
        Map<String, Instance.LinkReport> before = b.instance().links();
        Traffic.Iperf udp = Traffic.udp(a, b.ipv4(), 5, "20M", 1000);
        Map<String, Instance.LinkReport> after = b.instance().links();
        report("loss", "20 %% random loss on each of two links towards B, UDP 20 Mbit/s A -> B: %s", udp);
        assertTrue(udp.packets() > 10_000, "UDP packets: " + udp);
        assertTrue(udp.lostPercent() <= 6.0, "end-to-end loss with 20 % on each link: " + udp);
        assertTrue(udp.lostPercent() >= 1.0, "end-to-end loss suspiciously low (is the loss rule applied?): " + udp);
        for (String link : new String[] {"l1b", "l2b"}) {
            long received = after.get(link).counter("frames_received") - before.get(link).counter("frames_received");
            long lost = after.get(link).counter("lost") - before.get(link).counter("lost");
            double percent = 100.0 * lost / (received + lost);
            report("loss", "alagg:links at B, %s: %d frames received, %d lost (%.1f %%)", link, received, lost, percent);
            assertTrue(percent > 15 && percent < 25, link + ": per-link loss " + percent + " %, expected about 20 %");
        }
    }

    @Test
    @Order(5)
    void aLinkCutInTheMiddleOfATransferCostsNothingAndComesBack() throws Exception {
        pace();
        Transfer transfer = Transfer.start(a, b.ipv4(), file, bed.directory().resolve("received.bin"));
        awaitReceived(transfer, Beds.TRANSFER_BYTES / 4);
        bed.cut(1, true);
        Transfer.Result result = transfer.await(Beds.TRANSFER_DEADLINE);
        report("failure", "link 1 cut a quarter into the transfer: %s", result);
        assertIntact(result, Duration.ofSeconds(1));
        Instance.LinkReport down = awaitLinkState(a.instance(), "l1a", "DOWN");
        Instance.LinkReport farEnd = awaitLinkState(b.instance(), "l1b", "DOWN");
        report("failure", "A reports l1a %s (%s), B reports l1b %s (%s)", down.state(), down.detail(), farEnd.state(),
                farEnd.detail());

        bed.cut(1, false);
        awaitLinkState(a.instance(), "l1a", "UP");
        awaitLinkState(b.instance(), "l1b", "UP");
        long receivedBefore = b.instance().links().get("l1b").counter("frames_received");
        Traffic.Ping ping = Traffic.ping(a, b.ipv4(), 20, 0.01);
        long receivedAfter = b.instance().links().get("l1b").counter("frames_received");
        assertEquals(0.0, ping.lossPercent(), ping::toString);
        assertTrue(receivedAfter - receivedBefore >= 20, "l1b carries frames again: " + (receivedAfter - receivedBefore));
    }

    @Test
    @Order(6)
    void aFlappingLinkCostsNothing() throws Exception {
        pace();
        AtomicBoolean flapping = new AtomicBoolean(true);
        Thread flapper = new Thread(() -> {
            boolean down = false;
            while (flapping.get()) {
                try {
                    down = !down;
                    bed.cut(1, down);
                    Thread.sleep(500);
                } catch (Exception e) {
                    return;
                }
            }
        }, "flapper");
        Transfer transfer = Transfer.start(a, b.ipv4(), file, bed.directory().resolve("received.bin"));
        flapper.start();
        Transfer.Result result;
        try {
            result = transfer.await(Beds.TRANSFER_DEADLINE);
        } finally {
            flapping.set(false);
            flapper.join();
        }
        report("flapping", "link 1 down and up every 500 ms during the transfer: %s", result);
        assertIntact(result, Duration.ofSeconds(1));
    }

    @Test
    @Order(7)
    void windowedPutsWhatASlowAndALossyLinkReorderBackInSequence() throws Exception {
        // link 1 queues (token bucket), link 2 loses a fifth: what link 2 lost arrives late, on link 1
        // and the window waits as long as link 1 may queue (its token bucket holds up to 50 ms)
        bed.slow(1, "30mbit", 50);
        bed.loss(2, 20);
        Path config = b.instance().config();
        String original = Files.readString(config);
        try {
            applyConfig(b, original + "reorder.timeout.ms = 100\n");
            Reordering windowed = reordering("windowed");
            b.instance().ctl("alagg:strategy", "none");
            Reordering none = reordering("none");
            assertTrue(windowed.outOfOrderArrivals() > 100, "frames arrived out of order: " + windowed);
            assertEquals(0, windowed.late(), "windowed delivered nothing after its place was given up: " + windowed);
            assertTrue(none.outOfOrderArrivals() > 100, "frames arrived out of order: " + none);
            assertTrue(none.tcpOutOfOrder() > windowed.tcpOutOfOrder() * 5 + 10,
                    "TCP saw far more out-of-order segments with none than with windowed: " + none + " vs " + windowed);
        } finally {
            b.instance().ctl("alagg:strategy", "windowed");
            applyConfig(b, original);
        }
    }

    /** Writes an instance's config file and waits until it says it applied it. */
    private static void applyConfig(Side side, String content) throws Exception {
        side.instance().applyConfig(content, Duration.ofSeconds(20));
    }

    /** What one reordering run showed: the engine's counters at B and B's TCP out-of-order queueing. */
    private record Reordering(String strategy, long outOfOrderArrivals, long late, long lost, long tcpOutOfOrder,
            Traffic.Iperf tcp) {
    }

    private Reordering reordering(String strategy) throws Exception {
        Map<String, Long> before = b.instance().stats();
        long ofoBefore = Beds.kernelCounter(b, "netstat", "TcpExt", "TCPOFOQueue");
        Traffic.Iperf tcp = Traffic.tcpAtRate(a, b.ipv4(), 5, "20M");
        long ofo = Beds.kernelCounter(b, "netstat", "TcpExt", "TCPOFOQueue") - ofoBefore;
        Map<String, Long> after = b.instance().stats();
        Reordering r = new Reordering(strategy, delta(before, after, "out_of_order"), delta(before, after, "late"),
                delta(before, after, "lost"), ofo, tcp);
        report("reordering", "link 1 30 Mbit/s token bucket, link 2 20 %% loss, TCP 20 Mbit/s, %s: %d frames arrived out of order, "
                + "%d late, %d lost, B's TCP queued %d segments out of order; %s", strategy, r.outOfOrderArrivals(),
                r.late(), r.lost(), ofo, tcp);
        return r;
    }

    @Test
    @Order(8)
    void switchingTheStrategyByCommandMidTransferKeepsItIntact() throws Exception {
        Transfer.Result result = duringPacedTransfer(() -> {
            b.instance().ctl("alagg:strategy", "strict");
            Thread.sleep(500);
            b.instance().ctl("alagg:strategy", "windowed");
        });
        report("swap", "strategy windowed -> strict -> windowed at B mid-transfer: %s", result);
        assertIntact(result, Duration.ofSeconds(1));
    }

    @Test
    @Order(9)
    void stoppingAndStartingTheStrategyBundleMidTransferKeepsItIntact() throws Exception {
        long windowed = Beds.bundleId(b.instance(), "Alagg reordering: windowed");
        Transfer.Result result = duringPacedTransfer(() -> {
            b.instance().ctl("stop", Long.toString(windowed));
            Thread.sleep(500);
            b.instance().ctl("start", Long.toString(windowed));
        });
        report("swap", "windowed bundle stopped and started at B mid-transfer: %s", result);
        assertIntact(result, Duration.ofSeconds(1));
        await("B uses windowed again", () -> b.instance().ctl("alagg:strategy"), out -> out.contains("windowed"));
    }

    @Test
    @Order(10)
    void addingAndRemovingLinksMidTransferKeepsItIntact() throws Exception {
        Transfer.Result result = duringPacedTransfer(() -> {
            a.instance().ctl("alagg:link", "add", "l3a", b.mac("l3b"));
            b.instance().ctl("alagg:link", "add", "l3b", a.mac("l3a"));
            awaitLinkState(a.instance(), "l3a", "UP");
            a.instance().ctl("alagg:link", "remove", "l1a");
            b.instance().ctl("alagg:link", "remove", "l1b");
        });
        report("swap", "link 3 added and link 1 removed on both sides mid-transfer: %s", result);
        assertIntact(result, Duration.ofSeconds(1));
        assertTrue(b.instance().links().get("l3b").counter("frames_received") > 1000, "link 3 carried the transfer");
        a.instance().ctl("alagg:link", "add", "l1a", b.mac("l1b"));
        b.instance().ctl("alagg:link", "add", "l1b", a.mac("l1a"));
        a.instance().ctl("alagg:link", "remove", "l3a");
        b.instance().ctl("alagg:link", "remove", "l3b");
        awaitLinkState(a.instance(), "l1a", "UP");
        awaitLinkState(b.instance(), "l1b", "UP");
    }

    @Test
    @Order(11)
    void editingTheConfigFileMidTransferKeepsItIntact() throws Exception {
        Path config = b.instance().config();
        String original = Files.readString(config);
        try {
            Transfer.Result result = duringPacedTransfer(() -> {
                Files.writeString(config, original.replace("reorder = windowed", "reorder = strict"));
                await("B switches to strict", () -> b.instance().ctl("alagg:strategy"), out -> out.contains("strict"));
            });
            report("swap", "config file edited at B mid-transfer (reorder = strict): %s", result);
            assertIntact(result, Duration.ofSeconds(1));
        } finally {
            Files.writeString(config, original);
            await("B switches back to windowed", () -> b.instance().ctl("alagg:strategy"), out -> out.contains("windowed"));
        }
    }

    @Test
    @Order(12)
    void restartingThePeerMidTransferKeepsItIntactAndTrafficResumesQuickly() throws Exception {
        Map<String, Long> before = a.instance().stats();
        long[] resumedMillis = new long[1];
        Transfer.Result result = duringPacedTransfer(() -> {
            b.instance().stop();
            b.instance().start();
            b.instance().awaitAnswering(Duration.ofSeconds(30));
            long back = System.nanoTime();
            await("a ping from A answered", () -> Traffic.ping(a, b.ipv4(), 1, 0.2), Traffic.Ping::allAnswered);
            resumedMillis[0] = (System.nanoTime() - back) / 1_000_000;
        });
        Map<String, Long> after = a.instance().stats();
        report("restart", "B's process restarted mid-transfer: traffic resumed %d ms after B answered; transfer: %s; "
                + "A counted %d peer restarts", resumedMillis[0], result, delta(before, after, "peer_restarts"));
        assertTrue(result.intact(), result::toString);
        assertTrue(resumedMillis[0] <= 2000, "traffic resumed " + resumedMillis[0] + " ms after the peer was back");
        assertEquals(1, delta(before, after, "peer_restarts"), "A saw the new epoch once");
    }

    @Test
    @Order(13)
    void hostileFramesAreCountedUnderTheirReasonAndNeverDelivered() throws Exception {
        int etherType = 0x88B5;
        String target = b.mac("l1b");
        // a host on link 1 whose MAC no configuration names
        a.exec("ip", "link", "add", "rogue0", "link", "l1a", "type", "macvlan", "mode", "bridge");
        a.exec("ip", "link", "set", "rogue0", "up");
        // where B would relay a packet for 10.99.0.9 if it delivered one: out of link 3, which Alagg does not use;
        // the rule counts (and stops) any such packet
        b.exec("ip", "route", "add", "10.99.0.0/24", "dev", "l3b");
        b.exec("iptables", "-I", "OUTPUT", "-d", "10.99.0.9", "-j", "DROP");
        try {
            // the epoch and the last sequence A used, learnt from its frames on the links: pings (one at a time,
            // again until the listener has seen a frame), then quiet, so no number is taken after the last one seen
            int[] seen = HostileFrames.listen(b.namespace(), etherType, () -> Traffic.ping(a, b.ipv4(), 1, 0.2));
            int epoch = seen[0];
            int next = seen[1] + 1;
            byte[] toB = HostileFrames.udp(HostileFrames.ipv4(a.ipv4()), HostileFrames.ipv4(b.ipv4()), 32);
            byte[] elsewhere = HostileFrames.udp(HostileFrames.ipv4(a.ipv4()), HostileFrames.ipv4("10.99.0.9"), 32);
            byte[] garbage = new byte[40];
            new Random(7).nextBytes(garbage);
            garbage[0] = 0x7f;

            Map<String, Long> before = b.instance().stats();
            long noPortsBefore = Beds.kernelCounter(b, "snmp", "Udp", "NoPorts");
            HostileFrames.send(a.namespace(), "rogue0", target, etherType, List.of(HostileFrames.dataFrame(epoch, next, toB)));
            HostileFrames.send(a.namespace(), "l1a", target, etherType, List.of(
                    Arrays.copyOf(HostileFrames.dataFrame(epoch, next, toB), 10),
                    garbage,
                    HostileFrames.overlongFrame(epoch, next, toB, 1000),
                    HostileFrames.dataFrame(epoch, next, elsewhere)));
            Map<String, Long> after = await("B counts the five hostile frames", () -> b.instance().stats(),
                    stats -> delta(before, stats, "nfqueue_delivery_not_local") >= 1);
            report("hostile", "B counted: unknown_source +%d, malformed_truncated +%d, malformed_bad_version +%d, "
                    + "malformed_inner_length_overflow +%d, nfqueue_delivery_not_local +%d", delta(before, after, "unknown_source"),
                    delta(before, after, "malformed_truncated"), delta(before, after, "malformed_bad_version"),
                    delta(before, after, "malformed_inner_length_overflow"), delta(before, after, "nfqueue_delivery_not_local"));
            assertEquals(1, delta(before, after, "unknown_source"), "frame from an unconfigured MAC");
            assertEquals(1, delta(before, after, "malformed_truncated"), "truncated frame");
            assertEquals(1, delta(before, after, "malformed_bad_version"), "garbage header");
            assertEquals(1, delta(before, after, "malformed_inner_length_overflow"), "inner length beyond the frame");
            assertEquals(1, delta(before, after, "nfqueue_delivery_not_local"), "inner packet for another host");
            // this bed has no key: a well-formed frame in the current epoch with the next number passes (docs/protocol.md
            // section 7); a key stops it (HostileHostBedIT)
            assertEquals(0, delta(before, after, "epoch_unconfirmed") + delta(before, after, "auth_missing"),
                    "the frame in A's current epoch was taken as A's");
            assertEquals(noPortsBefore, Beds.kernelCounter(b, "snmp", "Udp", "NoPorts"), "a hostile datagram reached B's UDP");
            assertEquals(0, dropped(b, "10.99.0.9"), "B sent the packet for another host on");

            // the forged frame took A's next sequence number: the one packet A sends with it is a duplicate at B
            Traffic.ping(a, b.ipv4(), 1, 0.2);
            Traffic.Ping ping = Traffic.pingAnswered(a, b.ipv4(), 20, 0.01);
            assertEquals(0.0, ping.lossPercent(), "B keeps forwarding: " + ping);
        } finally {
            a.execQuietly("ip", "link", "del", "rogue0");
            b.execQuietly("iptables", "-D", "OUTPUT", "-d", "10.99.0.9", "-j", "DROP");
            b.execQuietly("ip", "route", "del", "10.99.0.0/24");
        }
    }

    /** Packets the DROP rule for {@code destination} in OUTPUT has counted. */
    private static long dropped(Side side, String destination) throws Exception {
        return side.exec("iptables", "-L", "OUTPUT", "-v", "-x", "-n").lines()
                .filter(l -> l.contains("DROP") && l.contains(destination))
                .mapToLong(l -> Long.parseLong(l.strip().split("\\s+")[0])).sum();
    }

    @FunctionalInterface
    private interface Action {
        void run() throws Exception;
    }

    /** Starts a paced transfer, runs the action a quarter into it, and returns how the transfer went. */
    private Transfer.Result duringPacedTransfer(Action action) throws Exception {
        pace();
        Transfer transfer = Transfer.start(a, b.ipv4(), file, bed.directory().resolve("received.bin"));
        awaitReceived(transfer, Beds.TRANSFER_BYTES / 4);
        action.run();
        return transfer.await(Beds.TRANSFER_DEADLINE);
    }

    /** Both links at 100 Mbit/s: a 50 MB transfer takes about 4 s, long enough to do something in its middle. */
    private void pace() throws Exception {
        bed.slow(1, PACE, 50);
        bed.slow(2, PACE, 50);
    }

    private static void awaitReceived(Transfer transfer, long bytes) throws Exception {
        await("the transfer reaches " + bytes + " bytes", transfer::received, received -> received >= bytes);
    }
}
