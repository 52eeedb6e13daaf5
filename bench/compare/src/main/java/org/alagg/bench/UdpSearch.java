package org.alagg.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.alagg.e2e.Bed;
import org.alagg.e2e.Traffic;

/**
 * Finds the highest rate of UDP datagrams of one size that a setup carries from A to B with less than 1 % loss,
 * with short iperf3 runs. The first offer is above what iperf3 can send on this machine, so the first run finds
 * whichever is slower, iperf3 or the setup. While no rate has passed, the next offer is 10 % under what arrived.
 * Once one has, the search climbs by at most 25 % a step until a rate fails, then bisects between the highest
 * passed and the lowest failed rate. What arrives under heavy overload is no upper bound: on a small machine the
 * flooding sender takes processor time from the forwarders, so a setup can carry more when it is offered less.
 */
final class UdpSearch {
    /** About 250 kpps is what one iperf3 sends here: above it, so the first run shows the slower side. */
    private static final double FIRST_OFFER_PPS = 400_000;
    /** Stop when the failed rate is within 3 % of the passed one. */
    private static final double RESOLUTION = 1.03;
    /** The largest step up from a passed rate: a failed run far above it says little. */
    private static final double CLIMB = 1.25;
    /** Below this something is broken, and iperf3 reads a rate of 0 as "unlimited". */
    private static final double LOWEST_OFFER_PPS = 1_000;

    private final Bed bed;
    private final Plan plan;
    private final Progress progress;

    UdpSearch(Bed bed, Plan plan, Progress progress) {
        this.bed = bed;
        this.plan = plan;
        this.progress = progress;
    }

    UdpResult run(int payloadBytes) throws IOException, InterruptedException {
        List<UdpStep> steps = new ArrayList<>();
        double offer = FIRST_OFFER_PPS;
        double passed = 0;
        double failed = Double.POSITIVE_INFINITY;
        while (steps.size() < plan.udpSteps() && offer >= LOWEST_OFFER_PPS) {
            UdpStep step = send(payloadBytes, offer);
            steps.add(step);
            progress.line("UDP %d B at %,.0f pps offered: %,.0f sent, %,.0f received, %.2f %% lost", payloadBytes,
                    step.offeredPps(), step.sentPps(), step.receivedPps(), step.lossPercent());
            if (step.passed()) {
                passed = Math.max(passed, offer);
            } else {
                failed = Math.min(failed, offer);
            }
            if (failed == Double.POSITIVE_INFINITY || failed / passed < RESOLUTION) {
                break; // the first offer passed (nothing higher to try), or close enough
            }
            offer = passed == 0 ? 0.9 * Math.min(offer, step.receivedPps())
                    : Math.min(Math.sqrt(passed * failed), CLIMB * passed);
        }
        return new UdpResult(payloadBytes, steps);
    }

    private UdpStep send(int payloadBytes, double offeredPps) throws IOException, InterruptedException {
        // iperf3's rate counts the payload only
        String bitsPerSecond = String.format(Locale.ROOT, "%.0f", offeredPps * payloadBytes * 8);
        Traffic.Iperf run = Attempts.of(progress,
                () -> Traffic.udp(bed.a(), bed.b().ipv4(), plan.udpSeconds(), bitsPerSecond, payloadBytes));
        double seconds = plan.udpSeconds();
        return new UdpStep(offeredPps, run.packets() / seconds, (run.packets() - run.lostPackets()) / seconds,
                run.lostPercent());
    }
}
