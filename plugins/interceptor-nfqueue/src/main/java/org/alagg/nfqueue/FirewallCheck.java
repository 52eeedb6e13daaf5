package org.alagg.nfqueue;

import java.util.ArrayList;
import java.util.List;

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
        Tools.Result r = Tools.run(tool, List.of());
        return r.ok() ? Saved.output(tool, r.output()) : Saved.failed(tool, r.problem());
    }
}
