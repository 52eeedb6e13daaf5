package org.alagg.api;

import java.util.Map;

/**
 * A snapshot of one link as the engine sees it, for status commands and monitoring.
 *
 * @param link the local interface
 * @param peer the peer's MAC address on it
 * @param state whether frames pass: the transport has the link up and, since 2.1, the probes say frames pass both ways
 * @param detail why the link is in its state, for people; empty when nothing needs saying
 * @param origin where the link's configuration came from (file and line, or command)
 * @param counters counters by name (frames_sent, bytes_sent, frames_received, bytes_received, duplicates,
 *        lost, last_received_ms, ...); a name may be missing when the value is not known. Since 2.1 also the
 *        probes' figures: state_since_ms (Unix time of the last state change), state_changes, health_probes_sent,
 *        probes_answered, rtt_us and rtt_var_us (smoothed as RFC 6298 does), rtt_p50_us and rtt_p99_us (of the
 *        last 64 probes), frames_sequenced, peer_received and peer_lost (the peer's reports), loss_to_peer_ppm and
 *        loss_from_peer_ppm (in total), recent_loss_to_peer_ppm and recent_loss_from_peer_ppm (the last 2 s), in
 *        parts per million
 * @param peerName the name of the peer the link leads to (since 2.3)
 */
public record LinkStatus(String link, MacAddress peer, LinkState state, String detail, String origin,
                         Map<String, Long> counters, String peerName) {
    public LinkStatus {
        counters = Map.copyOf(counters);
    }

    /** A link of the {@link Alagg#DEFAULT_PEER}. */
    public LinkStatus(String link, MacAddress peer, LinkState state, String detail, String origin,
                      Map<String, Long> counters) {
        this(link, peer, state, detail, origin, counters, Alagg.DEFAULT_PEER);
    }
}
