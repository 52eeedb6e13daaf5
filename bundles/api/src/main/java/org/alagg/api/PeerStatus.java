package org.alagg.api;

import java.util.List;
import java.util.Map;

/**
 * A snapshot of one peer as the engine sees it, for status commands and monitoring.
 *
 * @param name the peer's name ({@link Alagg#DEFAULT_PEER} for the single-peer form)
 * @param state UP when every one of its links carries data, DEGRADED when some do, DOWN when none does
 * @param detail why, for people (links down, no epoch of the peer confirmed yet, a configuration refused); empty
 *        when nothing needs saying
 * @param links the local interfaces of its links
 * @param allowed the inner networks behind it; empty: what no other peer's networks hold
 * @param origin where its configuration came from (file, or command)
 * @param counters its own counters by name: what its frames did on receive (passed, discarded, lost, ..., the
 *        same names as {@link InstanceStatus#counters()}'s) and what its packets did on send (sent, unsent,
 *        too_big, refused)
 * @since 2.3
 */
public record PeerStatus(String name, LinkState state, String detail, List<String> links, List<IpNetwork> allowed,
                         String origin, Map<String, Long> counters) {
    public PeerStatus {
        links = List.copyOf(links);
        allowed = List.copyOf(allowed);
        counters = Map.copyOf(counters);
    }
}
