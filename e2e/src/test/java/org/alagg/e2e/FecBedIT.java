package org.alagg.e2e;

import static org.alagg.e2e.Beds.assertIntact;
import static org.alagg.e2e.Beds.await;
import static org.alagg.e2e.Beds.report;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
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
 * Issue 19 on the bed, one bed for the class (TUN, two links, unshaped): forward error correction against full
 * duplication on two links that each lose 10 % of frames at random (nftables), a UDP stream at a fixed rate: the loss
 * left after {@code fec 4:2} is no more than {@code redundant}'s while its wire bytes per delivered byte are at most 0.8
 * of redundant's; {@code 10:2} and {@code auto} with their figures. Then, in {@code fec} mode: a link cut mid-transfer
 * and a burst of a few hundred ms lost on one link leave a transfer intact without a stall over 1 s, and ping's p50 is
 * no more than redundant's plus {@code fec.timeout.ms}. At the end both sides' counters add up (PARITY frames and
 * repaired packets included).
 */
@RequiresRoot(tools = {"nft", "iperf3", "nc", "ping", "ethtool"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FecBedIT {
    /**
     * The UDP stream: datagrams of this many bytes, this many a second, measured this long (the two runs compared; the
     * others a third as long). At 10 % per link, redundant leaves 1 % and 4:2 0.81 %; a failed 4:2 group loses about
     * two packets at once, which doubles the variance of its count: 75 000 datagrams put the two some 3 standard
     * deviations apart.
     */
    private static final int UDP_LENGTH = 1200;
    private static final int UDP_PPS = 5000;
    private static final int UDP_SECONDS = 15;
    /**
     * The links start losing once this many bytes of the stream left A: iperf3's UDP test opens with one datagram each
     * way on the stream's socket, which iperf3 3.12 does not send again; lost, the client waits 30 s and fails.
     */
    private static final long LOSS_AFTER_BYTES = 1_000_000;
    private static final int LOSS_PERCENT = 10;
    private static final long FEC_TIMEOUT_MS = 5;

    private Bed bed;
    private Side a;
    private Side b;
    private final Map<Side, String> original = new java.util.HashMap<>();

    @BeforeAll
    void start() throws Exception {
        bed = Beds.create(Bed.Capture.TUN, 2, 2, "fec.timeout.ms = " + FEC_TIMEOUT_MS).start();
        a = bed.a();
        b = bed.b();
        for (Side side : List.of(a, b)) {
            original.put(side, Files.readString(side.instance().config()));
        }
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
        bed.loss(2, 0);
        bed.cut(2, false);
        Beds.awaitLinksUp(bed);
    }

    /**
     * A UDP run's figures from the end of its warm-up to the end of the stream: what B's Alagg delivered
     * and gave up, the bytes A put on both links, and what A's TUN device dropped before Alagg read it (a busy machine:
     * none of the aggregate's doing); iperf3's own count of the whole run beside them.
     */
    private record Run(String mode, Traffic.Iperf udp, long wireBytes, Map<String, Long> sent, Map<String, Long> received,
                       long tunDropped) {
        /** Packets B's Alagg delivered: the stream's datagrams, and a few of iperf3's control connection. */
        long delivered() {
            return received.getOrDefault("passed", 0L);
        }

        /** The aggregate's loss: the sequence numbers B gave up of those it passed or gave up. */
        double residualPercent() {
            long lost = received.getOrDefault("lost", 0L);
            return 100.0 * lost / Math.max(1, lost + received.getOrDefault("passed", 0L));
        }

        /** Both links' bytes on the wire (Ethernet headers, Alagg headers, parity and probes) per byte delivered. */
        double wirePerDelivered() {
            return (double) wireBytes / (delivered() * (double) UDP_LENGTH);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s: residual loss %.3f %% (B's Alagg: %d lost, %d passed, %d late; %d repaired,"
                    + " %d unrepairable, %d parity received, %d used; A sent %d parity), %.2f wire bytes per delivered byte;"
                    + " iperf3, the whole run: %d of %d datagrams lost (%.3f %%); A's TUN device dropped %d",
                    mode, residualPercent(), received.getOrDefault("lost", 0L), delivered(),
                    received.getOrDefault("late", 0L), received.getOrDefault("fec_repaired", 0L),
                    received.getOrDefault("fec_unrepairable", 0L), received.getOrDefault("fec_parity_received", 0L),
                    received.getOrDefault("fec_parity_used", 0L), sent.getOrDefault("fec_parity_sent", 0L),
                    wirePerDelivered(), udp.lostPackets(), udp.packets(), udp.lostPercent(), tunDropped);
        }
    }

    @Test
    @Order(1)
    void fecLosesNoMoreThanRedundantAtLessThanFourFifthsOfItsWireBytes() throws Exception {
        Map<String, Run> runs = new LinkedHashMap<>();
        for (String mode : List.of("redundant", "4:2", "10:2", "auto")) {
            runs.put(mode, udp(mode));
        }
        Run redundant = runs.get("redundant");
        Run fec = runs.get("4:2");
        for (Run run : runs.values()) {
            report("fec", "%d %% loss on each link, UDP %d B at %d/s, %s", LOSS_PERCENT, UDP_LENGTH, UDP_PPS, run);
        }
        report("fec", "4:2 against redundant: residual loss %.3f %% / %.3f %%, wire bytes per delivered byte %.2f / %.2f"
                + " = %.2f", fec.residualPercent(), redundant.residualPercent(), fec.wirePerDelivered(),
                redundant.wirePerDelivered(), fec.wirePerDelivered() / redundant.wirePerDelivered());
        report("fec", "auto's choices (A's log): %s", a.instance().log().lines()
                .filter(l -> l.contains("forward error correction auto")).map(String::strip).toList());
        assertTrue(fec.received().getOrDefault("fec_repaired", 0L) > fec.delivered() / 20,
                "FEC repaired about a tenth of the packets: " + fec);
        assertTrue(fec.residualPercent() <= redundant.residualPercent(), "fec 4:2 loses no more than redundant: "
                + fec + " against " + redundant);
        assertTrue(fec.wirePerDelivered() <= 0.8 * redundant.wirePerDelivered(),
                "fec 4:2 puts at most 0.8 of redundant's bytes on the wire per delivered byte: " + fec + " against " + redundant);
        assertTrue(runs.get("auto").sent().getOrDefault("fec_parity_sent", 0L) > 0, "auto chose a ratio: " + runs.get("auto"));
    }

    @Test
    @Order(2)
    void aLinkCutMidTransferInFecModeLeavesItIntact() throws Exception {
        mode("4:2");
        Path file = Transfer.randomFile(bed.directory().resolve("cut.bin"), 24_000_000);
        Transfer transfer = Transfer.startPaced(a, b.ipv4(), file, bed.directory().resolve("cut-received.bin"), 6_000_000);
        Thread.sleep(1500);
        bed.cut(2, true);
        Thread.sleep(1500);
        bed.cut(2, false);
        Transfer.Result result = transfer.await(Duration.ofSeconds(30));
        report("fec", "4:2, link 2 cut for 1.5 s mid-transfer: %s", result);
        assertIntact(result, Duration.ofSeconds(1));
    }

    @Test
    @Order(3)
    void aBurstLostOnOneLinkLeavesATransferIntact() throws Exception {
        mode("4:2");
        Path file = Transfer.randomFile(bed.directory().resolve("burst.bin"), 24_000_000);
        Map<String, Long> before = b.instance().stats();
        Transfer transfer = Transfer.startPaced(a, b.ipv4(), file, bed.directory().resolve("burst-received.bin"), 6_000_000);
        Thread.sleep(1500);
        bed.loss(1, 100);
        Thread.sleep(300);
        bed.loss(1, 0);
        Transfer.Result result = transfer.await(Duration.ofSeconds(30));
        Map<String, Long> after = b.instance().stats();
        report("fec", "4:2, every frame on link 1 dropped for 300 ms mid-transfer (link 2 clean): %s; B's Alagg: %d repaired,"
                + " %d unrepairable, %d lost", result, Beds.delta(before, after, "fec_repaired"),
                Beds.delta(before, after, "fec_unrepairable"), Beds.delta(before, after, "lost"));
        assertIntact(result, Duration.ofSeconds(1));
    }

    @Test
    @Order(4)
    void fecAddsNoMoreThanItsTimeoutToPing() throws Exception {
        mode("redundant");
        Traffic.Ping redundant = Traffic.ping(a, b.ipv4(), 200, Beds.PING_INTERVAL);
        mode("4:2");
        Traffic.Ping fec = Traffic.ping(a, b.ipv4(), 200, Beds.PING_INTERVAL);
        report("fec", "ping A -> B: redundant %s; fec 4:2 (timeout %d ms) %s", redundant, FEC_TIMEOUT_MS, fec);
        assertEquals(0.0, fec.lossPercent(), fec.toString());
        assertTrue(fec.percentile(50) <= redundant.percentile(50) + FEC_TIMEOUT_MS,
                "ping p50 in fec mode is at most redundant's + fec.timeout.ms: " + fec + " against " + redundant);
    }

    /** After it all, PARITY frames and repaired packets included: every frame and packet in exactly one counter. */
    @Test
    @Order(5)
    void theCountersAddUp() throws Exception {
        Conservation.assertCountersAddUp(bed);
    }

    /**
     * A UDP stream A -> B in this mode, both links losing from its first {@link #LOSS_AFTER_BYTES} on; measured after
     * a warm-up under loss (the JIT compiles the mode's code, and for auto the probes' reports measure the loss the
     * ratio is chosen from).
     */
    private Run udp(String mode) throws Exception {
        long warmUpMs = mode.equals("auto") ? 2000 : 1000;
        int seconds = mode.equals("redundant") || mode.equals("4:2") ? UDP_SECONDS : UDP_SECONDS / 3;
        mode(mode);
        AtomicBoolean over = new AtomicBoolean();
        long wireAtStart = bed.linksTxBytes(a);
        CompletableFuture<Snapshot> measuredFrom = CompletableFuture.supplyAsync(() -> {
            try {
                long deadline = System.nanoTime() + 20_000_000_000L;
                while (bed.linksTxBytes(a) - wireAtStart < LOSS_AFTER_BYTES) {
                    if (over.get() || System.nanoTime() > deadline) {
                        throw new IllegalStateException("the stream did not start within 20 s");
                    }
                    Thread.sleep(20);
                }
                bed.loss(1, LOSS_PERCENT);
                bed.loss(2, LOSS_PERCENT);
                Thread.sleep(warmUpMs);
                return snapshot();
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
        Throwable failure = null;
        try {
            Traffic.Iperf udp = Traffic.udp(a, b.ipv4(), (int) (warmUpMs / 1000) + 1 + seconds,
                    UDP_PPS * UDP_LENGTH * 8L + "", UDP_LENGTH);
            Snapshot end = snapshot();
            Snapshot start = measuredFrom.get(30, TimeUnit.SECONDS);
            return new Run(mode.equals("redundant") ? "redundant" : "fec " + mode, udp, end.wireBytes - start.wireBytes,
                    difference(start.sent, end.sent), difference(start.received, end.received),
                    end.tunDropped - start.tunDropped);
        } catch (Throwable t) {
            failure = t;
            throw t;
        } finally {
            over.set(true);
            try {
                measuredFrom.handle((started, e) -> null).get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                if (failure != null) {
                    failure.addSuppressed(e);
                } else {
                    throw e;
                }
            } finally {
                bed.loss(1, 0);
                bed.loss(2, 0);
            }
        }
    }

    /** A's link bytes and counters, B's counters, A's TUN drops: read at the start and the end of a lossy stream. */
    private record Snapshot(long wireBytes, Map<String, Long> sent, Map<String, Long> received, long tunDropped) {
    }

    /**
     * B's counters, and the link bytes at the moment they were read: the mean of a reading just before and one just
     * after (a counter read starts a JVM: while the stream flows, some hundred packets pass meanwhile).
     */
    private Snapshot snapshot() throws Exception {
        long wireBefore = bed.linksTxBytes(a);
        Map<String, Long> received = b.instance().stats();
        long wire = (wireBefore + bed.linksTxBytes(a)) / 2;
        return new Snapshot(wire, a.instance().stats(), received, tunDropped());
    }

    /** What A's TUN device dropped: packets the kernel could not queue for Alagg to read. */
    private long tunDropped() throws Exception {
        return Long.parseLong(a.exec("cat", "/sys/class/net/agg0/statistics/tx_dropped").strip()); // the bed's TUN
    }

    private static Map<String, Long> difference(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> d = new LinkedHashMap<>();
        after.forEach((k, v) -> d.put(k, v - before.getOrDefault(k, 0L)));
        return d;
    }

    /** Both sides: {@code redundant}, or weighted spreading (equal weights) with this {@code fec.ratio}. */
    private void mode(String ratio) throws Exception {
        for (Side side : List.of(a, b)) {
            String config = original.get(side);
            if (!ratio.equals("redundant")) {
                config = config.replaceAll("(?m)^(link\\.l[12][ab] = \\S+).*$", "$1 weight=50")
                        .replaceAll("(?m)^scheduler = .*\\R", "") + "scheduler = weighted\nfec.ratio = " + ratio + "\n";
            }
            if (!Files.readString(side.instance().config()).equals(config)) {
                side.instance().applyConfig(config, Duration.ofSeconds(20));
            }
        }
        Beds.awaitLinksUp(bed);
    }

}
