package org.alagg.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.alagg.e2e.Bed.Side;

/**
 * The engine's counters add up: every packet and frame it took is counted exactly once, under one outcome. Run
 * after every scenario, once the traffic has stopped and about a second has passed. The rules, on each side:
 *
 * <ul>
 * <li>egress, {@code alagg:stats}: {@code captured == sent + unsent + too_big + refused + no_peer};
 * <li>ingress, {@code alagg:stats}: {@code received == unknown_source + tagless + auth_missing + auth_failed + probes
 * + stale_epoch + epoch_unconfirmed + discarded + rogue + overflow + passed + source_not_allowed + late + held}
 * ({@code held} is a gauge: what a strategy holds now);
 * <li>{@code tagless == } the sum of every {@code malformed_*};
 * <li>{@code alagg:links}: the sum over the links of {@code frames_received}, plus
 * {@code removed_links_frames_received}, {@code == received - unknown_source}; every link has all its counters,
 * and its {@code probes_sent} (probes, probe replies, challenges) are part of its {@code frames_sent}.
 * </ul>
 *
 * <p>Probes keep arriving while nothing else does, and the engine publishes its counters one by one: both tables
 * are read in one control call, and a reading that does not add up is read again, a few times, before the check
 * fails. A counting error fails every reading; the failure names the side, the rule and every number.
 */
final class Conservation {
    /** The egress outcomes of a captured packet. */
    static final List<String> EGRESS = List.of("sent", "unsent", "too_big", "refused", "no_peer");
    /**
     * The ingress outcomes of a received frame ({@code held}: still held by a strategy; a PARITY frame ends in
     * {@code fec_parity_received}), which also take the packets FEC repaired: they add up to {@code received} plus
     * {@code fec_repaired}.
     */
    static final List<String> INGRESS = List.of("unknown_source", "tagless", "auth_missing", "auth_failed", "probes",
            "stale_epoch", "epoch_unconfirmed", "discarded", "rogue", "overflow", "passed", "source_not_allowed", "late",
            "held", "fec_parity_received");
    /** The counters every link reports. */
    static final List<String> LINK = List.of("frames_sent", "bytes_sent", "probes_sent", "refused_queue_full",
            "refused_too_big", "refused_down", "refused_other", "frames_received", "bytes_received", "duplicates", "lost",
            "last_received_ms");
    private static final int READINGS = 5;

    private Conservation() {
    }

    /** Waits a second for the last packets to settle, then checks both sides; fails naming every broken rule. */
    static void assertCountersAddUp(Bed bed) throws Exception {
        Thread.sleep(1000);
        List<String> problems = new ArrayList<>();
        for (Side side : List.of(bed.a(), bed.b())) {
            problems.addAll(check(side));
        }
        if (!problems.isEmpty()) {
            fail("the counters do not add up:\n  " + String.join("\n  ", problems));
        }
    }

    /** Checks one side (no waiting); returns what does not add up in the last of a few readings, empty when all do. */
    static List<String> check(Side side) throws Exception {
        List<String> problems = List.of();
        for (int reading = 1; reading <= READINGS; reading++) {
            Instance.Counters counters = side.instance().counters();
            problems = problems(side + " (" + side.instance().name() + ")", counters);
            if (problems.isEmpty()) {
                Beds.report("counters", "%s adds up: %s", side, summary(counters));
                return problems;
            }
            Thread.sleep(200);
        }
        List<String> last = new ArrayList<>();
        for (String p : problems) {
            last.add(p + " (in each of " + READINGS + " readings; the last shown)");
        }
        return last;
    }

    /** The rules that {@code counters} break, each naming the side, the rule and its numbers. */
    static List<String> problems(String side, Instance.Counters counters) {
        Map<String, Long> s = counters.stats();
        List<String> problems = new ArrayList<>();
        sum(problems, side, "egress", s, "captured", EGRESS);
        Map<String, Long> in = new java.util.HashMap<>(s);
        if (s.containsKey("received") && s.containsKey("fec_repaired")) {
            in.put("received + fec_repaired", s.get("received") + s.get("fec_repaired"));
        }
        sum(problems, side, "ingress", in, "received + fec_repaired", INGRESS);
        List<String> malformed = s.keySet().stream().filter(k -> k.startsWith("malformed_")).sorted().toList();
        if (malformed.isEmpty()) {
            problems.add(side + ": rule tagless == sum of malformed_*: alagg:stats --json has no malformed_* counter");
        } else {
            sum(problems, side, "tagless", s, "tagless", malformed);
        }
        List<String> linkProblems = new ArrayList<>();
        long framesReceived = 0;
        StringBuilder perLink = new StringBuilder();
        for (Instance.LinkReport link : counters.links().values()) {
            List<String> missing = LINK.stream().filter(c -> !link.counters().containsKey(c)).toList();
            if (!missing.isEmpty()) {
                linkProblems.add(side + ": link " + link.link() + " lacks the counter(s) " + String.join(", ", missing)
                        + " in alagg:links --json (has " + link.counters().keySet() + ")");
            }
            if (link.counter("probes_sent") > link.counter("frames_sent")) {
                linkProblems.add(side + ": rule probes_sent <= frames_sent: link " + link.link() + " probes_sent "
                        + link.counter("probes_sent") + " > frames_sent " + link.counter("frames_sent"));
            }
            framesReceived += link.counter("frames_received");
            perLink.append(perLink.length() == 0 ? "" : " + ").append(link.link()).append(' ').append(link.counter("frames_received"));
        }
        problems.addAll(linkProblems);
        Long received = s.get("received");
        Long unknown = s.get("unknown_source");
        Long removed = s.get("removed_links_frames_received");
        String rule = side + ": rule links: sum of frames_received + removed_links_frames_received == received - unknown_source: ";
        if (received == null || unknown == null || removed == null) {
            problems.add(rule + "alagg:stats --json lacks "
                    + missing(s, List.of("received", "unknown_source", "removed_links_frames_received")));
        } else if (framesReceived + removed != received - unknown) {
            problems.add(rule + (perLink.length() == 0 ? "no links" : perLink) + " + removed " + removed + " = "
                    + (framesReceived + removed) + " != received " + received + " - unknown_source " + unknown + " = "
                    + (received - unknown) + " (off by " + (framesReceived + removed - (received - unknown)) + ")");
        }
        return problems;
    }

    /** Checks {@code total == sum of parts} in {@code stats}; adds a problem naming every number when it does not hold. */
    private static void sum(List<String> problems, String side, String name, Map<String, Long> stats, String total,
            List<String> parts) {
        String rule = side + ": rule " + name + ": " + total + " == " + String.join(" + ", parts) + ": ";
        List<String> all = new ArrayList<>(parts);
        all.add(0, total);
        String missing = missing(stats, all);
        if (!missing.isEmpty()) {
            problems.add(rule + "alagg:stats --json lacks " + missing);
            return;
        }
        long sum = parts.stream().mapToLong(stats::get).sum();
        if (stats.get(total) != sum) {
            problems.add(rule + total + " " + stats.get(total) + " != "
                    + parts.stream().map(p -> p + " " + stats.get(p)).collect(Collectors.joining(" + ")) + " = " + sum
                    + " (off by " + (stats.get(total) - sum) + ")");
        }
    }

    private static String missing(Map<String, Long> stats, List<String> names) {
        return names.stream().filter(n -> !stats.containsKey(n)).collect(Collectors.joining(", "));
    }

    private static String summary(Instance.Counters counters) {
        Map<String, Long> s = counters.stats();
        String links = counters.links().values().stream()
                .map(l -> l.link() + " sent " + l.counter("frames_sent") + ", received " + l.counter("frames_received")
                        + ", refused " + (l.counter("refused_queue_full") + l.counter("refused_too_big")
                        + l.counter("refused_down") + l.counter("refused_other")))
                .collect(Collectors.joining("; "));
        return "captured " + s.get("captured") + " = " + EGRESS.stream().map(p -> p + " " + s.get(p)).collect(Collectors.joining(" + "))
                + "; received " + s.get("received") + " = " + INGRESS.stream().map(p -> p + " " + s.get(p)).collect(Collectors.joining(" + "))
                + "; " + links;
    }
}
