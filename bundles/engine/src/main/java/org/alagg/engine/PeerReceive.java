package org.alagg.engine;

import java.nio.ByteBuffer;

import org.alagg.api.ReorderOutput;
import org.alagg.api.ReorderSettings;
import org.alagg.api.ReorderStrategy;
import org.alagg.api.ReorderStrategyFactory;
import org.alagg.api.Alagg;
import org.alagg.protocol.FecCode;
import org.alagg.protocol.FrameAuth;
import org.alagg.protocol.FrameCodec;
import org.alagg.protocol.FrameHeader;
import org.alagg.protocol.FrameType;
import org.alagg.protocol.Parity;
import org.alagg.protocol.ProbeBody;
import org.alagg.protocol.ProbeReport;
import org.alagg.protocol.Reject;
import org.alagg.protocol.Sequence;

/**
 * What the ingress thread keeps of one peer's frames: the peer's epoch, the duplicate window, the reordering strategy
 * and its packet pool, the delivery cursor, the keys and the counters. Frames of the peer's links come here after the
 * link told whose they are ({@link Ingress}); they go through the receiver rules of docs/protocol.md section 6 in
 * their order: nothing changes any state before its tag is verified (with a key); the peer's epoch changes only when
 * the peer answers a challenge ({@link PeerEpoch}); a frame far outside the duplicate window never moves it
 * ({@link DuplicateDiscard}); a packet from a source that does not lead back to this peer ({@link AllowedNetworks})
 * keeps its place in the sequence and is then dropped.
 *
 * <p>The delivery cursor is the sequence number after the last one delivered or given up. A strategy that
 * replaces another (a swap, new settings) starts there ({@link ReorderStrategyFactory#create}), so no number the
 * old one already released is waited for again. A strategy that throws is dropped: the packets it held are
 * recovered from the pool and delivered in sequence order, and the peer's stream goes on in arrival order.
 *
 * <p>Every frame of the peer's links ends up in exactly one counter, and so does every packet forward error correction
 * rebuilt ({@link FecRepair}): {@code received + fec_repaired = tagless + auth_missing + auth_failed + probes
 * + stale_epoch + epoch_unconfirmed + discarded + rogue + overflow + passed + source_not_allowed + late + held
 * + fec_parity_received}. Ingress thread only, except the published counters and {@link #peerEpoch}.
 */
final class PeerReceive implements ReorderOutput {
    private static final String ARRIVAL_ORDER_FALLBACK = "what it held was delivered in order; packets go in arrival "
            + "order (duplicates discarded) until it is installed or selected again";

    private final Peer peer;
    private final DataPath path;
    final Counters counters;
    /** Counted or changed in this turn: published at its end. */
    boolean touched = true;
    /** The duplicate history's resets already added to {@code resets} (the counters outlive this object). */
    private long resetsCounted;
    /**
     * A peer that sends nothing is asked for its epoch ever less often, up to {@value #MAX_SILENT_CHALLENGE_MS} ms
     * apart: a configured peer that is down (or does not exist) costs a challenge every few seconds, not ten a second.
     * Any frame of it asks again at once (and resets the interval).
     */
    static final long MAX_SILENT_CHALLENGE_MS = 3200;
    private long silentInterval = PeerEpoch.CHALLENGE_INTERVAL_NANOS;
    private long nextSilentChallenge;
    private boolean heardSinceChallenge;
    /** How many heard lists arrived: each list's number. */
    private long heardLists;
    /** Another epoch answered while the current one was alive: challenges go on until the answers agree. */
    private boolean conflict;
    /** When a frame of the peer's current epoch last arrived. */
    private long currentHeardNanos;
    private final DuplicateDiscard history = new DuplicateDiscard(Ingress.HISTORY, Ingress.RESET_NANOS);
    private final PacketPool.Reclaimer recover = this::recovered;
    private final PeerEpoch epochs = new PeerEpoch();
    /** The peer's confirmed epoch, for status and tests. */
    volatile int peerEpoch;
    volatile boolean peerEpochKnown;

    /** What {@link #keys} were made from; null: nothing yet. Volatile for tests, written only on a change. */
    volatile Trust trust;
    /** The key, then the key to accept; empty without a key. */
    private FrameAuth[] keys = new FrameAuth[0];
    /** Digests of the payloads verified lately: a packet's further copies are checked against them. */
    private VerifiedDigests verified;
    /** The frame being accepted passed {@link #authentic} on its header alone (a further copy): not yet its payload. */
    private boolean payloadUnchecked;
    /** The key that verified the frame being accepted. */
    private FrameAuth verifiedBy;
    /** A packet's source address, read for the allowed-networks check. */
    private final byte[] source = new byte[16];

    private Reordering reordering;
    /** The factory selected; {@link #strategy} is made from it, lazily, once the start of the sequence is known. */
    private ReorderStrategyFactory strategyFactory;
    private ReorderStrategy strategy;
    /** The number after the last one delivered or given up, once one was. */
    private boolean cursorKnown;
    private int cursor;
    /** The last horizon given to the strategy ({@link #lostBefore(long)}), once one was. */
    private boolean horizonKnown;
    private int horizon;
    /** The settings the strategy was last given ({@link #timing()}). */
    private ReorderSettings timing;
    /** The timeout the strategy works with: the one it was made with, or the last it followed. */
    private long timeoutInEffect;
    /** Whether the frame being accepted came in its link's own order (a frame behind it moves no link's number). */
    private boolean inLinkOrder;
    /** The peer's FEC groups; null until its first PARITY frame. */
    private FecRepair fec;
    private final FecRepair.Repaired repaired = this::repaired;
    private long repairNow;
    /** How long a link that delivered a frame out of its own order stops gaps being given up before the timeout. */
    static final long REORDERING_LINK_MS = 10_000;

    PeerReceive(Peer peer, DataPath path, Counters counters) {
        this.peer = peer;
        this.path = path;
        this.counters = counters;
    }

    /** The turn's start: follows the configuration, and asks the peer for its epoch while none is confirmed. */
    void follow(long now) {
        followTrust();
        followStrategy();
        if ((!epochs.known() || conflict) && now - nextSilentChallenge >= 0 && path.control.space() >= peer.links.length
                && epochs.challengeDue(now)) {
            challenge(); // no epoch of the peer confirmed yet (or two answered): ask now, not only when a frame comes
            silentInterval = heardSinceChallenge ? PeerEpoch.CHALLENGE_INTERVAL_NANOS
                    : Math.min(2 * silentInterval, MAX_SILENT_CHALLENGE_MS * 1_000_000);
            heardSinceChallenge = false;
            nextSilentChallenge = now + silentInterval;
        }
    }

    /** Makes the authenticators when the configuration changed (allocates: only then). */
    private void followTrust() {
        Trust wanted = peer.trust;
        if (wanted != trust) {
            keys = !wanted.authenticates() ? new FrameAuth[0]
                    : wanted.acceptKey() == null ? new FrameAuth[] {new FrameAuth(wanted.key())}
                    : new FrameAuth[] {new FrameAuth(wanted.key()), new FrameAuth(wanted.acceptKey())};
            if (wanted.authenticates() && verified == null) {
                verified = new VerifiedDigests();
            } else if (verified != null) {
                verified.clear();
            }
            history.takeBehindWhenStale(!wanted.authenticates());
            trust = wanted;
        }
    }

    /** Picks up a strategy swap or new settings: the old strategy hands over what it holds, in order, first. */
    private void followStrategy() {
        ReorderStrategyFactory wanted = peer.strategy;
        Reordering wantedReordering = peer.reordering;
        if (wanted != strategyFactory || wantedReordering != reordering) {
            handOver();
            strategyFactory = wanted;
            reordering = wantedReordering; // the old pool is empty now
            history.ahead(Math.max(Ingress.MIN_AHEAD, reordering.settings().window()));
        }
        if (strategy == null && cursorKnown) {
            createStrategy(cursor);
        }
        ReorderSettings wantedTiming = timing();
        if (wantedTiming != timing) {
            timing = wantedTiming;
            touched = true;
            if (strategy != null) {
                try {
                    if (strategy.adjust(timing)) { // one that does not follow keeps the timeout it was made with
                        timeoutInEffect = timing.timeoutNanos();
                    }
                } catch (Throwable e) {
                    strategyFailed("adjust", e);
                }
            }
        }
    }

    /** The settings with the timeout the engine wants now: sized from the links while the peer's timeout is auto. */
    private ReorderSettings timing() {
        ReorderSettings t = peer.timing;
        return t != null && peer.reorderTimeoutAuto && t.window() == reordering.settings().window() ? t
                : reordering.settings();
    }

    /** The links' numbers belong to a stream that ended (a new epoch, a jump): none is known of the new one. */
    private void forgetPassed() {
        horizonKnown = false;
        if (fec != null) {
            fec.reset();
        }
        for (OpenLink l : peer.links) {
            l.passedKnown = false;
        }
    }

    /** Makes the selected strategy, starting at {@code next}, unless none is selected or it failed. */
    private void createStrategy(int next) {
        ReorderStrategyFactory factory = strategyFactory;
        if (factory == null || path.faults.failed(factory)) {
            return;
        }
        try {
            strategy = factory.create(timing(), next);
            if (strategy == null) {
                throw new NullPointerException("create returned null");
            }
            timeoutInEffect = timing().timeoutNanos();
            horizonKnown = false; // the new strategy is told the horizon at the next frame
        } catch (Throwable e) {
            strategy = null;
            path.faults.report(factory, "create", e, ARRIVAL_ORDER_FALLBACK);
        }
    }

    /** The strategy releases everything it holds, in order; whatever it kept is recovered from the pool. */
    void handOver() {
        if (strategy != null) {
            try {
                strategy.drain(this);
            } catch (Throwable e) {
                path.faults.report(strategyFactory, "drain", e, ARRIVAL_ORDER_FALLBACK);
            }
            strategy = null;
        }
        recoverHeld();
        touched = true;
    }

    private void strategyFailed(String during, Throwable e) {
        path.faults.report(strategyFactory, during, e, ARRIVAL_ORDER_FALLBACK);
        strategy = null;
        recoverHeld();
    }

    /** Delivers what the pool still holds in sequence order; what is behind the cursor is late. */
    private void recoverHeld() {
        if (reordering != null && reordering.pool().held() > 0) {
            reordering.pool().reclaim(recover);
        }
    }

    private void recovered(int sequence, int handle) {
        if (!cursorKnown || Sequence.distance(cursor, sequence) >= 0) {
            deliver(sequence, handle);
        } else {
            late(sequence, handle);
        }
    }

    /** When the strategy wants {@link #expire} called; {@link Long#MAX_VALUE}: never. */
    long deadline() {
        if (strategy == null) {
            return Long.MAX_VALUE;
        }
        try {
            return strategy.deadline();
        } catch (Throwable e) {
            strategyFailed("deadline", e);
            return Long.MAX_VALUE;
        }
    }

    /** Gives the strategy its timeout: the deadline passed. */
    void expire(long now) {
        touched = true;
        try {
            strategy.expire(now, this);
        } catch (Throwable e) {
            strategyFailed("expire", e);
        }
    }

    /**
     * Takes a frame that arrived on one of the peer's links.
     *
     * @param header where to decode the frame's header (the ingress thread's own)
     */
    void accept(ByteBuffer frame, int length, OpenLink link, FrameHeader header, long now) {
        touched = true;
        counters.add(Ingress.RECEIVED, 1);
        link.arrived(length);
        Reject reject = FrameCodec.decode(frame, 0, length, header);
        if (reject != Reject.NONE) {
            counters.add(Ingress.TAGLESS, 1);
            counters.add(Ingress.FIRST_REJECT + reject.ordinal() - 1, 1);
            return;
        }
        payloadUnchecked = false;
        if (keys.length > 0 && !authentic(frame, link, header)) {
            return;
        }
        PeerEpoch.Verdict epoch = epochs.judge(header.epoch(), keys.length > 0);
        if (epoch == PeerEpoch.Verdict.NEXT) {
            adopt(header.epoch(), 0, true, now); // the peer's sequence reached its end: no round trip needed
            epoch = PeerEpoch.Verdict.CURRENT;
        }
        link.heard(now, header.linkId());
        if (!heardSinceChallenge) {
            heardSinceChallenge = true;
            nextSilentChallenge = now; // the peer is there: ask at the pace of its frames again
        }
        if (epoch == PeerEpoch.Verdict.CURRENT) {
            inLinkOrder = link.sequenced(header.linkSequence());
            if (!inLinkOrder) {
                link.reorderedNanos = now;
            }
            currentHeardNanos = now;
            if (header.frameType() != FrameType.DATA) {
                passed(link, header.globalSequence()); // the number the peer gives its next DATA frame
            }
        }
        if (header.frameType() == FrameType.PARITY) {
            if (epoch != PeerEpoch.Verdict.CURRENT) {
                counters.add(epoch == PeerEpoch.Verdict.STALE ? Ingress.STALE_EPOCH : Ingress.EPOCH_UNCONFIRMED, 1);
                if (path.control.space() >= peer.links.length && epochs.challengeDue(now)) {
                    challenge();
                }
                return;
            }
            parity(frame, link, header, now);
            lostBefore(now);
            return;
        }
        if (header.frameType() != FrameType.DATA) {
            counters.add(Ingress.PROBES, 1);
            if (header.frameType() == FrameType.PROBE_REPLY && epochs.answers(frame, FrameCodec.HEADER_LENGTH,
                    header.innerLength(), now)) {
                if (epoch == PeerEpoch.Verdict.CURRENT || !epochs.known() || now - currentHeardNanos >= Ingress.LIVE_EPOCH_NANOS) {
                    adopt(header.epoch(), header.globalSequence(), false, now);
                } else {
                    // the current epoch is alive too: two senders answer for the peer (a second instance started on
                    // the same links, or a host that saw the challenge): the live one stays, and the question is
                    // asked again until one of them falls silent
                    counters.add(Ingress.EPOCH_CONFLICTS, 1);
                    conflict = true;
                }
                return;
            }
        }
        if (epoch != PeerEpoch.Verdict.CURRENT && path.control.space() >= peer.links.length && epochs.challengeDue(now)) {
            challenge(); // a stale epoch asks too: should a wrong epoch ever be current, the genuine peer corrects it
        }
        if (header.frameType() == FrameType.PROBE) {
            answer(frame, link, header, now);
            lostBefore(now);
            return;
        }
        if (header.frameType() != FrameType.DATA) { // a reply to a health probe: the round trip, the peer's report
            if (link.health.replied(frame, FrameCodec.HEADER_LENGTH, header.innerLength(), header.epoch(), now,
                    link.received)) {
                heardByPeer(frame, header, now);
            }
            lostBefore(now);
            return;
        }
        if (epoch != PeerEpoch.Verdict.CURRENT) {
            counters.add(epoch == PeerEpoch.Verdict.STALE ? Ingress.STALE_EPOCH : Ingress.EPOCH_UNCONFIRMED, 1);
            return;
        }
        data(frame, link, header, now);
        lostBefore(now);
    }

    /**
     * The link gave the stream every DATA frame it carried before {@code sequence} (a link delivers in order): a DATA
     * frame's number plus one, or the number a probe says the peer gives its next DATA frame (docs/protocol.md
     * section 3). Not from a frame the link delivered behind its own sequence; not a number beyond the duplicate
     * window's reach: it moves nothing a forged frame could not.
     */
    private void passed(OpenLink link, int sequence) {
        if (!inLinkOrder || Sequence.distance(history.highest(), sequence) > history.aheadLimit()) {
            return;
        }
        if (!link.passedKnown || Sequence.isAfter(sequence, link.passedSequence)) {
            link.passedSequence = sequence;
        }
        link.passedKnown = true;
    }

    /**
     * Tells the strategy which gaps can no longer fill: the least number every link of the peer has passed is the
     * horizon, and a gap before it is lost. A link counts while it is up or was heard within the timeout in effect (a
     * link that is DOWN and silent longer holds nothing the timeout would still wait for); a link that has passed
     * nothing of the current epoch yet, or delivered a frame out of its own order within the last
     * {@value #REORDERING_LINK_MS} ms, stops any gap being given up this way (the strategy's timeout still runs). Only
     * when the horizon moved.
     */
    private void lostBefore(long now) {
        if (strategy == null) {
            return;
        }
        long timeout = timing().timeoutNanos();
        boolean any = false;
        int horizon = 0;
        for (OpenLink l : peer.links) {
            if (!l.isUp() && now - l.health.lastHeardNanos > timeout) {
                continue;
            }
            if (!l.passedKnown || l.reorderedNanos != 0 && now - l.reorderedNanos < REORDERING_LINK_MS * 1_000_000) {
                return;
            }
            if (!any || Sequence.isAfter(horizon, l.passedSequence)) {
                horizon = l.passedSequence;
            }
            any = true;
        }
        if (any && fec != null) {
            horizon = fec.horizon(horizon, now);
        }
        if (!any || horizonKnown && !Sequence.isAfter(horizon, this.horizon)) {
            return;
        }
        this.horizon = horizon;
        horizonKnown = true;
        try {
            strategy.lostBefore(horizon, now, this);
        } catch (Throwable e) {
            strategyFailed("lostBefore", e);
        }
    }

    /** A DATA frame of the peer's current epoch: duplicate discard, then the strategy. */
    private void data(ByteBuffer frame, OpenLink link, FrameHeader header, long now) {
        int sequence = header.globalSequence();
        if (payloadUnchecked && !history.seen(sequence) && !verifiedBy.verify(frame, 0, header.innerLength(),
                link.peerMac, link.localMac)) {
            counters.add(Ingress.AUTH_FAILED, 1); // a genuine header over other bytes: the first copy did not pass
            return;
        }
        link.received.add(OpenLink.DATA_RECEIVED, 1);
        passed(link, sequence + 1);
        int protocol = header.payloadProtocol().code();
        if (take(sequence, frame, FrameCodec.HEADER_LENGTH, header.innerLength(), protocol, link, now) && fec != null
                && fec.active(now)) {
            fec.keep(sequence, frame, FrameCodec.HEADER_LENGTH, header.innerLength(), protocol);
            repair(fec.groupOf(sequence), now);
        }
    }

    /**
     * A PARITY frame of the peer's current epoch, authentic: its symbol is kept for its group, and the group repaired
     * if it can be. The link then carried everything of the group it was to carry: its horizon moves past the group.
     */
    private void parity(ByteBuffer frame, OpenLink link, FrameHeader header, long now) {
        counters.add(Ingress.FEC_PARITY_RECEIVED, 1);
        int at = FrameCodec.HEADER_LENGTH;
        int k = Parity.k(frame, at);
        int m = Parity.m(frame, at);
        int index = Parity.index(frame, at);
        int first = header.globalSequence();
        if (!Parity.valid(k, m, index) || k > Alagg.MAX_FEC_FRAMES || m > Alagg.MAX_FEC_FRAMES
                || Sequence.distance(history.highest(), first + k - 1) > history.aheadLimit()
                || Sequence.distance(first, history.highest()) > FecRepair.RING - Alagg.MAX_FEC_FRAMES
                || cursorKnown && Sequence.distance(cursor, first + k) <= 0) {
            // not a group this side can have, or one far ahead, or one older than the packets kept, or one already
            // delivered or given up
            return;
        }
        if (fec == null) {
            fec = new FecRepair(); // once per peer
        }
        int group = fec.parity(first, k, m, index, frame, at + Parity.HEADER, header.innerLength() - Parity.HEADER, now,
                counters, Ingress.FEC_UNREPAIRABLE);
        repair(group, now);
        passed(link, first + k);
    }

    /** Repairs the group if it can be; each packet it gives back goes on as a received one would. */
    private void repair(int group, long now) {
        if (group < 0) {
            return;
        }
        repairNow = now;
        int used = fec.repair(group, repaired);
        if (used > 0) {
            counters.add(Ingress.FEC_PARITY_USED, used);
        } else if (used < 0) {
            counters.add(Ingress.FEC_UNREPAIRABLE, 1);
        }
    }

    private void repaired(int sequence, ByteBuffer symbol, int packetLength, int protocolCode) {
        if (history.seen(sequence)) {
            return; // it came meanwhile
        }
        counters.add(Ingress.FEC_REPAIRED, 1);
        take(sequence, symbol, FecCode.SYMBOL_HEADER, packetLength, protocolCode, null, repairNow);
    }

    /**
     * A packet of the peer's current epoch, received or repaired: duplicate discard, then the strategy. Returns whether
     * it was new (neither a duplicate nor rogue).
     *
     * @param link the link it came on (its duplicates are counted); null: repaired
     */
    private boolean take(int sequence, ByteBuffer frame, int offset, int length, int protocol, OpenLink link, long now) {
        switch (history.accept(sequence, now)) {
            case DUPLICATE:
                counters.add(Ingress.DISCARDED, 1);
                if (link != null) {
                    link.received.add(OpenLink.DUPLICATES, 1);
                }
                return false;
            case ROGUE:
                counters.add(Ingress.ROGUE, 1);
                return false;
            case LATE:
                counters.add(Ingress.OUT_OF_ORDER, 1);
                break;
            case JUMPED: // the stream goes on far from where it was: what is held is delivered, then from here on
                handOver();
                forgetPassed();
                cursor = sequence;
                cursorKnown = true;
                break;
            default:
                break;
        }
        org.alagg.api.PayloadType type = Payloads.fromCode(protocol);
        int packet = reordering.pool().take(frame, offset, length, type, sequence);
        if (packet < 0) {
            counters.add(Ingress.OVERFLOW, 1);
            return true;
        }
        int addressLength = InnerAddress.read(frame, offset, length, type, true, source);
        if (path.networks.lookup(source, addressLength) != peer) {
            reordering.pool().withhold(packet); // keeps its number, so no one waits for it; never delivered
        }
        if (strategy == null) {
            createStrategy(cursorKnown ? cursor : sequence);
        }
        if (strategy == null) {
            deliver(sequence, packet); // no strategy, or it failed: duplicate discard only
            return true;
        }
        try {
            strategy.accept(sequence, packet, now, this);
        } catch (Throwable e) {
            strategyFailed("accept", e);
        }
        return true;
    }

    /** Whether the frame carries a valid tag under one of the keys; counts it when not. */
    private boolean authentic(ByteBuffer frame, OpenLink link, FrameHeader header) {
        if (header.authTagLength() == 0) {
            counters.add(Ingress.AUTH_MISSING, 1);
            return false;
        }
        if (header.authTagLength() == FrameAuth.TAG_LENGTH) {
            int keyId = FrameAuth.keyIdOf(frame, 0, header.innerLength());
            for (FrameAuth key : keys) {
                if (key.keyId() == keyId) {
                    verifiedBy = key;
                    boolean data = header.frameType() == FrameType.DATA;
                    int digest = data ? verified.find(header.epoch(), header.globalSequence()) : -1;
                    payloadUnchecked = digest >= 0 && key.verifyHeader(frame, 0, header.innerLength(), link.peerMac,
                            link.localMac, verified.digests(), digest);
                    if (payloadUnchecked) {
                        return true;
                    }
                    if (key.verify(frame, 0, header.innerLength(), link.peerMac, link.localMac)) {
                        if (data) {
                            verified.put(header.epoch(), header.globalSequence(), key);
                        }
                        return true;
                    }
                    break;
                }
            }
        }
        counters.add(Ingress.AUTH_FAILED, 1);
        return false;
    }

    /**
     * A PROBE is answered on its link, whatever its epoch: the body is echoed byte for byte, followed by this side's
     * report of the link (frames received and lost by link sequence, running totals) and the heard list (which of the
     * peer's links this side hears it on) unless the probe is padded.
     */
    private void answer(ByteBuffer frame, OpenLink link, FrameHeader header, long now) {
        long recently = LinkHealth.HEARD_INTERVALS * path.probeIntervalNanos;
        int[] heardLinks = path.ingress.heardLinks;
        int heard = 0;
        for (OpenLink l : peer.links) {
            if (l.peerLinkId >= 0 && now - l.health.lastHeardNanos <= recently) {
                heardLinks[heard++] = l.peerLinkId;
            }
        }
        if (path.control.offerReply(link.id(), frame, FrameCodec.HEADER_LENGTH, header.innerLength(),
                link.received.get(OpenLink.FRAMES_SEQUENCED), link.received.get(OpenLink.LOST), heardLinks, heard)) {
            path.ingress.wakeEgress = true;
        } else {
            counters.add(Ingress.PROBES_UNANSWERED, 1); // the queue is full: a flood is answered at the rate it drains
        }
    }

    /**
     * The heard list of a reply to this side's health probe: which of this side's links to the peer it hears (on any
     * of them: so a link this side hears nothing on still learns whether its own frames arrive).
     */
    private void heardByPeer(ByteBuffer frame, FrameHeader header, long now) {
        int at = ProbeReport.find(frame, FrameCodec.HEADER_LENGTH, header.innerLength(), LinkHealth.PROBE_LENGTH);
        int count = at < 0 ? -1 : ProbeReport.heardCount(frame, at, FrameCodec.HEADER_LENGTH + header.innerLength());
        if (count < 0) {
            return;
        }
        long list = ++heardLists;
        for (OpenLink l : peer.links) {
            for (int i = 0; i < count; i++) {
                if (ProbeReport.heardLink(frame, at, i) == l.id()) {
                    l.health.peerHearsNumber = list;
                    break;
                }
            }
            l.health.peerListNumber = list; // after: a reader that sees this list sees whether it named the link
            l.health.peerListNanos = now;
        }
    }

    /**
     * Asks the peer which epoch it is in now: a PROBE with the fresh challenge on every one of its links, so that no
     * single link (one a host took over, one that loses frames) decides whether the peer hears it.
     */
    private void challenge() {
        ByteBuffer body = path.ingress.challengeBody;
        ProbeBody.write(body, 0, System.nanoTime(), 0);
        ProbeBody.writeChallenge(body, 0, epochs.challenge());
        for (OpenLink link : peer.links) {
            if (path.control.offer(FrameType.PROBE, link.id(), body, 0, ProbeBody.CHALLENGE_BODY_LENGTH)) {
                counters.add(Ingress.CHALLENGES, 1);
            }
        }
        path.ingress.wakeEgress = true;
        touched = true;
    }

    /**
     * The peer is in epoch {@code confirmed} (it answered a challenge from within it, or with a key went on to its next
     * one); when that is another epoch than the current one, the peer restarted or its sequence ended. What the old
     * epoch left is handed over first. The duplicate window starts where the peer said its stream goes on: nothing
     * sent before that, replayed, passes.
     *
     * @param next the number the peer gives its next DATA frame (the confirming reply's Global sequence, or 0)
     * @param cursorAtNext whether delivery starts exactly there (the next epoch, numbered from 0); else at the first
     *                     frame that arrives, as frames sent just before the reply may still be on their way
     */
    private void adopt(int confirmed, int next, boolean cursorAtNext, long now) {
        boolean restart = epochs.known();
        conflict = false;
        if (!epochs.confirm(confirmed)) {
            return;
        }
        peerEpoch = confirmed;
        peerEpochKnown = true;
        if (restart) {
            counters.add(Ingress.PEER_RESTARTS, 1);
            handOver();
        }
        cursorKnown = cursorAtNext;
        cursor = next;
        history.restartAt(next, cursorAtNext ? 0 : history.aheadLimit(), now);
        forgetPassed();
        for (OpenLink l : peer.links) {
            l.linkSequenceKnown = false;
        }
    }

    @Override
    public void deliver(int sequence, int packet) {
        if (!reordering.pool().isTaken(packet)) {
            return; // a strategy giving back a handle it does not hold: nothing to deliver
        }
        if (!cursorKnown || Sequence.distance(cursor, sequence) >= 0) {
            cursor = sequence + 1;
            cursorKnown = true;
        }
        if (reordering.pool().isWithheld(packet)) {
            reordering.pool().release(packet);
            counters.add(Ingress.SOURCE_NOT_ALLOWED, 1);
            return;
        }
        reordering.pool().moveTo(packet, path.ingress.deliveryBatch());
        counters.add(Ingress.PASSED, 1);
    }

    @Override
    public void lost(int firstSequence, int count) {
        if (count <= 0) {
            return;
        }
        counters.add(Ingress.LOST, count);
        int end = firstSequence + count;
        if (!cursorKnown || Sequence.distance(cursor, end) > 0) {
            cursor = end;
            cursorKnown = true;
        }
    }

    @Override
    public void late(int sequence, int packet) {
        if (reordering.pool().release(packet)) {
            counters.add(Ingress.LATE, 1);
        }
    }

    /** Publishes the counters of the peer and its links, when it was touched since the last time. */
    void publish() {
        if (!touched) {
            return;
        }
        touched = false;
        counters.add(Ingress.RESETS, history.resets() - resetsCounted);
        resetsCounted = history.resets();
        counters.set(Ingress.HELD, reordering == null ? 0 : reordering.pool().held());
        counters.set(Ingress.REORDER_TIMEOUT_US, strategy == null ? 0 : timeoutInEffect / 1000);
        counters.publish();
        for (OpenLink link : peer.links) {
            link.received.publish();
        }
    }
}
