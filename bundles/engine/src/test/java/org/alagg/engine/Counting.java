package org.alagg.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

/** The conservation rules of the counters (README, "What the counters mean"), checked on a quiet data path. */
final class Counting {
    private Counting() {
    }

    /**
     * Checks the rules, again for up to 2 s while they do not hold: probes keep arriving, and a reader may see a peer's
     * counters and its links' from two different turns. A rule that is broken stays broken.
     */
    static void assertConserved(DataPath path) throws InterruptedException {
        Thread.sleep(250); // a turn or two: everything published
        for (int attempt = 0; ; attempt++) {
            try {
                check(path);
                return;
            } catch (AssertionError e) {
                if (attempt == 100) {
                    throw e;
                }
                Thread.sleep(20);
            }
        }
    }

    private static void check(DataPath path) {
        Map<String, Long> out = path.sendTotals();
        assertEquals(out.get("captured"), out.get("sent") + out.get("unsent") + out.get("too_big") + out.get("refused")
                + out.get("no_peer"), "captured = sent + unsent + too_big + refused + no_peer: " + out);
        for (Peer peer : path.peers) { // and each peer's own: what it received came on its links
            Map<String, Long> own = peer.receive.counters.snapshot();
            long onItsLinks = 0;
            for (OpenLink link : peer.links) {
                onItsLinks += link.received.snapshot().get("frames_received");
            }
            assertEquals(own.get("received"), onItsLinks, peer + ": received = its links' frames_received: " + own);
        }
        Map<String, Long> in = path.receiveTotals();
        long parts = 0;
        for (String name : new String[] {"unknown_source", "tagless", "auth_missing", "auth_failed", "probes",
                "stale_epoch", "epoch_unconfirmed", "discarded", "rogue", "overflow", "passed", "source_not_allowed", "late",
                "held"}) {
            parts += in.get(name);
        }
        // a PARITY frame ends in fec_parity_received; a packet FEC repaired ends in one of the parts as a received one
        assertEquals(in.get("received") + in.get("fec_repaired"), parts + in.get("fec_parity_received"),
                "received + fec_repaired = unknown_source + tagless + auth_missing + auth_failed + probes + stale_epoch"
                + " + epoch_unconfirmed + discarded + rogue + overflow + passed + source_not_allowed + late + held"
                + " + fec_parity_received: " + in);
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
