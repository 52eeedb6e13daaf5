package org.alagg.engine;

import java.security.SecureRandom;

import org.alagg.protocol.FrameAuth;

/**
 * What the egress thread keeps for one peer: the epoch and the global sequence of the frames it sends the peer, the
 * key it signs them with, and which of the peer's links are up for the batch being sent. Egress thread only, except
 * {@link #epoch} (read by status) and the published counters.
 */
final class PeerSend {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** This side's epoch towards the peer: random per run, so the peer recognises a restart; only the egress thread changes it. */
    volatile int epoch = RANDOM.nextInt();
    /** Never restarts within an epoch, whatever is swapped. Package-private for tests of the epoch's end. */
    int nextSequence;
    /** What {@link #auth} was made from; null: nothing yet. Volatile for tests, written only on a change. */
    volatile Trust trust;
    /** The authenticator of the key frames are sent with; null: no key. */
    FrameAuth auth;
    /** captured (routed to this peer) = sent + unsent + too_big + refused. */
    final Counters counters;
    /** The peer's links up for the batch {@link #batch}, in {@code up[0 .. upCount)}. */
    final int[] up = new int[DataPath.MAX_LINKS];
    int upCount;
    long batch = -1;
    /** The open FEC group; null until FEC is first on for the peer. */
    FecEncoder fec;

    PeerSend(Counters counters) {
        this.counters = counters;
    }

    /** Makes the authenticator when the configured keys changed (allocates: only on a change). */
    void followTrust(Trust wanted) {
        if (wanted != trust) {
            auth = wanted.authenticates() ? new FrameAuth(wanted.key()) : null;
            trust = wanted;
        }
    }

    /** Makes the FEC group state the first time FEC is on (allocates: only then). */
    void followFec(FecSettings wanted) {
        if (wanted.on() && fec == null) {
            fec = new FecEncoder();
        }
    }

    int tagLength() {
        return auth == null ? 0 : FrameAuth.TAG_LENGTH;
    }
}
