package org.alagg.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.alagg.e2e.Traffic;

/**
 * The TCP runs of one setup, and the processor time its forwarders used meanwhile.
 *
 * @param cpuSeconds per forwarder, user and system time during all runs; empty when the kernel does it all
 * @param machine    the whole machine's processor time during all runs, by kind
 */
record TcpResult(List<Traffic.Iperf> runs, Map<String, Double> cpuSeconds, MachineCpu machine) {
    double medianMbps() {
        double[] sorted = mbps();
        Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    double minMbps() {
        return Arrays.stream(mbps()).min().orElse(Double.NaN);
    }

    double maxMbps() {
        return Arrays.stream(mbps()).max().orElse(Double.NaN);
    }

    long retransmits() {
        return runs.stream().mapToLong(Traffic.Iperf::retransmits).sum();
    }

    /** Processor seconds of all forwarders per 10^9 bytes received; NaN without forwarders. */
    double cpuSecondsPerGigabyte() {
        if (cpuSeconds.isEmpty()) {
            return Double.NaN;
        }
        double bytes = runs.stream().mapToLong(Traffic.Iperf::bytes).sum();
        return cpuSeconds.values().stream().mapToDouble(Double::doubleValue).sum() / (bytes / 1e9);
    }

    /** The whole machine's processor seconds per 10^9 bytes received: "user / kernel / softirq". */
    String machinePerGigabyte() {
        return machine.perGigabyte(runs.stream().mapToLong(Traffic.Iperf::bytes).sum());
    }

    private double[] mbps() {
        return runs.stream().mapToDouble(Traffic.Iperf::megabitsPerSecond).toArray();
    }
}
