package org.alagg.api;

import java.util.Map;

/**
 * A snapshot of one link as the engine sees it, for status commands and monitoring.
 *
 * @param link the local interface
 * @param peer the peer's MAC address on it
 * @param state whether frames pass
 * @param detail why the link is in its state, for people; empty when nothing needs saying
 * @param origin where the link's configuration came from (file and line, or command)
 * @param counters counters by name (frames_sent, bytes_sent, frames_received, bytes_received, duplicates,
 *        lost, last_received_ms, ...); a name may be missing when the value is not known
 */
public record LinkStatus(String link, MacAddress peer, LinkState state, String detail, String origin,
                         Map<String, Long> counters) {
    public LinkStatus {
        counters = Map.copyOf(counters);
    }
}
