package org.alagg.engine;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import jdk.jfr.Recording;

import org.alagg.api.Alagg;
import org.alagg.api.MacAddress;
import org.alagg.api.ReorderSettings;
import org.alagg.reorder.windowed.WindowedOrder;

/**
 * Runs the engine's data path on in-memory parts (an endless capture, two links looped back that swap
 * packets pairwise, a delivery that drops everything) and checks, once the JIT has settled, what its two hot
 * threads allocate per packet: exactly, from the JVM's per-thread counters, and where, from a JFR recording.
 *
 * <p>{@code java -cp benchmarks.jar org.alagg.engine.HotPathAllocationCheck [warm-up s] [measured s]}; exits 1
 * when a hot thread allocates more than {@link #LIMIT_BYTES_PER_PACKET} per packet.
 */
public final class HotPathAllocationCheck {
    /** The product's "(close to) nothing per packet": one 16-byte object per 160 packets already fails. */
    static final double LIMIT_BYTES_PER_PACKET = 0.1;
    private static final int PACKET_LENGTH = 1200;
    private static final int TOP_SITES = 10;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private HotPathAllocationCheck() {
    }

    public static void main(String[] args) throws Exception {
        long warmUpSeconds = args.length > 0 ? Long.parseLong(args[0]) : 5;
        long measuredSeconds = args.length > 1 ? Long.parseLong(args[1]) : 20;

        LoopbackWire wire = new LoopbackWire();
        DataPath path = start(wire);
        Thread[] hot = {path.egress.thread(), path.ingress.thread()};
        TimeUnit.SECONDS.sleep(warmUpSeconds);
        Path file = Files.createTempFile("alagg-hot-path-", ".jfr");
        Snapshot before;
        Snapshot after;
        try (Recording recording = new Recording()) {
            recording.enable(RecordedAllocations.SAMPLE).with("throttle", "1000/s").withStackTrace();
            recording.enable(RecordedAllocations.IN_NEW_TLAB).withStackTrace();
            recording.enable(RecordedAllocations.OUTSIDE_TLAB).withStackTrace();
            recording.start();
            before = Snapshot.take(path, hot);
            TimeUnit.SECONDS.sleep(measuredSeconds);
            after = Snapshot.take(path, hot);
            recording.stop();
            recording.dump(file);
        }
        path.stop();

        long packets = after.packets - before.packets;
        System.out.printf("Hot path allocation check: strategy windowed, 2 links sending redundantly, packets swapped"
                + " pairwise on the wire, %d-byte IPv4 packets%n", PACKET_LENGTH);
        System.out.printf("warm-up %d s, measured %d s: %d packets delivered (%.0f packets/s), %d frames dropped by"
                + " the wire%n", warmUpSeconds, measuredSeconds, packets, packets / (double) measuredSeconds,
                wire.dropped());
        System.out.println("ingress counters (non-zero): " + nonZero(path.ingress.counters.snapshot()));
        RecordedAllocations recorded = RecordedAllocations.read(file, Set.of(hot[0].getName(), hot[1].getName()));
        double worst = reportThreads(hot, before, after, packets, recorded);
        reportSites(recorded);
        System.out.println("recording: " + file);

        boolean pass = packets > 0 && worst <= LIMIT_BYTES_PER_PACKET;
        System.out.printf("%s: at most %.4f B/packet on a hot thread (limit %.1f)%n", pass ? "PASS" : "FAIL", worst,
                LIMIT_BYTES_PER_PACKET);
        System.exit(pass ? 0 : 1);
    }

    private static DataPath start(LoopbackWire wire) {
        DataPath path = new DataPath(Reordering.of(new ReorderSettings(256, TimeUnit.MILLISECONDS.toNanos(5)), null),
                problem -> System.err.println("data path: " + problem));
        path.interceptor = new EndlessSource(PACKET_LENGTH);
        path.delivery = packets -> packets.size();
        path.transport = wire;
        path.strategy = new WindowedOrder();
        path.links = new OpenLink[] {
            new OpenLink(wire.open(0, "loop0", MacAddress.parse("02:00:00:00:00:01"), Alagg.DEFAULT_ETHERTYPE)),
            new OpenLink(wire.open(1, "loop1", MacAddress.parse("02:00:00:00:01:01"), Alagg.DEFAULT_ETHERTYPE)),
        };
        path.start();
        return path;
    }

    /** Prints what each hot thread allocated; returns the most bytes per packet among them. */
    private static double reportThreads(Thread[] hot, Snapshot before, Snapshot after, long packets,
            RecordedAllocations recorded) {
        double worst = 0;
        System.out.printf("%-14s %14s %10s %20s%n", "thread", "allocated B", "B/packet", "JFR TLAB+outside B");
        for (int t = 0; t < hot.length; t++) {
            String name = hot[t].getName();
            long bytes = after.allocatedBytes[t] - before.allocatedBytes[t];
            double perPacket = bytes / (double) Math.max(1, packets);
            worst = Math.max(worst, perPacket);
            System.out.printf("%-14s %14d %10.4f %20d%n", name, bytes, perPacket,
                    recorded.tlabBytes.getOrDefault(name, 0L));
        }
        return worst;
    }

    private static void reportSites(RecordedAllocations recorded) {
        System.out.println("top allocation sites on the hot threads (JFR samples, by weight in bytes):");
        if (recorded.sites.isEmpty()) {
            System.out.println("  none");
        }
        recorded.sites.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()))
                .limit(TOP_SITES)
                .forEach(site -> System.out.printf("  %14d B  %s%n", site.getValue(), site.getKey()));
    }

    private static Map<String, Long> nonZero(Map<String, Long> counters) {
        counters.values().removeIf(value -> value == 0);
        return counters;
    }

    /** Packets delivered so far, and the bytes each hot thread has allocated so far. */
    private record Snapshot(long packets, long[] allocatedBytes) {
        static Snapshot take(DataPath path, Thread[] hot) {
            return new Snapshot(path.ingress.counters.snapshot().get("passed"),
                    Arrays.stream(hot).mapToLong(t -> THREADS.getThreadAllocatedBytes(t.getId())).toArray());
        }
    }
}
