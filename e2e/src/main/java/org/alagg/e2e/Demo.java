package org.alagg.e2e;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.alagg.e2e.Bed.Side;

/**
 * {@code alagg demo}: builds the two-namespace bed, starts two instances and shows, with a live table of every link
 * end (state and how long, the probes' round-trip times, recent loss both ways, last heard, frames received), what
 * Alagg does for traffic when one link silently drops one direction, turns lossy and is then cut. Everything it
 * creates lives in its own namespaces and is removed on exit, Ctrl-C included; the host's own interfaces are never
 * touched.
 */
public final class Demo {
    private static final PrintStream OUT = System.out;
    private static final int LOSS_PERCENT = 30;
    /** Set when the JVM begins to exit (Ctrl-C): what fails after that is the interruption, not an error. */
    private static volatile boolean exiting;

    private final Bed bed;
    private final Side a;
    private final Side b;

    private Demo(Bed bed) {
        this.bed = bed;
        this.a = bed.a();
        this.b = bed.b();
    }

    public static void main(String[] args) throws Exception {
        if (!"root".equals(System.getProperty("user.name"))) {
            System.err.println("alagg demo: needs root: it creates two network namespaces, veth links, firewall rules and "
                    + "queueing disciplines in them (CAP_SYS_ADMIN, CAP_NET_ADMIN). Run: sudo ./alagg demo");
            System.exit(2);
        }
        Path root = Path.of(System.getProperty("alagg.root", ".")).toAbsolutePath().normalize();
        OUT.println("""
                Alagg demo: two hosts, A and B, as two network namespaces joined by two links (veth pairs l1a-l1b and
                l2a-l2b). Each runs Alagg (`alagg run`) in NFQUEUE mode: packets A sends to B's address 10.88.0.2 are
                taken by an iptables rule, sent on BOTH links, and B keeps the first copy of each, in order.
                """);
        Thread interrupted = new Thread(() -> {
            exiting = true;
            OUT.println("\nInterrupted: removing what the demo created.");
        });
        Runtime.getRuntime().addShutdownHook(interrupted);
        try (Bed bed = Bed.create(root, Bed.Capture.NFQUEUE, 2, 2, List.of("reorder = windowed"))) {
            step("Starting both instances");
            long started = System.nanoTime();
            bed.start();
            OUT.printf(Locale.ROOT, "  forwarding after %.1f s%n", (System.nanoTime() - started) / 1e9);
            new Demo(bed).run();
        } catch (Exception e) {
            if (exiting) {
                return;
            }
            throw e;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(interrupted);
            } catch (IllegalStateException e) {
                // the JVM is exiting: the hook has said so
            }
        }
        OUT.println("\nEverything the demo created (namespaces, links, rules, processes) has been removed.");
    }

    private void run() throws Exception {
        OUT.println("""

                The table, about every second, one row per link end (A's l1a and B's l1b are the two ends of link 1):
                  state, since   UP or DOWN, as the transport and the probes both ends send on every link say; how long
                  rtt p50, p99   the probes' round-trip times (median and 99th percentile of the last 64)
                  loss to, from  the share of frames lost over the last 2 s, towards the peer and from it
                  heard          how long ago the last frame came from the peer on that link
                  rx/s           frames received per second on that link
                  detail         why a link is DOWN""");
        phase("1. Clean links: ping and a 3 s TCP transfer (iperf3) from A to B", () -> pingAndTcp());

        bed.loss(b, 1, 100);
        phase("2. Link 1 drops every frame from A to B (nft at B), none the other way: the carrier is up, only the "
                + "probes can tell", () -> pingAndTcp());

        bed.loss(b, 1, 0);
        phase("3. Link 1 is whole again: ping", () -> ping());

        bed.loss(1, LOSS_PERCENT);
        phase("4. Link 1 now drops " + LOSS_PERCENT + " % of its frames at random, both ways", () -> pingAndTcp());

        bed.loss(1, 0);
        bed.cut(1, true);
        phase("5. Link 1 is cut (ip link set l1a down): both ends lose the carrier", () -> pingAndTcp());

        bed.cut(1, false);
        phase("6. Link 1 is back (ip link set l1a up): ping", () -> ping());

        OUT.println("""

                What happened: every packet went out on both links. When link 1 dropped only what A sent on it, its
                carrier stayed up, yet the probes made it DOWN at both ends within a few hundred milliseconds: B heard
                nothing from A, and A's probes went unanswered. While link 1 lost a third of its frames, the table
                showed those losses on link 1 alone, both ways (and the probes, losing as many, may have called it
                DOWN now and then); B took each packet from whichever link delivered it first, so ping and TCP saw no
                loss. Cut, link 1 was DOWN at both ends at once: the carrier said so. Each time link 2 carried
                everything without a lost ping, and three answered probes in a row made link 1 UP again. The duplicates
                B discarded are the price: each packet crosses both links. Run `alagg ctl --instance NAME alagg:links`
                on a real pair to see the same figures.""");
    }

    private String ping() throws Exception {
        return "  end to end: ping " + Traffic.ping(a, b.ipv4(), 300, 0.01);
    }

    private String pingAndTcp() throws Exception {
        Traffic.Ping ping = Traffic.ping(a, b.ipv4(), 300, 0.01);
        Traffic.Iperf tcp = Traffic.tcp(a, b.ipv4(), 3);
        return String.format(Locale.ROOT, "  end to end: ping %s%n  end to end: TCP %s", ping, tcp);
    }

    /** Runs the traffic in the background and prints the per-link table every second until it is done. */
    private void phase(String title, Callable<String> traffic) throws Exception {
        step(title);
        ExecutorService executor = Executors.newFixedThreadPool(3);
        try {
            Snapshot before = snapshot(executor);
            OUT.printf(Locale.ROOT, "  %5s  %-5s %-8s %6s  %8s %8s  %7s %7s  %6s %6s  %s%n", "t", "link", "state", "since",
                    "rtt p50", "p99", "loss to", "from", "heard", "rx/s", "detail");
            long started = System.nanoTime();
            Future<String> result = executor.submit(traffic);
            long next = started;
            while (!result.isDone()) {
                next += TimeUnit.SECONDS.toNanos(1);
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                Snapshot now = snapshot(executor);
                table(before, now, (now.nanos - started) / 1e9);
                before = now;
            }
            OUT.println(result.get());
        } finally {
            executor.shutdownNow();
            executor.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** Both instances' {@code alagg:links}, read at the same time, and when. */
    private record Snapshot(Map<String, Instance.LinkReport> a, Map<String, Instance.LinkReport> b, long nanos,
                            long unixMillis) {
    }

    private Snapshot snapshot(ExecutorService executor) throws Exception {
        Future<Map<String, Instance.LinkReport>> atA = executor.submit(() -> a.instance().links());
        Future<Map<String, Instance.LinkReport>> atB = executor.submit(() -> b.instance().links());
        Map<String, Instance.LinkReport> linksA = atA.get();
        Map<String, Instance.LinkReport> linksB = atB.get();
        return new Snapshot(linksA, linksB, System.nanoTime(), System.currentTimeMillis());
    }

    /** One row per link end: what its instance says of it now, and the frames it received since the last table. */
    private void table(Snapshot before, Snapshot now, double at) {
        double seconds = Math.max(1e-3, (now.nanos - before.nanos) / 1e9);
        String time = String.format(Locale.ROOT, "%.1fs", at);
        for (int n = 1; n <= bed.links(); n++) {
            for (Side side : List.of(a, b)) {
                boolean isA = side == a;
                String link = side.link(n);
                Instance.LinkReport report = (isA ? now.a : now.b).get(link);
                if (report == null) {
                    OUT.printf(Locale.ROOT, "  %5s  %-5s %s%n", time, link, "not reported");
                    time = "";
                    continue;
                }
                Instance.LinkReport earlier = (isA ? before.a : before.b).get(link);
                long frames = report.counter("frames_received") - (earlier == null ? 0 : earlier.counter("frames_received"));
                Map<String, Long> c = report.counters();
                Long since = c.get("state_since_ms");
                Long heard = c.get("last_received_ms");
                OUT.println(String.format(Locale.ROOT, "  %5s  %-5s %-8s %6s  %8s %8s  %7s %7s  %6s %6d  %s", time, link,
                        report.state(), since == null ? "-" : duration(now.unixMillis - since), millis(c.get("rtt_p50_us")),
                        millis(c.get("rtt_p99_us")), percent(c.get("recent_loss_to_peer_ppm")),
                        percent(c.get("recent_loss_from_peer_ppm")), heard(heard, report.counter("frames_received")),
                        Math.round(frames / seconds), report.detail() == null ? "" : report.detail()).stripTrailing());
                time = "";
            }
        }
    }

    /**
     * How long ago the peer was last heard. The engine reports -1 for never, but also a small negative time when a
     * frame arrived while it was answering: with frames received, that is "just now".
     */
    private static String heard(Long millis, long framesReceived) {
        return millis == null ? "-" : millis >= 0 ? millis + "ms" : framesReceived == 0 ? "never" : "0ms";
    }

    /** "850ms", "4.2s", "73s", "12min". */
    private static String duration(long millis) {
        long m = Math.max(0, millis);
        return m < 1000 ? m + "ms" : m < 10_000 ? String.format(Locale.ROOT, "%.1fs", m / 1000.0)
                : m < 600_000 ? m / 1000 + "s" : m / 60_000 + "min";
    }

    /** Microseconds as milliseconds with two decimals; "-" while not known. */
    private static String millis(Long micros) {
        return micros == null ? "-" : String.format(Locale.ROOT, "%.2fms", micros / 1000.0);
    }

    /** Parts per million as a percentage; "-" while not known. */
    private static String percent(Long ppm) {
        return ppm == null ? "-" : String.format(Locale.ROOT, "%.1f%%", ppm / 10_000.0);
    }

    private static void step(String title) {
        OUT.println();
        OUT.println("== " + title);
    }
}
