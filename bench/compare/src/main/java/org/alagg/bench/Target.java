package org.alagg.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * What Alagg is expected to achieve, checked against the other setups of the same run: ratios to wireguard-go and
 * to direct veth, so the machine's speed and load cancel out as far as they can.
 *
 * @param check what is compared
 * @param measured this run's figure, or why there is none
 * @param goal the target
 * @param met empty when the figure is missing
 */
record Target(String check, String measured, String goal, Optional<Boolean> met) {
    static final double NFQUEUE_OVER_WIREGUARD = 1.2;
    static final double TUN_OVER_WIREGUARD = 1.5;
    static final double UDP_LARGE_PPS = 120_000;
    static final double PING_OVER_DIRECT_MICROS = 80;
    static final double PEAK_RSS_MEGABYTES = 200;
    static final double STARTUP_SECONDS = 3;

    String verdict() {
        return met.map(ok -> ok ? "PASS" : "FAIL").orElse("n/a");
    }

    static List<Target> check(Results results) {
        List<Target> targets = new ArrayList<>();
        targets.add(tcpRatio(results.nfqueue(), results.wireGuardGo(), NFQUEUE_OVER_WIREGUARD));
        targets.add(tcpRatio(results.tun(), results.wireGuardGo(), TUN_OVER_WIREGUARD));
        List<Outcome> alagg = List.of(results.nfqueue(), results.tun());
        alagg.forEach(mode -> targets.add(largeUdp(mode)));
        alagg.forEach(mode -> targets.add(pingOverDirect(mode, results.direct())));
        alagg.forEach(mode -> targets.add(atMost(mode, "peak RSS per instance", Outcome.Measured::peakMegabytes, "%.0f MB",
                PEAK_RSS_MEGABYTES)));
        alagg.forEach(mode -> targets.add(atMost(mode, "start to forwarding",
                m -> m.startup().map(d -> d.toNanos() / 1e9).orElse(Double.NaN), "%.2f s", STARTUP_SECONDS)));
        return targets;
    }

    private static Target tcpRatio(Outcome alagg, Outcome wireGuard, double goal) {
        String check = "TCP goodput, " + alagg.setup() + " / " + wireGuard.setup();
        String goalText = String.format(Locale.ROOT, ">= %.1fx", goal);
        if (alagg.measured().isEmpty() || wireGuard.measured().isEmpty()) {
            return missing(check, goalText);
        }
        double ratio = alagg.measured().get().tcp().medianMbps() / wireGuard.measured().get().tcp().medianMbps();
        return new Target(check, String.format(Locale.ROOT, "%.2fx", ratio), goalText, Optional.of(ratio >= goal));
    }

    private static Target largeUdp(Outcome alagg) {
        String check = "UDP 1300 B, " + alagg.setup() + ", highest rate with < 1 % loss";
        String goalText = String.format(Locale.ROOT, ">= %,.0f pps", UDP_LARGE_PPS);
        if (alagg.measured().isEmpty()) {
            return missing(check, goalText);
        }
        return alagg.measured().get().largeUdp().best()
                .map(best -> new Target(check, String.format(Locale.ROOT, "%,.0f pps (%.2f %% loss)", best.receivedPps(),
                        best.lossPercent()), goalText, Optional.of(best.receivedPps() >= UDP_LARGE_PPS)))
                .orElse(new Target(check, "no rate under 1 % loss", goalText, Optional.of(false)));
    }

    private static Target pingOverDirect(Outcome alagg, Outcome direct) {
        String check = "ping p50, " + alagg.setup() + " - " + direct.setup();
        String goalText = String.format(Locale.ROOT, "<= +%.0f µs", PING_OVER_DIRECT_MICROS);
        if (alagg.measured().isEmpty() || direct.measured().isEmpty()) {
            return missing(check, goalText);
        }
        double extraMicros = 1000 * (alagg.measured().get().ping().percentile(50)
                - direct.measured().get().ping().percentile(50));
        return new Target(check, String.format(Locale.ROOT, "%+.0f µs", extraMicros), goalText,
                Optional.of(extraMicros <= PING_OVER_DIRECT_MICROS));
    }

    private static Target atMost(Outcome alagg, String what, ToDoubleFunction<Outcome.Measured> figure, String format,
            double limit) {
        String check = what + ", " + alagg.setup();
        String goalText = "<= " + String.format(Locale.ROOT, format, limit);
        if (alagg.measured().isEmpty()) {
            return missing(check, goalText);
        }
        double value = figure.applyAsDouble(alagg.measured().get());
        return new Target(check, String.format(Locale.ROOT, format, value), goalText, Optional.of(value <= limit));
    }

    private static Target missing(String check, String goal) {
        return new Target(check, "not measured", goal, Optional.empty());
    }
}
