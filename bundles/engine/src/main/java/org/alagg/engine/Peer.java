package org.alagg.engine;

import org.alagg.api.ReorderSettings;
import org.alagg.api.LinkScheduler;
import org.alagg.api.ReorderStrategyFactory;

/**
 * One remote peer: its links, what this side trusts of it, and its two halves of state, one per hot thread: what the
 * egress thread keeps to send to it ({@link PeerSend}: its epoch, sequence numbers, key) and what the ingress thread
 * keeps of what it sends ({@link PeerReceive}: its epoch, duplicate window, reordering). Nothing one peer does reaches
 * another's state.
 *
 * <p>The engine sets the volatile fields when the configuration or the plugins change; each hot thread follows a change
 * at its next use of the peer, as it does for the data path's own parts ({@link DataPath}).
 */
final class Peer {
    final String name;
    /** The keys it authenticates with and this side accepts. */
    volatile Trust trust = Trust.NONE;
    /** Its reordering strategy; null: duplicate discard only. */
    volatile ReorderStrategyFactory strategy;
    /** Null: the engine's own choice, every link that is up. */
    volatile LinkScheduler scheduler;
    volatile Reordering reordering;
    /** Whether the control thread sizes the reordering timeout from the links ({@link ReorderTimeout}). */
    volatile boolean reorderTimeoutAuto;
    /** The reordering settings with the timeout in effect; null: {@link #reordering}'s, as configured. */
    volatile ReorderSettings timing;
    /** Forward error correction as configured. */
    volatile FecSettings fecConfigured = FecSettings.OFF;
    /** Forward error correction in effect: as configured, or with the k:m auto chose ({@link FecAuto}). */
    volatile FecSettings fec = FecSettings.OFF;
    /** Its open links, a subset of {@link DataPath#links}; replaced whole with it. */
    volatile OpenLink[] links = new OpenLink[0];
    final PeerSend send;
    final PeerReceive receive;

    Peer(String name, Reordering reordering, DataPath path) {
        this(name, reordering, path, new Counters(Egress.COUNTERS), new Counters(Ingress.COUNTERS));
    }

    /**
     * A peer that goes on counting where an earlier one of the same name stopped (removed and configured again).
     */
    Peer(String name, Reordering reordering, DataPath path, Counters sent, Counters received) {
        this.name = name;
        this.reordering = reordering;
        this.send = new PeerSend(sent);
        this.receive = new PeerReceive(this, path, received);
    }

    @Override
    public String toString() {
        return "peer " + name;
    }
}
