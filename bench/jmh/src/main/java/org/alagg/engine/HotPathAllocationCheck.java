package org.alagg.engine;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import jdk.jfr.Recording;

import org.alagg.api.Alagg;
import org.alagg.api.MacAddress;
import org.alagg.api.ReorderSettings;
import org.alagg.protocol.FrameAuth;
import org.alagg.reorder.windowed.WindowedOrder;

/**
 * Runs the engine's data path on in-memory parts (an endless capture, two links looped back that swap
 * packets pairwise, a delivery that drops everything) and checks, once the JIT has settled, what its two hot
 * threads allocate per packet: exactly, from the JVM's per-thread counters, and where, from a JFR recording.
 * It does so twice, each time with a data path of its own: without a key, then with one (every frame signed by
 * the egress thread and verified by the ingress thread, docs/protocol.md section 7).
 *
 * <p>{@code java -cp benchmarks.jar org.alagg.engine.HotPathAllocationCheck [warm-up s] [measured s]} (each run);
 * exits 1 when a hot thread allocates more than {@link #LIMIT_BYTES_PER_PACKET} per packet in either run.
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
        byte[] key = new byte[FrameAuth.KEY_LENGTH];
        new SecureRandom().nextBytes(key);

        System.out.printf("Hot path allocation check: strategy windowed, 2 links sending redundantly, packets swapped"
                + " pairwise on the wire, %d-byte IPv4 packets; warm-up %d s, measured %d s, per run%n", PACKET_LENGTH,
                warmUpSeconds, measuredSeconds);
        List<Verdict> verdicts = new ArrayList<>();
        verdicts.add(run("without a key", Trust.NONE, FecSettings.OFF, warmUpSeconds, measuredSeconds));
        verdicts.add(run("with a key", new Trust(key, null, List.of()), FecSettings.OFF, warmUpSeconds, measuredSeconds));
        // forward error correction: every packet added to its group's parity, 2 PARITY frames per 4 packets signed,
        // verified and kept by the receiver (the wire loses nothing: repairs are FecDataPathTest's)
        verdicts.add(run("key, fec 4:2", new Trust(key, null, List.of()), FecSettings.of("4:2", 5, 0.001), warmUpSeconds,
                measuredSeconds));

        System.out.println();
        System.out.printf("%-14s %14s %12s %22s %22s %8s%n", "run", "packets", "packets/s", "alagg-egress B/packet",
                "alagg-ingress B/packet", "verdict");
        for (Verdict v : verdicts) {
            System.out.printf("%-14s %14d %12.0f %22.4f %22.4f %8s%n", v.run, v.packets,
                    v.packets / (double) measuredSeconds, v.bytesPerPacket[0], v.bytesPerPacket[1],
                    v.pass() ? "PASS" : "FAIL");
        }
        boolean pass = verdicts.stream().allMatch(Verdict::pass);
        double worst = verdicts.stream().mapToDouble(Verdict::worst).max().orElse(Double.NaN);
        System.out.printf("%s: at most %.4f B/packet on a hot thread, with and without a key, with FEC (limit %.1f)%n",
                pass ? "PASS" : "FAIL", worst, LIMIT_BYTES_PER_PACKET);
        System.exit(pass ? 0 : 1);
    }

    /** One data path with {@code trust}, warmed up, then measured under a JFR recording; prints what it found. */
    private static Verdict run(String name, Trust trust, FecSettings fec, long warmUpSeconds, long measuredSeconds)
            throws Exception {
        System.out.println();
        System.out.println("== " + name + " (" + trust + ", " + fec + ")");
        LoopbackWire wire = new LoopbackWire();
        DataPath path = start(wire, trust, fec);
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
        // both threads took the trust given (the key, or none), so the frames were signed and verified with it
        boolean trusted = path.peers[0].send.trust == trust && path.peers[0].receive.trust == trust;
        path.stop();

        long packets = after.packets - before.packets;
        System.out.printf("%d packets delivered (%.0f packets/s), %d frames dropped by the wire; both hot threads"
                + " on this key setting: %s%n", packets, packets / (double) measuredSeconds, wire.dropped(),
                trusted ? "yes" : "NO");
        System.out.println("ingress counters (non-zero): " + nonZero(path.receiveTotals()));
        RecordedAllocations recorded = RecordedAllocations.read(file, Set.of(hot[0].getName(), hot[1].getName()));
        double[] perPacket = reportThreads(hot, before, after, packets, recorded);
        reportSites(recorded);
        System.out.println("recording: " + file);
        return new Verdict(name, packets, perPacket, trusted);
    }

    private static DataPath start(LoopbackWire wire, Trust trust, FecSettings fec) {
        DataPath path = new DataPath(problem -> System.err.println("data path: " + problem));
        Peer peer = new Peer(Alagg.DEFAULT_PEER, Reordering.of(new ReorderSettings(256, TimeUnit.MILLISECONDS.toNanos(5)), null),
                path);
        peer.trust = trust;
        peer.fecConfigured = fec;
        peer.fec = fec;
        peer.strategy = new WindowedOrder();
        path.interceptor = new EndlessSource(PACKET_LENGTH);
        path.delivery = packets -> packets.size();
        path.transport = wire;
        path.publish(List.of(peer), List.of(
                new OpenLink(wire.open(0, "loop0", MacAddress.parse("02:00:00:00:00:01"), Alagg.DEFAULT_ETHERTYPE), peer),
                new OpenLink(wire.open(1, "loop1", MacAddress.parse("02:00:00:00:01:01"), Alagg.DEFAULT_ETHERTYPE), peer)));
        path.start();
        return path;
    }

    /** Prints what each hot thread allocated; returns each one's bytes per packet, in the order of {@code hot}. */
    private static double[] reportThreads(Thread[] hot, Snapshot before, Snapshot after, long packets,
            RecordedAllocations recorded) {
        double[] perPacket = new double[hot.length];
        System.out.printf("%-14s %14s %10s %20s%n", "thread", "allocated B", "B/packet", "JFR TLAB+outside B");
        for (int t = 0; t < hot.length; t++) {
            String name = hot[t].getName();
            long bytes = after.allocatedBytes[t] - before.allocatedBytes[t];
            perPacket[t] = bytes / (double) Math.max(1, packets);
            System.out.printf("%-14s %14d %10.4f %20d%n", name, bytes, perPacket[t],
                    recorded.tlabBytes.getOrDefault(name, 0L));
        }
        return perPacket;
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

    /**
     * What one run found.
     *
     * @param bytesPerPacket per hot thread: egress, ingress
     * @param trusted both hot threads ran with the run's key setting
     */
    private record Verdict(String run, long packets, double[] bytesPerPacket, boolean trusted) {
        double worst() {
            return Arrays.stream(bytesPerPacket).max().orElse(Double.NaN);
        }

        boolean pass() {
            return trusted && packets > 0 && worst() <= LIMIT_BYTES_PER_PACKET;
        }
    }

    /** Packets delivered so far, and the bytes each hot thread has allocated so far. */
    private record Snapshot(long packets, long[] allocatedBytes) {
        static Snapshot take(DataPath path, Thread[] hot) {
            return new Snapshot(path.receiveTotals().get("passed"),
                    Arrays.stream(hot).mapToLong(t -> THREADS.getThreadAllocatedBytes(t.getId())).toArray());
        }
    }
}
