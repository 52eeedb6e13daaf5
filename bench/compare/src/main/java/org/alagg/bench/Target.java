package org.alagg.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * What Alagg is expected to achieve, checked against the other setups of the same run: ratios to wireguard-go and
 * to direct veth, so the machine's speed and load cancel out as far as they can. Authentication is held to what it
 * costs: Alagg NFQUEUE with a key against the same setup without one (issue 11); the memory and start-up limits hold
 * for every Alagg setup.
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
    /** TCP goodput with authentication, at least this share of the goodput without. */
    static final double AUTH_TCP_OF_PLAIN = 0.85;
    /** UDP 1300 B packet rate with authentication, at least this share of the rate without. */
    static final double AUTH_UDP_LARGE_OF_PLAIN = 0.85;
    /** Ping p50 with authentication, at most this much above the p50 without. */
    static final double AUTH_PING_OVER_PLAIN_MICROS = 10;

    String verdict() {
        return met.map(ok -> ok ? "PASS" : "FAIL").orElse("n/a");
    }

    static List<Target> check(Results results) {
        List<Target> targets = new ArrayList<>();
        targets.add(ratio("TCP goodput", results.nfqueue(), results.wireGuardGo(), Target::tcpMbps, null,
                NFQUEUE_OVER_WIREGUARD));
        targets.add(ratio("TCP goodput", results.tun(), results.wireGuardGo(), Target::tcpMbps, null,
                TUN_OVER_WIREGUARD));
        targets.add(ratio("TCP goodput", results.nfqueueAuth(), results.nfqueue(), Target::tcpMbps,
                "%.0f / %.0f Mbit/s", AUTH_TCP_OF_PLAIN));
        List<Outcome> plain = List.of(results.nfqueue(), results.tun());
        plain.forEach(mode -> targets.add(largeUdp(mode)));
        targets.add(ratio("UDP 1300 B rate with < 1 % loss", results.nfqueueAuth(), results.nfqueue(),
                Target::largeUdpPps, "%,.0f / %,.0f pps", AUTH_UDP_LARGE_OF_PLAIN));
        plain.forEach(mode -> targets.add(pingOver(mode, results.direct(), PING_OVER_DIRECT_MICROS)));
        targets.add(pingOver(results.nfqueueAuth(), results.nfqueue(), AUTH_PING_OVER_PLAIN_MICROS));
        List<Outcome> alagg = results.alagg();
        alagg.forEach(mode -> targets.add(atMost(mode, "peak RSS per instance", Outcome.Measured::peakMegabytes, "%.0f MB",
                PEAK_RSS_MEGABYTES)));
        alagg.forEach(mode -> targets.add(atMost(mode, "start to forwarding",
                m -> m.startup().map(d -> d.toNanos() / 1e9).orElse(Double.NaN), "%.2f s", STARTUP_SECONDS)));
        return targets;
    }

    /**
     * {@code setup}'s figure over {@code reference}'s, at least {@code goal}.
     *
     * @param figures how the two figures are shown beside the ratio, both in one format string; null: the ratio alone
     */
    private static Target ratio(String what, Outcome setup, Outcome reference,
            ToDoubleFunction<Outcome.Measured> figure, String figures, double goal) {
        String check = what + ", " + setup.setup() + " / " + reference.setup();
        String goalText = String.format(Locale.ROOT, goal < 1 ? ">= %.2fx" : ">= %.1fx", goal);
        if (setup.measured().isEmpty() || reference.measured().isEmpty()) {
            return missing(check, goalText);
        }
        double value = figure.applyAsDouble(setup.measured().get());
        double base = figure.applyAsDouble(reference.measured().get());
        if (!(base > 0)) {
            return new Target(check, "no figure for " + reference.setup(), goalText, Optional.empty());
        }
        double ratio = value / base;
        String measured = String.format(Locale.ROOT, "%.2fx", ratio)
                + (figures == null ? "" : " (" + String.format(Locale.ROOT, figures, value, base) + ")");
        return new Target(check, measured, goalText, Optional.of(ratio >= goal));
    }

    private static double tcpMbps(Outcome.Measured m) {
        return m.tcp().medianMbps();
    }

    /** The highest rate under 1 % loss, packets received per second; 0 when no rate had so little loss. */
    private static double largeUdpPps(Outcome.Measured m) {
        return m.largeUdp().best().map(UdpStep::receivedPps).orElse(0.0);
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

    /** {@code setup}'s ping p50 at most {@code limitMicros} above {@code reference}'s. */
    private static Target pingOver(Outcome setup, Outcome reference, double limitMicros) {
        String check = "ping p50, " + setup.setup() + " - " + reference.setup();
        String goalText = String.format(Locale.ROOT, "<= +%.0f µs", limitMicros);
        if (setup.measured().isEmpty() || reference.measured().isEmpty()) {
            return missing(check, goalText);
        }
        double extraMicros = 1000 * (setup.measured().get().ping().percentile(50)
                - reference.measured().get().ping().percentile(50));
        return new Target(check, String.format(Locale.ROOT, "%+.0f µs", extraMicros), goalText,
                Optional.of(extraMicros <= limitMicros));
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
