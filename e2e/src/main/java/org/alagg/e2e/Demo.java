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
 * {@code alagg demo}: builds the two-namespace bed, starts two instances and shows, with a live per-link table,
 * what Alagg does for traffic when one link turns lossy and is then cut. Everything it creates lives in its own
 * namespaces and is removed on exit, Ctrl-C included; the host's own interfaces are never touched.
 */
public final class Demo {
    private static final PrintStream OUT = System.out;
    private static final int LOSS_PERCENT = 30;
    /** Set when the JVM begins to exit (Ctrl-C): what fails after that is the interruption, not an error. */
    private static volatile boolean exiting;

    private final Bed bed;
    private final Side a;
    private final Side b;
    private Map<String, Instance.LinkReport> lastB = Map.of();

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
        phase("1. Clean links: ping and a 3 s TCP transfer (iperf3) from A to B", () -> pingAndTcp());

        bed.loss(1, LOSS_PERCENT);
        phase("2. Link 1 now drops " + LOSS_PERCENT + " % of its frames at random, both ways", () -> pingAndTcp());

        bed.loss(1, 0);
        bed.cut(1, true);
        phase("3. Link 1 is cut (ip link set l1a down)", () -> pingAndTcp());
        bed.cut(1, false);

        OUT.println("""

                What happened: every packet went out on both links. While link 1 lost a third of its frames, the
                table showed those losses on link 1 alone; B took each packet from whichever link delivered it first,
                so ping and TCP saw no loss. With link 1 cut, both ends reported it DOWN and link 2 carried everything,
                again without a lost ping. The duplicates B discarded are the price: each packet crosses both links.
                Run `alagg ctl --instance NAME alagg:links` on a real pair to see the same table.""");
    }

    private String pingAndTcp() throws Exception {
        Traffic.Ping ping = Traffic.ping(a, b.ipv4(), 300, 0.01);
        Traffic.Iperf tcp = Traffic.tcp(a, b.ipv4(), 3);
        return String.format(Locale.ROOT, "  end to end: ping %s%n  end to end: TCP %s", ping, tcp);
    }

    /** Runs the traffic in the background and prints the per-link table every second until it is done. */
    private void phase(String title, Callable<String> traffic) throws Exception {
        step(title);
        lastB = b.instance().links();
        OUT.printf("  %-5s %-6s %-6s %12s %10s %8s%n", "link", "at A", "at B", "frames A->B", "lost", "loss");
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            Future<String> result = executor.submit(traffic);
            while (!result.isDone()) {
                Thread.sleep(1000);
                table();
            }
            OUT.println(result.get());
        } finally {
            executor.shutdownNow();
            executor.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** One row per link: its state at both ends, and the frames B received from A in the last second. */
    private void table() throws Exception {
        Map<String, Instance.LinkReport> nowA = a.instance().links();
        Map<String, Instance.LinkReport> nowB = b.instance().links();
        for (int n = 1; n <= bed.links(); n++) {
            Instance.LinkReport atA = nowA.get(a.link(n));
            Instance.LinkReport atB = nowB.get(b.link(n));
            Instance.LinkReport beforeB = lastB.get(b.link(n));
            long frames = atB.counter("frames_received") - (beforeB == null ? 0 : beforeB.counter("frames_received"));
            long lost = atB.counter("lost") - (beforeB == null ? 0 : beforeB.counter("lost"));
            double percent = frames + lost == 0 ? 0 : 100.0 * lost / (frames + lost);
            OUT.printf(Locale.ROOT, "  %-5s %-6s %-6s %12d %10d %7.1f%%%n", "l" + n, atA.state(), atB.state(), frames, lost,
                    percent);
        }
        lastB = nowB;
    }

    private static void step(String title) {
        OUT.println();
        OUT.println("== " + title);
    }
}
