package org.alagg.api;

import org.osgi.annotation.versioning.ProviderType;

/**
 * What the health probes say about each link now, for a {@link LinkScheduler}: read on the egress thread while it
 * chooses, without locks or allocation. Links are named by their ids ({@link Link#id()}); for an id that is not an
 * open link, {@link #state} is {@link LinkState#DOWN} and the figures are unknown (-1).
 *
 * @since 2.2
 */
@ProviderType
public interface LinkConditions {
    /** The link's state: {@link LinkState#UP}, {@link LinkState#DEGRADED} or {@link LinkState#DOWN}. */
    LinkState state(int link);

    /** The smoothed round-trip time of the link's probes (RFC 6298), in nanoseconds; -1 before the first reply. */
    long rttNanos(int link);

    /** The loss of the frames this side sent on the link over the last 2 s, as the peer reports it, in parts per million; -1 when unknown. */
    int lossToPeerPpm(int link);

    /** The loss of the frames the peer sent on the link over the last 2 s, by link sequence, in parts per million; -1 when unknown. */
    int lossFromPeerPpm(int link);

    /**
     * When the link's state last changed, on the {@link System#nanoTime()} scale: a scheduler that hands traffic back to
     * a link once it has stayed {@link LinkState#UP} for a while reads it here, whether or not it was called meanwhile.
     *
     * @since 2.5
     */
    long stateSinceNanos(int link);

    /**
     * The link's weight as configured ({@code link.<interface> = MAC weight=N}): its share of the traffic a weighted
     * scheduler spreads, relative to the peer's other links; 0 when not configured (the scheduler estimates it).
     *
     * @since 2.5
     */
    int weight(int link);

    /**
     * The link's tier as configured ({@code tier=N}): 0, the default, is the first choice, 1 is used when no link of
     * tier 0 is up, and so on.
     *
     * @since 2.5
     */
    int tier(int link);
}
