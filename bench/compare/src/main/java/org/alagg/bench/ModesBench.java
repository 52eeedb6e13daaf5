package org.alagg.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.alagg.e2e.Bed;
import org.alagg.e2e.Traffic;

/**
 * {@code alagg bench modes}: the schedulers (issue 16) on the e2e bed's two links shaped by token buckets at both ends,
 * TUN capture: for each mode, TCP goodput A -> B, the bytes A put on its links per byte of goodput (what the mode costs
 * on the wire: about 2 for redundant on two links, about 1 for weighted), and ping's round-trip time beside the
 * transfer (what the mode does to latency under load). Writes {@code docs/benchmarks-modes.md}. Then forward error
 * correction (issue 19) against redundant on lossy links (nftables drops a share of every link's frames at random): UDP
 * at a fixed rate, the loss left and the wire bytes per delivered byte, TCP goodput and ping beside it; writes
 * {@code docs/benchmarks-fec.md}. {@code --quick}: shorter runs; {@code --lossy}: only the lossy links.
 */
public final class ModesBench {
    private ModesBench() {
    }

    /** The links' shapes measured: token bucket rates of link 1 and link 2. */
    private static final List<String[]> SHAPES = List.of(new String[] {"50mbit", "50mbit"}, new String[] {"20mbit", "80mbit"});
    /** Each mode: its scheduler and the options on link 1's and link 2's lines. */
    private static final List<String[]> MODES = List.of(
            new String[] {"redundant", "", ""},
            new String[] {"weighted", "", ""},
            new String[] {"weighted", "weight=W1", "weight=W2"},
            new String[] {"backup", "", "tier=1"},
            new String[] {"hybrid", "", ""});
    private static final int QUEUE_MS = 20;
    /** The lossy links: each link's share of frames dropped (both ways), and the modes measured on them. */
    private static final List<Integer> LOSSES = List.of(10, 2);
    private static final List<String[]> LOSSY_MODES = List.of(
            new String[] {"redundant", ""},
            new String[] {"weighted", ""},
            new String[] {"weighted", "4:2"},
            new String[] {"weighted", "10:2"},
            new String[] {"weighted", "auto"});
    private static final int UDP_LENGTH = 1200;
    private static final String UDP_RATE = "20M";

    record LossyRow(int loss, String mode, Traffic.Iperf udp, double wirePerDelivered, Traffic.Iperf tcp, Traffic.Ping ping) {
    }

    record Row(String shape, String mode, double megabitsPerSecond, double wirePerGoodput, Traffic.Ping ping) {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(System.getProperty("alagg.root", ".")).toAbsolutePath().normalize();
        boolean quick = List.of(args).contains("--quick");
        boolean lossyOnly = List.of(args).contains("--lossy");
        int seconds = quick ? 4 : 10;
        String machine = Machine.describe().caption();
        List<Row> rows = new ArrayList<>();
        List<LossyRow> lossy = new ArrayList<>();
        try (Bed bed = Bed.create(root, Bed.Capture.TUN, 2, 2, List.of()).start()) {
            Map<Bed.Side, String> original = Map.of(bed.a(), Files.readString(bed.a().instance().config()),
                    bed.b(), Files.readString(bed.b().instance().config()));
            for (String[] shape : lossyOnly ? List.<String[]>of() : SHAPES) {
                bed.slow(1, shape[0], QUEUE_MS);
                bed.slow(2, shape[1], QUEUE_MS);
                for (String[] mode : MODES) {
                    rows.add(measure(bed, original, shape, mode, seconds));
                }
            }
            bed.slow(1, "50mbit", QUEUE_MS);
            bed.slow(2, "50mbit", QUEUE_MS);
            for (int loss : LOSSES) {
                for (String[] mode : LOSSY_MODES) {
                    lossy.add(measureLossy(bed, original, loss, mode, seconds));
                }
            }
        }
        if (!lossyOnly) {
            write(root.resolve("docs/benchmarks-modes.md"), report(machine, seconds, rows));
        }
        write(root.resolve("docs/benchmarks-fec.md"), lossyReport(machine, seconds, lossy));
    }

    private static void write(Path out, String report) throws IOException {
        Files.writeString(out, report);
        System.out.println(report);
        System.out.println("written: " + out);
    }

    /** One mode on both links losing {@code loss} %: UDP at a fixed rate, then TCP with ping beside it. */
    private static LossyRow measureLossy(Bed bed, Map<Bed.Side, String> original, int loss, String[] mode, int seconds)
            throws IOException, InterruptedException {
        for (Bed.Side side : List.of(bed.a(), bed.b())) {
            String config = original.get(side);
            if (!mode[0].equals("redundant")) {
                config = config.replaceAll("(?m)^(link\\.l[12][ab] = \\S+).*$", "$1 weight=50");
            }
            config += "scheduler = " + mode[0] + "\n" + (mode[1].isEmpty() ? "" : "fec.ratio = " + mode[1] + "\n");
            side.instance().applyConfig(config, Duration.ofSeconds(20));
        }
        bed.awaitForwarding(Duration.ofSeconds(20));
        bed.loss(1, loss);
        bed.loss(2, loss);
        Thread.sleep(mode[1].equals("auto") ? 3000 : 1000); // auto: the probes' reports measure the loss first
        long before = bed.linksTxBytes(bed.a());
        Map<String, Long> countersBefore = bed.b().instance().stats();
        Traffic.Iperf udp = Traffic.udp(bed.a(), bed.b().ipv4(), seconds, UDP_RATE, UDP_LENGTH);
        long wire = bed.linksTxBytes(bed.a()) - before;
        Map<String, Long> countersAfter = bed.b().instance().stats();
        StringBuilder counters = new StringBuilder();
        for (String c : List.of("passed", "lost", "late", "fec_repaired", "fec_unrepairable", "reorder_timeout_us")) {
            counters.append(' ').append(c).append(' ').append(countersAfter.getOrDefault(c, 0L)
                    - (c.equals("reorder_timeout_us") ? 0 : countersBefore.getOrDefault(c, 0L)));
        }
        double delivered = (udp.packets() - udp.lostPackets()) * (double) UDP_LENGTH;
        CompletableFuture<Traffic.Ping> ping = pingBeside(bed, seconds);
        Traffic.Iperf tcp = Traffic.tcpSettled(bed.a(), bed.b().ipv4(), 1, seconds);
        Traffic.Ping pings = ping.join();
        bed.loss(1, 0);
        bed.loss(2, 0);
        String name = mode[0] + (mode[1].isEmpty() ? "" : " + fec " + mode[1]);
        LossyRow row = new LossyRow(loss, name, udp, wire / delivered, tcp, pings);
        System.out.printf(Locale.ROOT, "%d %% loss, %s: UDP %s, %.2f wire bytes per delivered byte (B's Alagg:%s); TCP %s;"
                + " ping %s%n", loss, name, udp, row.wirePerDelivered(), counters, tcp, pings);
        return row;
    }

    private static String lossyReport(String machine, int seconds, List<LossyRow> rows) {
        StringBuilder md = new StringBuilder();
        md.append("# Benchmarks: forward error correction on lossy links\n\n");
        md.append("Written by `alagg bench modes` (`bench/compare`, `ModesBench`; `--lossy` for these rows only) on the e2e "
                + "bed: two veth links shaped at 50 Mbit/s by token buckets at both ends (queue " + QUEUE_MS + " ms), each "
                + "dropping the given share of Alagg frames at random both ways (nftables), TUN capture, windowed "
                + "reordering (timeout `auto`), `fec.timeout.ms` 5. For each mode: iperf3 UDP A -> B, " + UDP_LENGTH
                + "-byte datagrams at " + UDP_RATE + "bit/s for " + seconds + " s: the datagrams lost for good and the "
                + "bytes A's two link interfaces sent (every frame: data, parity, probes) per byte delivered; then iperf3 "
                + "TCP for " + seconds + " s after 1 s left out, with ping A -> B every 20 ms beside it.\n\n");
        md.append("- machine: ").append(machine).append("\n\n");
        md.append("| loss per link | mode | UDP lost | wire bytes per delivered byte | TCP goodput (Mbit/s) | TCP retransmits"
                + " | ping p50 (ms) | ping p99 (ms) | ping loss |\n");
        md.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (LossyRow r : rows) {
            md.append(String.format(Locale.ROOT, "| %d %% | %s | %.3f %% | %.2f | %.0f | %d | %.2f | %.2f | %.1f %% |%n",
                    r.loss(), r.mode(), r.udp().lostPercent(), r.wirePerDelivered(), r.tcp().megabitsPerSecond(),
                    r.tcp().retransmits(), r.ping().percentile(50), r.ping().percentile(99), r.ping().lossPercent()));
        }
        md.append("\nRead with docs/fec.md (when to choose `fec` over `redundant`).\n");
        return md.toString();
    }

    private static Row measure(Bed bed, Map<Bed.Side, String> original, String[] shape, String[] mode, int seconds)
            throws IOException, InterruptedException {
        String l1 = mode[1].replace("W1", mbit(shape[0]));
        String l2 = mode[2].replace("W2", mbit(shape[1]));
        for (Bed.Side side : List.of(bed.a(), bed.b())) {
            String config = original.get(side)
                    .replaceAll("(?m)^(link\\.l1[ab] = \\S+).*$", "$1 " + l1)
                    .replaceAll("(?m)^(link\\.l2[ab] = \\S+).*$", "$1 " + l2);
            side.instance().applyConfig(config + "scheduler = " + mode[0] + "\n", Duration.ofSeconds(20));
        }
        bed.awaitForwarding(Duration.ofSeconds(20)); // links reopened by new options are UP again
        Thread.sleep(1000);
        long before = bed.linksTxBytes(bed.a());
        long started = System.nanoTime();
        CompletableFuture<Traffic.Ping> ping = pingBeside(bed, seconds);
        Traffic.Iperf tcp = Traffic.tcpSettled(bed.a(), bed.b().ipv4(), 1, seconds);
        Traffic.Ping pings = ping.join();
        double wireBytesPerSecond = (bed.linksTxBytes(bed.a()) - before) / ((System.nanoTime() - started) / 1e9);
        String name = mode[0] + (l1.isEmpty() && l2.isEmpty() ? "" : " (" + (l1 + " " + l2).strip() + ")");
        Row row = new Row(shape[0] + " + " + shape[1], name, tcp.megabitsPerSecond(),
                wireBytesPerSecond / (tcp.bitsPerSecond() / 8), pings);
        System.out.printf(Locale.ROOT, "%s, %s: %.0f Mbit/s, %.2f wire bytes per goodput byte, ping %s%n", row.shape(),
                row.mode(), row.megabitsPerSecond(), row.wirePerGoodput(), pings);
        return row;
    }

    /** Pings B from A every 20 ms for a run's length and a second: every reply's time (a background ping gives a summary). */
    private static CompletableFuture<Traffic.Ping> pingBeside(Bed bed, int seconds) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return Traffic.ping(bed.a(), bed.b().ipv4(), (seconds + 1) * 50, 0.02);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** "50mbit" -> "50". */
    private static String mbit(String rate) {
        return rate.replace("mbit", "");
    }

    private static String report(String machine, int seconds, List<Row> rows) {
        StringBuilder md = new StringBuilder();
        md.append("# Benchmarks: aggregation modes\n\n");
        md.append("Written by `alagg bench modes` (`bench/compare`, `ModesBench`) on the e2e bed: A and B in two network "
                + "namespaces, two veth links, each shaped by a token bucket at both ends (queue " + QUEUE_MS + " ms), TUN "
                + "capture, windowed reordering (timeout `auto`). For each scheduler: iperf3 TCP A -> B for " + seconds
                + " s after 1 s left out (slow start, the estimates settling), the bytes a second A's two link interfaces "
                + "sent (every frame, probes included, over the whole run) per byte a second of goodput, and "
                + "ping A -> B every 20 ms beside the transfer.\n\n");
        md.append("- machine: ").append(machine).append("\n\n");
        md.append("| links | scheduler | goodput (Mbit/s) | wire bytes per goodput byte | ping p50 (ms) | ping p99 (ms) | ping loss |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %.0f | %.2f | %.2f | %.2f | %.1f %% |%n", r.shape(), r.mode(),
                    r.megabitsPerSecond(), r.wirePerGoodput(), r.ping().percentile(50), r.ping().percentile(99),
                    r.ping().lossPercent()));
        }
        md.append("\nRead with README.md, Aggregation modes. The wire rate includes the first second (slow start), the "
                + "goodput does not, so every ratio is a little low; what matters is the ratio between modes.\n");
        return md.toString();
    }
}
