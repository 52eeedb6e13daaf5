package org.alagg.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.alagg.e2e.Bed;
import org.alagg.e2e.HubBed;
import org.alagg.e2e.Traffic;

/**
 * {@code alagg bench hub}: one instance serving many peers (issue 13), measured on the hub bed ({@link HubBed}: a hub
 * and N spokes on two LANs, NFQUEUE, a key per spoke). For N spokes: TCP from the hub to every spoke at once, the
 * goodput together, the hub's processor time per GB carried, and its resident memory. Then what idle peers cost:
 * the hub's resident memory with 0 and many sections for peers that do not exist. Writes
 * {@code docs/benchmarks-peers.md}; {@code --quick}: 1 and 4 spokes, shorter runs.
 */
public final class HubScale {
    private HubScale() {
    }

    /** One measurement: {@code rate} is the goodput asked of all spokes together (Mbit/s), 0 for as fast as it goes. */
    record Run(int spokes, int idle, int rate, double megabitsPerSecond, double gigabytes, double cpuSeconds,
               long rssKilobytes, double startSeconds, String perRun) {
        double cpuSecondsPerGigabyte() {
            return cpuSeconds / gigabytes;
        }
    }

    record Idle(int peers, long rssKilobytes, long heapUsedKilobytes) {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(System.getProperty("alagg.root", ".")).toAbsolutePath().normalize();
        boolean quick = List.of(args).contains("--quick");
        // {spokes, idle peers}: 1 spoke and 31 idle peers are 32 peers at the hub with the machine's load of 1 (the cost
        // of peers alone); 8 spokes and 24 idle peers are 32 peers with the spokes' load of 8
        int[][] sizes = quick ? new int[][] {{1, 0}, {1, 15}, {4, 0}, {4, 12}}
                : new int[][] {{1, 0}, {1, 31}, {8, 0}, {8, 24}, {32, 0}};
        int given = List.of(args).indexOf("--sizes");
        if (given >= 0) { // --sizes 1+0,1+31: spokes+idle peers, for a run of some rows only
            sizes = java.util.Arrays.stream(args[given + 1].split(",")).map(size -> java.util.Arrays.stream(
                    size.split("\\+")).mapToInt(Integer::parseInt).toArray()).toArray(int[][]::new);
        }
        int seconds = quick ? 5 : 10;
        String machine = Machine.describe().caption();
        List<Run> runs = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (int[] size : sizes) {
            try {
                runs.addAll(transfer(root, size[0], size[1], seconds));
            } catch (Exception | AssertionError e) {
                // more spokes than the machine carries: said in the report, the other sizes still measured
                String why = size[0] + " spokes + " + size[1] + " idle peers: not measured: " + e.getMessage();
                System.out.println(why);
                failed.add(why);
            }
        }
        List<Idle> idle = idle(root, quick ? new int[] {0, 32} : new int[] {0, 32, 125});
        String report = report(machine, seconds, runs, failed, idle);
        Path out = root.resolve("docs/benchmarks-peers.md");
        Files.writeString(out, report);
        System.out.println(report);
        System.out.println("written: " + out);
    }

    /** The goodput asked of all spokes together in the second run, Mbit/s: one the machine carries at any size. */
    static final int FIXED_RATE = 100;

    /** How many runs at {@link #FIXED_RATE} are taken together: a 10 s run's CPU per GB varies by some 15 % here. */
    static final int FIXED_RUNS = 3;

    /**
     * As fast as it goes, then {@link #FIXED_RUNS} times at {@link #FIXED_RATE} together (the same load for every size:
     * the cost of peers alone), those taken together (all their CPU seconds over all their bytes).
     */
    private static List<Run> transfer(Path root, int spokes, int idle, int seconds) throws Exception {
        try (HubBed bed = HubBed.create(root, Bed.Capture.NFQUEUE, spokes, List.of("reorder = windowed"))) {
            bed.configureSpokes(bed.spokes(), idle);
            long started = System.nanoTime();
            bed.start();
            double startSeconds = (System.nanoTime() - started) / 1e9;
            Forwarder hub = new Forwarder("hub", bed.hub().instance().javaPid());
            Thread.sleep(2000);
            Traffic.tcpTo(bed.hub(), bed.spoke(1), bed.spoke(1).ipv4(), 2); // warm-up: the hot paths compiled
            ExecutorService pool = Executors.newFixedThreadPool(spokes);
            try {
                List<Run> runs = new ArrayList<>();
                List<Run> fixed = new ArrayList<>();
                for (int rate : new int[] {0, FIXED_RATE, FIXED_RATE, FIXED_RATE}) {
                    String each = rate == 0 ? null : String.format(Locale.ROOT, "%.3fM", rate / (double) spokes);
                    double cpuBefore = hub.cpuSeconds();
                    List<Future<Traffic.TcpRun>> transfers = new ArrayList<>();
                    for (HubBed.Node spoke : bed.spokes()) {
                        transfers.add(pool.submit(() -> Traffic.tcpTo(bed.hub(), spoke, spoke.ipv4(), seconds, each)));
                    }
                    double bits = 0;
                    long bytes = 0;
                    for (Future<Traffic.TcpRun> t : transfers) {
                        Traffic.TcpRun run = t.get();
                        bits += run.result().bitsPerSecond();
                        bytes += run.result().bytes();
                    }
                    double cpu = hub.cpuSeconds() - cpuBefore;
                    Run run = new Run(spokes, idle, rate, bits / 1e6, bytes / 1e9, cpu, hub.rssKilobytes(), startSeconds,
                            "");
                    System.out.printf(Locale.ROOT, "%d spokes + %d idle peers, %s: %.0f Mbit/s together, %.2f GB, hub %.1f "
                            + "CPU s (%.1f s/GB), RSS %.0f MB%n", spokes, idle, rate == 0 ? "unlimited" : rate + " Mbit/s asked",
                            run.megabitsPerSecond(),
                            run.gigabytes(), cpu, run.cpuSecondsPerGigabyte(), MemoryUse.megabytes(run.rssKilobytes()));
                    (rate == 0 ? runs : fixed).add(run);
                }
                runs.add(new Run(spokes, idle, FIXED_RATE, fixed.stream().mapToDouble(Run::megabitsPerSecond).average()
                        .orElse(0), fixed.stream().mapToDouble(Run::gigabytes).sum(), fixed.stream().mapToDouble(
                        Run::cpuSeconds).sum(), fixed.get(fixed.size() - 1).rssKilobytes(), startSeconds,
                        String.join(" / ", fixed.stream().map(r -> String.format(Locale.ROOT, "%.1f",
                                r.cpuSecondsPerGigabyte())).toList())));
                return runs;
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /** The hub with one real spoke and {@code counts} idle peers in turn, each measured after it settled. */
    private static List<Idle> idle(Path root, int[] counts) throws Exception {
        List<Idle> result = new ArrayList<>();
        try (HubBed bed = HubBed.create(root, Bed.Capture.NFQUEUE, 1, List.of("reorder = windowed"))) {
            bed.start();
            long pid = bed.hub().instance().javaPid();
            Forwarder hub = new Forwarder("hub", pid);
            for (int count : counts) {
                bed.configureSpokes(bed.spokes(), count);
                Thread.sleep(10_000); // applied, the peers challenged and probing, the heap settled
                org.alagg.testing.TestNetwork.run("jcmd", Long.toString(pid), "GC.run");
                Idle idle = new Idle(count, hub.rssKilobytes(), heapUsedKilobytes(pid));
                System.out.printf(Locale.ROOT, "%d idle peers: RSS %.1f MB, heap used %.1f MB%n", count,
                        MemoryUse.megabytes(idle.rssKilobytes()), MemoryUse.megabytes(idle.heapUsedKilobytes()));
                result.add(idle);
            }
        }
        return result;
    }

    /** The heap in use after a full collection ({@code jcmd GC.heap_info}: the "used" of each generation), kB. */
    private static long heapUsedKilobytes(long pid) throws IOException {
        String info = org.alagg.testing.TestNetwork.run("jcmd", Long.toString(pid), "GC.heap_info");
        long used = 0;
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^\\s*(def new generation|tenured generation)"
                + ".*?used (\\d+)K").matcher(info);
        while (m.find()) {
            used += Long.parseLong(m.group(2));
        }
        return used;
    }

    private static String report(String machine, int seconds, List<Run> runs, List<String> failed, List<Idle> idle) {
        StringBuilder md = new StringBuilder();
        md.append("# Benchmarks: one instance, many peers\n\n");
        md.append("Written by `alagg bench hub` (`bench/compare`, `HubScale`) on the hub bed (`e2e`, `HubBed`): a hub and N "
                + "spokes, each spoke joined to the hub by two LANs (a Linux bridge each, in a namespace of its own), every "
                + "veth with offloads off, NFQUEUE capture on every host, a key per spoke, windowed reordering, redundant "
                + "sending. Every spoke is a JVM of its own on the same 2 cores, so the goodput together is what the "
                + "machine gives all of them; the hub's processor time per GB carried is the figure that says whether the "
                + "hub's cost grows with its peers.\n\n");
        md.append("- machine: ").append(machine).append("\n\n");
        md.append("## TCP from the hub to every spoke at once (").append(seconds).append(" s, iperf3, one flow per spoke)\n\n");
        md.append("First as fast as the flows go (the machine's limit, shared with every spoke's JVM), then with the senders "
                + "holding " + FIXED_RATE + " Mbit/s together (each spoke its share), the same load at every size: there the hub's "
                + "processor time per GB is the cost of its peers alone, not of a busier machine.\n\n");
        md.append("Peers at the hub: the spokes (each a JVM of its own, carrying one flow) and, in the rows with idle peers, "
                + "sections for peers that do not exist (two links each, probed every 100 ms until silent for 3 s, then ever "
                + "less often, up to once a second): 1 spoke and 31 idle peers are 32 peers at the hub with the machine's "
                + "load of 1 spoke (what peers cost the hub, nothing else changing), 8 spokes and 24 idle peers are 32 peers "
                + "with the load of 8 spokes, which on 2 cores also measures 9 JVMs contending for them.\n\n");
        md.append("| spokes | idle peers | asked | goodput together (Mbit/s) | GB carried | hub CPU s | hub CPU s per GB | vs 1 spoke | each run's s per GB | hub RSS (MB) | bed forwarding after (s) |\n");
        md.append("|---:|---:|---|---:|---:|---:|---:|---:|---|---:|---:|\n");
        for (Run r : runs) {
            double base = runs.stream().filter(b -> b.rate() == r.rate()).findFirst().orElseThrow().cpuSecondsPerGigabyte();
            md.append(String.format(Locale.ROOT, "| %d | %d | %s | %.0f | %.2f | %.1f | %.1f | %.2fx | %s | %.0f | %.0f |%n",
                    r.spokes(), r.idle(), r.rate() == 0 ? "all it can" : r.rate() + " Mbit/s, " + FIXED_RUNS + " runs",
                    r.megabitsPerSecond(), r.gigabytes(), r.cpuSeconds(), r.cpuSecondsPerGigabyte(),
                    r.cpuSecondsPerGigabyte() / base, r.perRun().isEmpty() ? "-" : r.perRun(),
                    MemoryUse.megabytes(r.rssKilobytes()), r.startSeconds()));
        }
        for (String f : failed) {
            md.append("\n- ").append(f.lines().findFirst().orElse(f)).append('\n');
        }
        md.append("\n## What an idle peer costs\n\n");
        md.append("The hub with one real spoke and sections for peers that do not exist (two links each, on the hub's two "
                + "interfaces; probed ever less often once silent for 3 s, challenged ever less often), 10 s after each change, after a full collection "
                + "(`jcmd GC.run`).\n\n");
        md.append("| idle peers | hub RSS (MB) | heap used (MB) | RSS per idle peer (kB) | heap per idle peer (kB) |\n");
        md.append("|---:|---:|---:|---:|---:|\n");
        Idle none = idle.get(0);
        for (Idle i : idle) {
            md.append(String.format(Locale.ROOT, "| %d | %.1f | %.1f | %s | %s |%n", i.peers(),
                    MemoryUse.megabytes(i.rssKilobytes()), MemoryUse.megabytes(i.heapUsedKilobytes()),
                    i.peers() == 0 ? "-" : Long.toString((i.rssKilobytes() - none.rssKilobytes()) / i.peers()),
                    i.peers() == 0 ? "-" : Long.toString((i.heapUsedKilobytes() - none.heapUsedKilobytes()) / i.peers())));
        }
        md.append("\n");
        return md.toString();
    }
}
