package org.alagg.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

/** The conservation rules of the counters (README, "What the counters mean"), checked on a quiet data path. */
final class Counting {
    private Counting() {
    }

    static void assertConserved(DataPath path) throws InterruptedException {
        Thread.sleep(250); // a turn or two: everything published
        Map<String, Long> out = path.egress.counters.snapshot();
        assertEquals(out.get("captured"), out.get("sent") + out.get("unsent") + out.get("too_big") + out.get("refused"),
                "captured = sent + unsent + too_big + refused: " + out);
        Map<String, Long> in = path.ingress.counters.snapshot();
        long parts = 0;
        for (String name : new String[] {"unknown_source", "tagless", "auth_missing", "auth_failed", "probes",
                "stale_epoch", "epoch_unconfirmed", "discarded", "rogue", "overflow", "passed", "source_not_allowed", "late",
                "held"}) {
            parts += in.get(name);
        }
        assertEquals(in.get("received"), parts, "received = unknown_source + tagless + auth_missing + auth_failed + "
                + "probes + stale_epoch + epoch_unconfirmed + discarded + rogue + overflow + passed + source_not_allowed "
                + "+ late + held: " + in);
        long malformed = in.entrySet().stream().filter(e -> e.getKey().startsWith("malformed_"))
                .mapToLong(Map.Entry::getValue).sum();
        assertEquals(in.get("tagless"), malformed, "tagless = the malformed_* counters: " + in);
        long perLink = 0;
        for (OpenLink link : path.links) {
            if (link != null) {
                perLink += link.received.snapshot().get("frames_received");
            }
        }
        assertEquals(in.get("received") - in.get("unknown_source"), perLink,
                "the links' frames_received = received - unknown_source: " + in);
    }
}
