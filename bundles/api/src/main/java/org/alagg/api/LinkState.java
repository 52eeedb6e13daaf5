package org.alagg.api;

/** Whether a link can carry frames. */
public enum LinkState {
    /** Frames pass. */
    UP,
    /** The link cannot carry frames now (interface missing or down, peer silent); it is retried. */
    DOWN
}
