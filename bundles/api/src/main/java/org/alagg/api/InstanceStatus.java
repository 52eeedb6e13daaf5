package org.alagg.api;

import java.util.List;
import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

/** What a running Alagg instance is doing, registered by the engine for commands and monitoring. */
@ProviderType
public interface InstanceStatus {
    /** The instance name (config key {@code instance}). */
    String instance();

    /** The capture mode: configured, active, installed. */
    Selection interceptor();

    /** The reordering strategy: configured, active, installed. */
    Selection strategy();

    /** Every configured peer, by name. @since 2.3 */
    default List<PeerStatus> peers() {
        return List.of();
    }

    /** Every configured link, by peer and interface name. */
    List<LinkStatus> links();

    /** Totals over all peers, by the IEEE 802.1CB names (passed, discarded, out_of_order, lost, rogue, ...). */
    Map<String, Long> counters();

    /**
     * Whether the data path forwards: the capture mode's interceptor is open and at least one configured link is open
     * (up or not: a link whose peer is silent still carries what the peer sends; a link that cannot open, its interface
     * missing, does not hold the others back). What a service manager is told as readiness. @since 2.5
     */
    default boolean forwarding() {
        return false;
    }

    /** The engine's hot threads (egress, ingress): liveness for a watchdog. @since 2.0 */
    List<HotThread> threads();

    /** Conditions an operator should know about, e.g. a configured strategy that is not installed. */
    List<String> warnings();

    /** The last events (link state changes, alarms, peer restarts), oldest first. @since 2.2 */
    default List<Event> events() {
        return List.of();
    }
}
