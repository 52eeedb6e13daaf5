package org.alagg.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The run's figures as tables: one row per measurement and one column per setup, and the targets. */
final class Summary {
    /** For what the kernel does on its own: there is no process to measure. */
    private static final String KERNEL = "n/a (kernel)";
    private static final String MACHINE_CPU = "machine CPU s per GB of TCP goodput: user / kernel / softirq";

    private record Row(String label, Function<Outcome.Measured, String> cell) {
    }

    private static final List<Row> ROWS = List.of(
            new Row("TCP goodput, Mbit/s: median (min-max)", m -> format("%.0f (%.0f-%.0f)", m.tcp().medianMbps(),
                    m.tcp().minMbps(), m.tcp().maxMbps())),
            new Row("TCP retransmits, all runs", m -> Long.toString(m.tcp().retransmits())),
            new Row("UDP 64 B: kpps received at < 1 % loss", m -> udp(m.smallUdp())),
            new Row("UDP 1300 B: kpps received at < 1 % loss", m -> udp(m.largeUdp())),
            new Row("ping RTT p50 / p99, µs", m -> format("%.0f / %.0f", 1000 * m.ping().percentile(50),
                    1000 * m.ping().percentile(99))),
            new Row("CPU s per GB of TCP goodput, both sides", m -> m.tcp().cpuSeconds().isEmpty() ? KERNEL
                    : format("%.1f", m.tcp().cpuSecondsPerGigabyte())),
            new Row(MACHINE_CPU, m -> m.tcp().machinePerGigabyte()),
            new Row("peak RSS, MB (A / B)", m -> memory(m,
                    use -> format("%.0f", MemoryUse.megabytes(use.peakKilobytes())))),
            new Row("RSS at start -> end, MB (A / B)", m -> memory(m, use -> format("%.0f -> %.0f",
                    MemoryUse.megabytes(use.startKilobytes()), MemoryUse.megabytes(use.endKilobytes())))),
            new Row("start to forwarding, s", m -> m.startup().map(d -> format("%.2f", d.toNanos() / 1e9)).orElse("-")));

    private Summary() {
    }

    static Table figures(Results results) {
        List<String> header = new ArrayList<>(List.of(""));
        results.all().forEach(outcome -> header.add(outcome.setup()));
        Table table = new Table(header);
        for (Row row : ROWS) {
            List<String> cells = new ArrayList<>(List.of(row.label()));
            results.all().forEach(outcome -> cells.add(outcome.measured().map(row.cell()).orElse("failed")));
            table.row(cells);
        }
        return table;
    }

    /** The TCP runs with veth offloads on: one column per setup. */
    static Table offloaded(Results results) {
        List<String> header = new ArrayList<>(List.of("veth offloads on"));
        results.offloaded().forEach(o -> header.add(o.setup()));
        Table table = new Table(header);
        List<String> goodput = new ArrayList<>(List.of("TCP goodput, Mbit/s: median (min-max)"));
        List<String> cpu = new ArrayList<>(List.of("CPU s per GB of TCP goodput, both sides"));
        for (Offloaded o : results.offloaded()) {
            goodput.add(o.tcp().map(t -> format("%.0f (%.0f-%.0f)", t.medianMbps(), t.minMbps(), t.maxMbps()))
                    .orElse("failed"));
            cpu.add(o.tcp().map(t -> t.cpuSeconds().isEmpty() ? KERNEL : format("%.1f", t.cpuSecondsPerGigabyte()))
                    .orElse("failed"));
        }
        List<String> machine = new ArrayList<>(List.of(MACHINE_CPU));
        for (Offloaded o : results.offloaded()) {
            machine.add(o.tcp().map(TcpResult::machinePerGigabyte).orElse("failed"));
        }
        table.row(goodput);
        table.row(cpu);
        table.row(machine);
        return table;
    }

    /** Why the setups that failed did, one line each; empty when none did. */
    static List<String> failures(Results results) {
        List<String> lines = new ArrayList<>(results.all().stream().filter(Outcome.Failed.class::isInstance)
                .map(Outcome.Failed.class::cast).map(failed -> failed.setup() + " failed: " + failed.reason()).toList());
        results.offloaded().stream().filter(o -> o.tcp().isEmpty())
                .forEach(o -> lines.add(o.setup() + " with veth offloads on failed: " + o.failure()));
        return lines;
    }

    static Table targets(List<Target> targets) {
        Table table = new Table(List.of("check", "this run", "target", "result"));
        targets.forEach(t -> table.row(List.of(t.check(), t.measured(), t.goal(), t.verdict())));
        return table;
    }

    private static String udp(UdpResult result) {
        return result.best().map(best -> format("%.1f (%.2f %% loss)%s", best.receivedPps() / 1000, best.lossPercent(),
                best.senderLimited() ? ", sender-limited" : "")).orElse("none under 1 % loss");
    }

    private static String memory(Outcome.Measured m, Function<MemoryUse, String> figure) {
        return m.memory().isEmpty() ? KERNEL : m.memory().stream().map(figure).collect(Collectors.joining(" / "));
    }

    private static String format(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
