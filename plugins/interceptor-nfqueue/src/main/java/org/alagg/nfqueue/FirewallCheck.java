package org.alagg.nfqueue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.osgi.service.log.Logger;

/**
 * The start-up check of the capture mode: a bound queue captures nothing until a firewall rule sends packets
 * to it, and a rule that can match what Alagg delivers would capture it twice. So, when the queue is bound,
 * {@code iptables-save} and {@code ip6tables-save} are read (in the binding thread's network namespace) and
 * the rules feeding the queue are logged, with a warning naming the rule to add when there is none. A
 * missing tool is a warning, never an error: the rules may come from elsewhere.
 */
final class FirewallCheck {
    static final String IPTABLES_SAVE = "iptables-save";
    static final String IP6TABLES_SAVE = "ip6tables-save";
    private static final long TIMEOUT_SECONDS = 10;
    /** Where Debian puts the tools; a service's PATH often lacks the sbin directories. */
    private static final List<String> SYSTEM_DIRECTORIES = List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin");

    /** One tool's output, or why there is none. */
    record Saved(String tool, String output, String problem) {
        static Saved output(String tool, String output) {
            return new Saved(tool, output, null);
        }

        static Saved failed(String tool, String problem) {
            return new Saved(tool, null, problem);
        }
    }

    /** A line to log. */
    record Finding(boolean warning, String text) {
    }

    private FirewallCheck() {
    }

    /** Runs both tools and logs the findings. Never throws. */
    static void check(int queue, int mark, Logger log) {
        for (Finding f : findings(queue, mark, save(IPTABLES_SAVE), save(IP6TABLES_SAVE))) {
            if (f.warning()) {
                log.warn("{}", f.text());
            } else {
                log.info("{}", f.text());
            }
        }
    }

    /** What the outputs of iptables-save and ip6tables-save say about {@code queue}. */
    static List<Finding> findings(int queue, int mark, Saved ipv4, Saved ipv6) {
        List<Finding> findings = new ArrayList<>();
        int rules = 0;
        boolean legacy = false;
        for (Saved saved : List.of(ipv4, ipv6)) {
            if (saved.output() == null) {
                findings.add(new Finding(true, "Cannot check which firewall rules feed NFQUEUE " + queue + ": "
                        + saved.problem()));
                continue;
            }
            legacy |= saved.output().contains(QueueRules.LEGACY_WARNING);
            String tool = saved.tool().replace("-save", "");
            for (QueueRules.Rule rule : QueueRules.feeding(saved.output(), queue)) {
                rules++;
                String shown = tool + " -t " + rule.table() + " " + rule.line();
                findings.add(new Finding(false, "NFQUEUE " + queue + " is fed by: " + shown));
                if (!rule.isNarrowed() && !rule.excludesMark(mark)) {
                    findings.add(new Finding(true, "The rule '" + shown + "' matches every destination and does not"
                            + " skip mark 0x" + Integer.toHexString(mark) + ": packets Alagg delivers on this host"
                            + " would be captured again. Add: -m mark ! --mark 0x" + Integer.toHexString(mark)));
                }
            }
        }
        if (rules == 0) {
            findings.add(new Finding(true, "No firewall rule sends packets to NFQUEUE " + queue
                    + (ipv4.output() == null && ipv6.output() == null ? " could be found" : " was found")
                    + ": nothing will be captured. Add one per destination Alagg carries, e.g. "
                    + QueueRules.suggestion("iptables", queue, mark) + " (for IPv6: "
                    + QueueRules.suggestion("ip6tables", queue, mark) + "); see docs/nfqueue.md"
                    + (legacy ? ". Note: iptables-legacy tables are present too, which iptables-save does not show"
                            + " (iptables-legacy-save does)" : "")));
        }
        return findings;
    }

    /** Runs one tool in this thread's network namespace. */
    static Saved save(String tool) {
        Path executable = find(tool);
        if (executable == null) {
            return Saved.failed(tool, tool + " is not installed (Debian package iptables)");
        }
        try {
            Process p = new ProcessBuilder(executable.toString())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            CompletableFuture<String> errors = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
            String output = read(p.getInputStream());
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Saved.failed(tool, executable + " gave no answer within " + TIMEOUT_SECONDS + " s");
            }
            if (p.exitValue() != 0) {
                return Saved.failed(tool, executable + " failed with exit code " + p.exitValue() + ": "
                        + errors.join().strip());
            }
            return Saved.output(tool, output);
        } catch (IOException e) {
            return Saved.failed(tool, executable + " could not be run: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Saved.failed(tool, executable + ": interrupted");
        }
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static Path find(String tool) {
        Set<String> directories = new LinkedHashSet<>();
        String path = System.getenv("PATH");
        if (path != null) {
            directories.addAll(List.of(path.split(File.pathSeparator)));
        }
        directories.addAll(SYSTEM_DIRECTORIES);
        for (String directory : directories) {
            if (!directory.isEmpty() && Files.isExecutable(Path.of(directory, tool))) {
                return Path.of(directory, tool);
            }
        }
        return null;
    }
}
