package org.alagg.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;

/**
 * What Alagg is expected to achieve, checked against the other setups of the same run: ratios to wireguard-go
 * (issue 14's targets), so the machine's speed and load cancel out as far as they can. Authentication is held to what it
 * costs: Alagg NFQUEUE with a key against the same setup without one (issue 11); the memory and start-up limits hold
 * for every Alagg setup.
 *
 * @param check what is compared
 * @param measured this run's figure, or why there is none
 * @param goal the target
 * @param met empty when the figure is missing
 */
record Target(String check, String measured, String goal, Optional<Boolean> met) {
    // issue 14: against wireguard-go 0.0.20231211 (vectorised I/O, TUN offloads) in the same run
    static final double NFQUEUE_TCP_OVER_WIREGUARD = 1.0;
    static final double TUN_TCP_OVER_WIREGUARD = 1.5;
    static final double UDP_OVER_WIREGUARD = 1.5;
    static final double PING_P50_OVER_WIREGUARD = 1.0;
    static final double PING_P99_MILLISECONDS = 1.0;
    static final double CPU_PER_GIGABYTE_OVER_WIREGUARD = 0.5;
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
        Outcome wg = results.wireGuardGo();
        List<Outcome> plain = List.of(results.nfqueue(), results.tun());
        targets.add(atLeast("TCP goodput", results.nfqueue(), wg, Target::tcpMbps, null, NFQUEUE_TCP_OVER_WIREGUARD));
        targets.add(atLeast("TCP goodput", results.tun(), wg, Target::tcpMbps, null, TUN_TCP_OVER_WIREGUARD));
        targets.add(offloadedTcp(results, results.nfqueue(), NFQUEUE_TCP_OVER_WIREGUARD));
        targets.add(offloadedTcp(results, results.tun(), TUN_TCP_OVER_WIREGUARD));
        targets.add(atLeast("TCP goodput", results.nfqueueAuth(), results.nfqueue(), Target::tcpMbps,
                "%.0f / %.0f Mbit/s", AUTH_TCP_OF_PLAIN));
        plain.forEach(mode -> targets.add(udp("UDP 1300 B rate with < 1 % loss", mode, wg, Outcome.Measured::largeUdp)));
        plain.forEach(mode -> targets.add(udp("UDP 64 B rate with < 1 % loss", mode, wg, Outcome.Measured::smallUdp)));
        targets.add(atLeast("UDP 1300 B rate with < 1 % loss", results.nfqueueAuth(), results.nfqueue(),
                Target::largeUdpPps, "%,.0f / %,.0f pps", AUTH_UDP_LARGE_OF_PLAIN));
        plain.forEach(mode -> targets.add(atMostRatio("ping p50", mode, wg, m -> 1000 * m.ping().percentile(50),
                "%.0f / %.0f µs", PING_P50_OVER_WIREGUARD)));
        targets.add(pingOver(results.nfqueueAuth(), results.nfqueue(), AUTH_PING_OVER_PLAIN_MICROS));
        plain.forEach(mode -> targets.add(atMostRatio("CPU seconds per GB (TCP)", mode, wg,
                m -> m.tcp().cpuSecondsPerGigabyte(), "%.1f / %.1f s", CPU_PER_GIGABYTE_OVER_WIREGUARD)));
        List<Outcome> alagg = results.alagg();
        alagg.forEach(mode -> targets.add(atMost(mode, "ping p99 after warm-up", m -> m.ping().percentile(99),
                "%.2f ms", PING_P99_MILLISECONDS)));
        alagg.forEach(mode -> targets.add(atMost(mode, "peak RSS per instance", Outcome.Measured::peakMegabytes, "%.0f MB",
                PEAK_RSS_MEGABYTES)));
        alagg.forEach(mode -> targets.add(atMost(mode, "start to forwarding",
                m -> m.startup().map(d -> d.toNanos() / 1e9).orElse(Double.NaN), "%.2f s", STARTUP_SECONDS)));
        return targets;
    }

    /** {@code setup}'s figure over {@code reference}'s, at least {@code goal}. */
    private static Target atLeast(String what, Outcome setup, Outcome reference,
            ToDoubleFunction<Outcome.Measured> figure, String figures, double goal) {
        return ratio(what, setup, reference, figure, figures, goal, true);
    }

    /** {@code setup}'s figure over {@code reference}'s, at most {@code goal}. */
    private static Target atMostRatio(String what, Outcome setup, Outcome reference,
            ToDoubleFunction<Outcome.Measured> figure, String figures, double goal) {
        return ratio(what, setup, reference, figure, figures, goal, false);
    }

    /**
     * @param figures how the two figures are shown beside the ratio, both in one format string; null: the ratio alone
     */
    private static Target ratio(String what, Outcome setup, Outcome reference,
            ToDoubleFunction<Outcome.Measured> figure, String figures, double goal, boolean atLeast) {
        String check = what + ", " + setup.setup() + " / " + reference.setup();
        String goalText = (atLeast ? ">= " : "<= ") + String.format(Locale.ROOT, goal < 1 ? "%.2fx" : "%.1fx", goal);
        if (setup.measured().isEmpty() || reference.measured().isEmpty()) {
            return missing(check, goalText);
        }
        double value = figure.applyAsDouble(setup.measured().get());
        double base = figure.applyAsDouble(reference.measured().get());
        if (!(base > 0)) {
            return new Target(check, "no figure for " + reference.setup(), goalText, Optional.empty());
        }
        if (Double.isNaN(value)) {
            return new Target(check, "no figure for " + setup.setup(), goalText, Optional.empty());
        }
        double ratio = value / base;
        String measured = String.format(Locale.ROOT, "%.2fx", ratio)
                + (figures == null ? "" : " (" + String.format(Locale.ROOT, figures, value, base) + ")");
        return new Target(check, measured, goalText, Optional.of(atLeast ? ratio >= goal : ratio <= goal));
    }

    /**
     * A UDP rate over wireguard-go's, at least {@link #UDP_OVER_WIREGUARD}; no verdict when either best rate was
     * limited by iperf3's sending rather than by the setup (the ratio would measure the load generator).
     */
    private static Target udp(String what, Outcome setup, Outcome wg, Function<Outcome.Measured, UdpResult> udp) {
        Target target = atLeast(what, setup, wg, m -> udp.apply(m).best().map(UdpStep::receivedPps).orElse(0.0),
                "%,.0f / %,.0f pps", UDP_OVER_WIREGUARD);
        boolean senderLimited = Stream.of(setup, wg).map(Outcome::measured).flatMap(Optional::stream)
                .anyMatch(m -> udp.apply(m).best().map(UdpStep::senderLimited).orElse(false));
        return senderLimited ? new Target(target.check(), target.measured() + ", sender-limited", target.goal(),
                Optional.empty()) : target;
    }

    /** TCP goodput with veth offloads on, {@code setup} over wireguard-go, at least {@code goal}. */
    private static Target offloadedTcp(Results results, Outcome setup, double goal) {
        Offloaded alagg = results.offloaded(setup);
        Offloaded wg = results.offloaded(results.wireGuardGo());
        String check = "TCP goodput, veth offloads on, " + alagg.setup() + " / " + wg.setup();
        String goalText = String.format(Locale.ROOT, ">= %.1fx", goal);
        if (alagg.tcp().isEmpty() || wg.tcp().isEmpty() || !(wg.tcp().get().medianMbps() > 0)) {
            return missing(check, goalText);
        }
        double ratio = alagg.tcp().get().medianMbps() / wg.tcp().get().medianMbps();
        return new Target(check, String.format(Locale.ROOT, "%.2fx", ratio), goalText, Optional.of(ratio >= goal));
    }

    private static double tcpMbps(Outcome.Measured m) {
        return m.tcp().medianMbps();
    }

    /** The highest rate under 1 % loss, packets received per second; 0 when no rate had so little loss. */
    private static double largeUdpPps(Outcome.Measured m) {
        return m.largeUdp().best().map(UdpStep::receivedPps).orElse(0.0);
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
