package org.alagg.api;

/** Whether a link can carry frames, as its transport and the health probes say (docs/link-health.md). */
public enum LinkState {
    /** Frames pass both ways, with loss and round-trip time within the thresholds. */
    UP,
    /** The link cannot carry frames now (interface missing or down, peer silent, one direction lost); it is retried. */
    DOWN,
    /**
     * Frames pass, but the recent loss (either direction) or the round-trip time is above its threshold. A redundant
     * scheduler keeps sending on it (a copy costs nothing to the stream); a scheduler that spreads packets should not.
     *
     * @since 2.2
     */
    DEGRADED
}
