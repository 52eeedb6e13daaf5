package org.alagg.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.alagg.e2e.Bed;
import org.alagg.e2e.Traffic;

/**
 * Takes one setup through every measurement, always A to B and in the same order: ping while the setup is idle,
 * then the TCP runs (with the forwarders' processor time around them), then the UDP rate searches.
 */
final class Measurement {
    private static final double PING_INTERVAL_SECONDS = 0.01;
    private static final int SMALL_DATAGRAM = 64;
    private static final int LARGE_DATAGRAM = 1300;

    private final Path root;
    private final Plan plan;
    private final Progress progress;

    Measurement(Path root, Plan plan, Progress progress) {
        this.root = root;
        this.plan = plan;
        this.progress = progress;
    }

    /**
     * Builds the setup, measures it and tears it down; a failure is an outcome, so the other setups still run.
     *
     * @throws InterruptedException when the run is being stopped: nothing more is started
     */
    Outcome of(Setup setup) throws InterruptedException {
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedException("stopped before " + setup.name());
        }
        progress.setup(setup.name());
        try (setup) {
            Bed bed = setup.open(root, false);
            setup.startup().ifPresent(d -> progress.line("forwarding %.2f s after starting the instances",
                    d.toNanos() / 1e9));
            List<Forwarder> forwarders = setup.forwarders();
            Map<Forwarder, Long> startRss = new LinkedHashMap<>();
            for (Forwarder forwarder : forwarders) {
                startRss.put(forwarder, forwarder.rssKilobytes());
            }
            Traffic.Ping warmUp = Traffic.ping(bed.a(), bed.b().ipv4(), plan.warmUpPings(), PING_INTERVAL_SECONDS);
            progress.line("ping, warm-up (not counted): %s", warmUp);
            Traffic.Ping ping = Traffic.ping(bed.a(), bed.b().ipv4(), plan.pings(), PING_INTERVAL_SECONDS);
            progress.line("ping: %s", ping);
            TcpResult tcp = tcp(bed, forwarders);
            UdpSearch udp = new UdpSearch(bed, plan, progress);
            UdpResult small = udp.run(SMALL_DATAGRAM);
            UdpResult large = udp.run(LARGE_DATAGRAM);
            List<MemoryUse> memory = new ArrayList<>();
            for (Forwarder forwarder : forwarders) {
                memory.add(new MemoryUse(forwarder.name(), startRss.get(forwarder), forwarder.rssKilobytes(),
                        forwarder.peakRssKilobytes()));
            }
            return new Outcome.Measured(setup.name(), setup.startup(), ping, tcp, small, large, memory);
        } catch (IOException | RuntimeException e) {
            if (Thread.currentThread().isInterrupted()) {
                // the run is being stopped (the failure is the clean-up killing the setup's processes)
                throw new InterruptedException("stopped during " + setup.name());
            }
            progress.line("FAILED: %s", e.getMessage());
            return new Outcome.Failed(setup.name(), String.valueOf(e.getMessage()));
        }
    }

    /**
     * Builds the setup on veth links with offloads on and runs only the TCP runs (after the warm-up pings): what
     * offloads change is bulk TCP; the per-packet figures are those of {@link #of}.
     */
    Offloaded tcpWithOffloads(Setup setup) throws InterruptedException {
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedException("stopped before " + setup.name());
        }
        progress.setup(setup.name() + ", veth offloads on");
        try (setup) {
            Bed bed = setup.open(root, true);
            Traffic.Ping warmUp = Traffic.ping(bed.a(), bed.b().ipv4(), plan.warmUpPings(), PING_INTERVAL_SECONDS);
            progress.line("ping, warm-up (not counted): %s", warmUp);
            return Offloaded.measured(setup.name(), tcp(bed, setup.forwarders()));
        } catch (IOException | RuntimeException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("stopped during " + setup.name());
            }
            progress.line("FAILED: %s", e.getMessage());
            return Offloaded.failed(setup.name(), String.valueOf(e.getMessage()));
        }
    }

    private TcpResult tcp(Bed bed, List<Forwarder> forwarders) throws IOException, InterruptedException {
        Map<String, Double> cpuBefore = cpuSeconds(forwarders);
        MachineCpu machineBefore = MachineCpu.now();
        List<Traffic.Iperf> runs = new ArrayList<>();
        for (int i = 1; i <= plan.tcpRuns(); i++) {
            Traffic.Iperf run = Attempts.of(progress, () -> Traffic.tcp(bed.a(), bed.b().ipv4(), plan.tcpSeconds()));
            progress.line("TCP run %d/%d: %s", i, plan.tcpRuns(), run);
            runs.add(run);
        }
        MachineCpu machine = MachineCpu.now().since(machineBefore);
        Map<String, Double> used = cpuSeconds(forwarders);
        used.replaceAll((forwarder, seconds) -> seconds - cpuBefore.get(forwarder));
        TcpResult result = new TcpResult(runs, used, machine);
        if (!used.isEmpty()) {
            progress.line("CPU during the TCP runs: %s: %.1f s per GB", used, result.cpuSecondsPerGigabyte());
        }
        progress.line("the machine's CPU during the TCP runs: %s; per GB (user / kernel / softirq): %s", machine,
                result.machinePerGigabyte());
        return result;
    }

    private static Map<String, Double> cpuSeconds(List<Forwarder> forwarders) throws IOException {
        Map<String, Double> seconds = new LinkedHashMap<>();
        for (Forwarder forwarder : forwarders) {
            seconds.put(forwarder.name(), forwarder.cpuSeconds());
        }
        return seconds;
    }
}
