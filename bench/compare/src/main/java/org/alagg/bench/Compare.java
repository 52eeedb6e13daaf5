package org.alagg.bench;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.alagg.e2e.Bed;

/**
 * The comparison benchmark: direct veth, wireguard-go, Alagg NFQUEUE without and with authentication and Alagg TUN,
 * one after another on the same topology in one run, with the same measurements; prints the tables and rewrites
 * docs/benchmarks.md and docs/benchmarks.png. Needs root (namespaces, links, firewall rules). {@code --quick}
 * checks that everything works in a few minutes; its figures are rough. {@code --only NAME,...} measures only the
 * named setups ({@link #SETUPS}) and writes nothing: for a developer comparing a change against the anchor.
 */
public final class Compare {
    private static final PrintStream OUT = System.out;
    /** The setups by the names {@code --only} takes, in the order of a full run. */
    private static final Map<String, Supplier<Setup>> SETUPS = new LinkedHashMap<>();

    static {
        SETUPS.put("direct", Direct::new);
        SETUPS.put("wireguard-go", WireGuardGo::new);
        SETUPS.put("nfqueue", () -> AlaggSetup.plain(Bed.Capture.NFQUEUE));
        SETUPS.put("nfqueue-auth", () -> AlaggSetup.authenticated(Bed.Capture.NFQUEUE));
        SETUPS.put("tun", () -> AlaggSetup.plain(Bed.Capture.TUN));
    }

    /**
     * Setups that only {@code --only} measures, each a variation of one above for a question of its own (not in the
     * report): {@code nfqueue-metrics} is {@code nfqueue} with the metrics endpoint on and scraped every second, what
     * the endpoint costs (docs/observability.md).
     */
    private static final Map<String, Supplier<Setup>> VARIATIONS = new LinkedHashMap<>();

    static {
        VARIATIONS.put("nfqueue-metrics", () -> AlaggSetup.scraped(Bed.Capture.NFQUEUE));
    }

    private Compare() {
    }

    public static void main(String[] args) throws Exception {
        // the chart is drawn into an image: no display wanted, whatever DISPLAY says
        System.setProperty("java.awt.headless", "true");
        List<String> options = new ArrayList<>(List.of(args));
        boolean quick = options.remove("--quick");
        List<String> only = new ArrayList<>();
        int at = options.indexOf("--only");
        if (at >= 0 && at + 1 < options.size()) {
            only.addAll(List.of(options.remove(at + 1).split(",")));
            options.remove(at);
        }
        Map<String, Supplier<Setup>> named = new LinkedHashMap<>(SETUPS);
        named.putAll(VARIATIONS);
        if (!options.isEmpty() || !named.keySet().containsAll(only)) {
            System.err.println("usage: Compare [--quick] [--only NAME,...]; names: " + String.join(", ", named.keySet()));
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
        if (!only.isEmpty()) {
            try {
                for (String name : only) {
                    measurement.of(named.get(name).get());
                }
                for (String name : only) {
                    measurement.tcpWithOffloads(named.get(name).get());
                }
            } catch (InterruptedException e) {
                System.err.println("Compare: " + e.getMessage());
                return;
            }
            OUT.println("Measured " + String.join(", ", only) + " only: nothing written");
            return;
        }
        Results results;
        try {
            List<Outcome> outcomes = new ArrayList<>();
            for (Supplier<Setup> setup : SETUPS.values()) {
                outcomes.add(measurement.of(setup.get()));
            }
            List<Offloaded> offloaded = new ArrayList<>();
            for (Supplier<Setup> setup : SETUPS.values()) {
                offloaded.add(measurement.tcpWithOffloads(setup.get()));
            }
            results = new Results(outcomes.get(0), outcomes.get(1), outcomes.get(2), outcomes.get(3), outcomes.get(4),
                    offloaded);
        } catch (InterruptedException e) {
            System.err.println("Compare: " + e.getMessage() + "; nothing written");
            return;
        }
        List<Target> targets = Target.check(results);

        OUT.println();
        OUT.print(Summary.figures(results).markdown());
        OUT.println();
        OUT.print(Summary.offloaded(results).markdown());
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
