package org.alagg.bench;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.alagg.e2e.Bed;

/**
 * The comparison benchmark: direct veth, wireguard-go, Alagg NFQUEUE without and with authentication and Alagg TUN,
 * one after another on the same topology in one run, with the same measurements; prints the tables and rewrites
 * docs/benchmarks.md and docs/benchmarks.png. Needs root (namespaces, links, firewall rules). {@code --quick}
 * checks that everything works in a few minutes; its figures are rough.
 */
public final class Compare {
    private static final PrintStream OUT = System.out;

    private Compare() {
    }

    public static void main(String[] args) throws Exception {
        // the chart is drawn into an image: no display wanted, whatever DISPLAY says
        System.setProperty("java.awt.headless", "true");
        boolean quick = List.of(args).equals(List.of("--quick"));
        if (!quick && args.length > 0) {
            System.err.println("usage: Compare [--quick]");
            System.exit(2);
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            System.err.println("Compare needs root: it creates network namespaces, veth links, firewall rules and "
                    + "tunnel devices");
            System.exit(2);
        }
        Path root = Path.of(System.getProperty("alagg.root", ".")).toAbsolutePath().normalize();
        Plan plan = quick ? Plan.QUICK : Plan.FULL;
        Machine machine = Machine.describe();
        OUT.println("Comparing direct veth, wireguard-go, Alagg NFQUEUE (without and with a key) and Alagg TUN"
                + (quick ? " (quick)" : "") + " on " + machine.caption());

        // On SIGTERM or Ctrl-C the beds clean up in their own shutdown hooks while this thread still runs: it must
        // not build the next setup then, whose namespaces nobody would delete.
        Thread measuring = Thread.currentThread();
        Runtime.getRuntime().addShutdownHook(new Thread(measuring::interrupt, "compare-stop"));
        Measurement measurement = new Measurement(root, plan, new Progress(OUT));
        Results results;
        try {
            results = new Results(measurement.of(new Direct()), measurement.of(new WireGuardGo()),
                    measurement.of(AlaggSetup.plain(Bed.Capture.NFQUEUE)),
                    measurement.of(AlaggSetup.authenticated(Bed.Capture.NFQUEUE)),
                    measurement.of(AlaggSetup.plain(Bed.Capture.TUN)));
        } catch (InterruptedException e) {
            System.err.println("Compare: " + e.getMessage() + "; nothing written");
            return;
        }
        List<Target> targets = Target.check(results);

        OUT.println();
        OUT.print(Summary.figures(results).markdown());
        Summary.failures(results).forEach(OUT::println);
        OUT.println();
        OUT.print(Summary.targets(targets).markdown());

        Path docs = root.resolve("docs");
        Files.createDirectories(docs);
        Report report = new Report(machine, plan, command(quick), results, targets);
        Files.writeString(docs.resolve("benchmarks.md"), report.markdown());
        Chart.write(docs.resolve("benchmarks.png"), results, plan, machine.caption());
        OUT.println();
        OUT.println("Written: " + docs.resolve("benchmarks.md") + ", " + docs.resolve("benchmarks.png"));
    }

    /** What the README has a user type for this run. */
    private static String command(boolean quick) {
        return "./alagg bench" + (quick ? " --quick" : "");
    }
}
