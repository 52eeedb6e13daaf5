package org.alagg.engine;

import java.util.List;

import org.alagg.api.Link;
import org.alagg.api.LinkState;
import org.alagg.protocol.Sequence;

/**
 * A link the transport has opened, to one peer, with what each hot thread keeps about it: the egress thread numbers
 * and counts what it sends, the ingress thread counts what arrives and what the per-link sequence says
 * was lost on the way.
 */
final class OpenLink {
    static final List<String> SENT = List.of("frames_sent", "bytes_sent", "refused_queue_full", "refused_too_big",
            "refused_down", "refused_other", "probes_sent", "health_probes_sent");
    static final List<String> RECEIVED = List.of("frames_received", "bytes_received", "duplicates", "lost",
            "last_received_ns", "frames_sequenced", "probes_answered", "peer_received", "peer_lost", "data_received");
    static final int FRAMES_SENT = 0;
    static final int BYTES_SENT = 1;
    static final int REFUSED_QUEUE_FULL = 2;
    static final int REFUSED_TOO_BIG = 3;
    static final int REFUSED_DOWN = 4;
    static final int REFUSED_OTHER = 5;
    /** Of {@code frames_sent}: probes and probe replies. */
    static final int PROBES_SENT = 6;
    /** Of {@code probes_sent}: this side's health probes (the others are challenges and replies). */
    static final int HEALTH_PROBES_SENT = 7;
    private static final int EAGAIN = 11;
    private static final int ENXIO = 6;
    private static final int EMSGSIZE = 90;
    private static final int ENETDOWN = 100;
    private static final int ENOBUFS = 105;
    static final int FRAMES_RECEIVED = 0;
    static final int BYTES_RECEIVED = 1;
    static final int DUPLICATES = 2;
    static final int LOST = 3;
    static final int LAST_RECEIVED = 4;
    /** Frames of the peer's current epoch followed by their link sequence: with {@link #LOST}, the loss from the peer. */
    static final int FRAMES_SEQUENCED = 5;
    /** Replies to this side's health probes. */
    static final int PROBES_ANSWERED = 6;
    /** What the peer's reports say it received of this side's frames on the link, and found lost by link sequence. */
    static final int PEER_RECEIVED = 7;
    static final int PEER_LOST = 8;
    /** DATA frames of the peer's current epoch that reached duplicate discard: what the link gave the stream. */
    static final int DATA_RECEIVED = 9;

    final Link link;
    /** The peer the link leads to: its frames go to this peer's receive state, and it sends this peer's packets. */
    final Peer peer;
    /** The peer's address on the link and this side's, as frames are authenticated between them. */
    final long peerMac;
    /** Updated by the engine's control thread when the interface's address changes; 0 while unknown. */
    volatile long localMac;
    final Counters sent;
    final Counters received;
    /** The probes' view: state, round-trip time, the peer's reports. */
    final LinkHealth health = new LinkHealth(System.nanoTime());
    /** The control thread's view: recent loss, DEGRADED, latent errors. */
    final LinkQuality quality = new LinkQuality();
    /** Control thread only: the state changes already logged, and whether an MTU mismatch was told. */
    long changesLogged;
    boolean mtuMismatchTold;
    /** Ingress thread only: the Link id the peer gives this link in its frames; -1 until an authentic frame came. */
    int peerLinkId = -1;

    /** The configured weight (0: estimated) and tier, for the schedulers ({@link org.alagg.api.LinkConditions}). */
    volatile int weight;
    volatile int tier;

    /**
     * Ingress thread only: the link gave the stream every DATA frame of the peer's current epoch it carried before this
     * number, once {@link #passedKnown} (a link delivers in order: see {@code PeerReceive.lostBefore}).
     */
    int passedSequence;
    boolean passedKnown;
    /** Ingress thread only: when a frame last came behind the link's own sequence (the link reorders); 0: never. */
    long reorderedNanos;

    /** Egress thread only: the next per-link sequence number. */
    int nextLinkSequence;
    /** Egress thread only: frames were counted in {@link #sent} since it was last published. */
    boolean sentTouched;
    /** Ingress thread only: the per-link sequence number expected next from the peer, once one arrived. */
    int expectedLinkSequence;
    boolean linkSequenceKnown;

    OpenLink(Link link, Peer peer) {
        this(link, peer, new Counters(SENT), new Counters(RECEIVED));
    }

    /**
     * A link that goes on counting where an earlier opening of the same link (interface and peer) stopped: a
     * transport restart or an EtherType change closes and reopens links, and their counters must not restart.
     */
    OpenLink(Link link, Peer peer, Counters sent, Counters received) {
        this.link = link;
        this.peer = peer;
        this.sent = sent;
        this.received = received;
        this.peerMac = link.peer().toLong();
        followLocalAddress();
    }

    /** Control thread: takes this side's address on the link as the transport sees it now. */
    void followLocalAddress() {
        org.alagg.api.MacAddress local = link.local();
        long mac = local == null ? 0 : local.toLong();
        if (mac != localMac) {
            localMac = mac;
        }
    }

    int id() {
        return link.id();
    }

    /** Whether the link carries data: the transport has it up and the probes say frames pass (egress's last look). */
    boolean isUp() {
        return health.up && transportUp();
    }

    /** UP, DEGRADED (it carries data, but badly) or DOWN. */
    LinkState state() {
        return !isUp() ? LinkState.DOWN : quality.degraded ? LinkState.DEGRADED : LinkState.UP;
    }

    /** When the state last changed (System.nanoTime()): the later of the probes' and the quality's changes while up. */
    long stateSinceNanos() {
        long since = health.sinceNanos;
        long changed = quality.changedNanos;
        return isUp() && changed != 0 && changed - since > 0 ? changed : since;
    }

    /** Whether the transport has the link up (interface, carrier), whatever the probes say. */
    boolean transportUp() {
        return link.state() == LinkState.UP;
    }

    /** Egress thread only: counts a frame the transport did not send, by why ({@link org.alagg.api.PacketBatch#refuse}). */
    void refused(int errno) {
        switch (errno) {
            case EAGAIN, ENOBUFS -> sent.add(REFUSED_QUEUE_FULL, 1);
            case EMSGSIZE -> sent.add(REFUSED_TOO_BIG, 1);
            case ENETDOWN, ENXIO -> sent.add(REFUSED_DOWN, 1);
            default -> sent.add(REFUSED_OTHER, 1);
        }
    }

    /** Whether the socket's own buffer refused the frame (EAGAIN): it never reached the interface. */
    static boolean socketFull(int errno) {
        return errno == EAGAIN;
    }

    /** Whether the kernel refused a frame because the link's queue is full (it may take the next one). */
    static boolean queueFull(int errno) {
        return errno == EAGAIN || errno == ENOBUFS;
    }

    /** Ingress thread only: counts a frame's arrival, whatever it holds. */
    void arrived(int bytes) {
        received.add(FRAMES_RECEIVED, 1);
        received.add(BYTES_RECEIVED, bytes);
    }

    /** Ingress thread only: the link is alive, as a well-formed (and, with a key, authentic) frame shows. */
    void heard(long nowNanos, int peerLinkId) {
        received.set(LAST_RECEIVED, nowNanos);
        health.heard(nowNanos);
        if (peerLinkId != this.peerLinkId) {
            linkSequenceKnown = false; // the peer opened its end anew: its link sequence starts again
        }
        this.peerLinkId = peerLinkId;
    }

    /**
     * Ingress thread only: follows a valid frame's per-link sequence, counting the frames it says went missing. Returns
     * false for a frame behind the sequence (the link delivered it out of order), true for the others, the last
     * number repeated included (docs/protocol.md section 3: an MTU probe's padded echo carries its predecessor's).
     */
    boolean sequenced(int linkSequence) {
        if (linkSequenceKnown) {
            int gap = Sequence.distance(expectedLinkSequence, linkSequence);
            if (gap > 0) {
                received.add(LOST, gap);
            } else if (gap == -1) {
                return true; // the last number again: a probe padded to the MTU repeats the frame before it
            } else if (gap < 0) {
                return false; // reordered within the link: already counted lost, keep the expectation
            }
        }
        received.add(FRAMES_SEQUENCED, 1);
        linkSequenceKnown = true;
        expectedLinkSequence = linkSequence + 1;
        return true;
    }
}
