package org.alagg.engine;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.alagg.api.LinkTransport;
import org.alagg.api.LocalDelivery;
import org.alagg.api.PacketBatch;
import org.alagg.api.ReorderOutput;
import org.alagg.api.ReorderStrategy;
import org.alagg.api.ReorderStrategyFactory;
import org.alagg.protocol.FrameAuth;
import org.alagg.protocol.FrameCodec;
import org.alagg.protocol.FrameHeader;
import org.alagg.protocol.FrameType;
import org.alagg.protocol.ProbeBody;
import org.alagg.protocol.ProbeReport;
import org.alagg.protocol.Reject;
import org.alagg.protocol.Sequence;

/**
 * The ingress thread: frames from every link are validated, their duplicates discarded, the rest put in
 * order by the reordering strategy and delivered locally. The strategy's deadline is the receive timeout,
 * so no timer thread exists. The peer's epoch is followed: a new one means the peer restarted, and what the
 * old epoch left is handed over before the new numbers are accepted.
 *
 * <p>The delivery cursor is the sequence number after the last one delivered or given up. A strategy that
 * replaces another (a swap, new settings) starts there ({@link ReorderStrategyFactory#create}), so no number the
 * old one already released is waited for again. A strategy that throws is dropped: the packets it held are
 * recovered from the pool and delivered in sequence order, and the stream goes on in arrival order.
 *
 * <p>A frame goes through the receiver rules of docs/protocol.md section 6 in their order: nothing changes any state
 * before its tag is verified (with a key); the peer's epoch changes only when the peer answers a challenge
 * ({@link PeerEpoch}); a frame far outside the duplicate window never moves it ({@link DuplicateDiscard}); a packet
 * from a source the peer may not use keeps its place in the sequence and is then dropped ({@link AllowedSources}).
 *
 * <p>Every received frame ends up in exactly one counter: {@code received = unknown_source + tagless + auth_missing
 * + auth_failed + probes + stale_epoch + epoch_unconfirmed + discarded + rogue + overflow + passed
 * + source_not_allowed + late + held} ({@code held}: packets a strategy holds now). {@code lost} counts sequence
 * numbers given up, not frames.
 */
final class Ingress extends HotLoop implements ReorderOutput {
    /** IEEE 802.1CB sequence recovery counters, then Alagg's own. */
    static final List<String> COUNTERS;
    private static final int PASSED = 0;
    private static final int DISCARDED = 1;
    private static final int OUT_OF_ORDER = 2;
    private static final int LOST = 3;
    private static final int ROGUE = 4;
    private static final int RESETS = 5;
    private static final int TAGLESS = 6;
    private static final int RECEIVED = 7;
    private static final int LATE = 8;
    private static final int UNKNOWN_SOURCE = 9;
    private static final int PEER_RESTARTS = 10;
    private static final int STALE_EPOCH = 11;
    private static final int UNDELIVERED = 12;
    private static final int PROBES = 13;
    private static final int OVERFLOW = 14;
    private static final int HELD = 15;
    private static final int AUTH_MISSING = 16;
    private static final int AUTH_FAILED = 17;
    private static final int EPOCH_UNCONFIRMED = 18;
    private static final int SOURCE_NOT_ALLOWED = 19;
    private static final int CHALLENGES = 20;
    private static final int PROBES_UNANSWERED = 21;
    private static final int EPOCH_CONFLICTS = 22;
    private static final int FIRST_REJECT = 23;
    private static final String ARRIVAL_ORDER_FALLBACK = "what it held was delivered in order; packets go in arrival "
            + "order (duplicates discarded) until it is installed or selected again";

    static {
        List<String> names = new ArrayList<>(List.of("passed", "discarded", "out_of_order", "lost", "rogue", "resets",
                "tagless", "received", "late", "unknown_source", "peer_restarts", "stale_epoch", "undelivered",
                "probes", "overflow", "held", "auth_missing", "auth_failed", "epoch_unconfirmed", "source_not_allowed",
                "challenges", "probes_unanswered", "epoch_conflicts"));
        for (Reject r : Reject.values()) {
            if (r != Reject.NONE) {
                names.add("malformed_" + r.counterName());
            }
        }
        COUNTERS = List.copyOf(names);
    }

    /** How long without a passing frame makes the duplicate history stale (802.1CB's reset timeout). */
    static final long RESET_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    static final int HISTORY = 1 << 16;
    /** How recently a frame of the current epoch makes it live: another epoch's answer does not replace it then. */
    static final long LIVE_EPOCH_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /** The least distance ahead a single frame may move the duplicate window (else the reorder window). */
    static final int MIN_AHEAD = 64;

    private final PacketBatch frames = new PacketBatch(DataPath.BATCH, FrameCodec.HEADER_LENGTH + DataPath.MAX_PACKET + 256);
    private final PacketBatch deliveries = new PacketBatch(DataPath.BATCH, DataPath.MAX_PACKET);
    private final FrameHeader header = new FrameHeader();
    /** How many heard lists arrived: each list's number. */
    private long heardLists;
    /** The heard list of the reply being made: the peer's link ids of the links this side hears it on. */
    private final int[] heardLinks = new int[DataPath.MAX_LINKS];
    private final ByteBuffer challengeBody = ByteBuffer.allocate(ProbeBody.CHALLENGE_BODY_LENGTH);
    /** Another epoch answered while the current one was alive: challenges go on until the answers agree. */
    private boolean conflict;
    /** When a frame of the peer's current epoch last arrived. */
    private long currentHeardNanos;
    /** Frames were queued for the egress thread in this turn: it is woken once, after the batch. */
    private boolean wakeEgress;
    private final DuplicateDiscard history = new DuplicateDiscard(HISTORY, RESET_NANOS);
    private final PacketPool.Reclaimer recover = this::recovered;
    private final PeerEpoch epochs = new PeerEpoch();
    /** The peer's confirmed epoch, for status and tests (the ingress thread writes them). */
    volatile int peerEpoch;
    volatile boolean peerEpochKnown;
    final Counters counters = new Counters(COUNTERS);

    /** What {@link #keys} and {@link #sources} were made from; null: nothing yet. Volatile for tests, written only on a change. */
    volatile Trust trust;
    /** This thread's authenticators: the key, then the key to accept; empty without a key. */
    private FrameAuth[] keys = new FrameAuth[0];
    private AllowedSources sources = new AllowedSources(List.of());
    /** Digests of the payloads verified lately: a packet's further copies are checked against them. */
    private final VerifiedDigests verified = new VerifiedDigests();
    /** The frame being accepted passed {@link #authentic} on its header alone (a further copy): not yet its payload. */
    private boolean payloadUnchecked;
    /** The key that verified the frame being accepted. */
    private FrameAuth verifiedBy;

    private Reordering reordering;
    /** The factory selected; {@link #strategy} is made from it, lazily, once the start of the sequence is known. */
    private ReorderStrategyFactory strategyFactory;
    private ReorderStrategy strategy;
    /** The number after the last one delivered or given up, once one was. */
    private boolean cursorKnown;
    private int cursor;

    Ingress(DataPath path, PathError error) {
        super(path, "alagg-ingress", error);
    }

    @Override
    void stopped() {
        handOver();
    }

    /**
     * One receive, and the deliveries it makes due. A method of its own so that HotSpot compiles it after a few
     * hundred calls, as {@link Egress} explains.
     */
    @Override
    void turn() {
        followTrust();
        followStrategy();
        if ((!epochs.known() || conflict) && path.control.space() >= path.links.length
                && epochs.challengeDue(System.nanoTime())) {
            challenge(); // no epoch of the peer confirmed yet (or two answered): ask now, not only when a frame comes
            wakeEgress = false;
            path.wakeEgress();
        }
        LinkTransport transport = path.transport;
        if (transport == null) {
            DataPath.idle();
            return;
        }
        long now = System.nanoTime();
        long wait = Math.max(0, Math.min(DataPath.TURN_NANOS, deadline() - now));
        frames.clear();
        try {
            transport.receive(frames, wait);
        } catch (Throwable e) {
            error.report("receive", e);
            DataPath.idle(); // then the next receive; frames committed before the failure are still taken
        }
        now = System.nanoTime();
        for (int i = 0; i < frames.size(); i++) {
            accept(i, now);
        }
        if (wakeEgress) {
            wakeEgress = false;
            path.wakeEgress();
        }
        if (deadline() <= now) {
            try {
                strategy.expire(now, this);
            } catch (Throwable e) {
                strategyFailed("expire", e);
            }
        }
        flush();
    }

    /** Makes this thread's authenticators and source check when the configuration changed (allocates: only then). */
    private void followTrust() {
        Trust wanted = path.trust;
        if (wanted != trust) {
            keys = !wanted.authenticates() ? new FrameAuth[0]
                    : wanted.acceptKey() == null ? new FrameAuth[] {new FrameAuth(wanted.key())}
                    : new FrameAuth[] {new FrameAuth(wanted.key()), new FrameAuth(wanted.acceptKey())};
            sources = new AllowedSources(wanted.allowed());
            verified.clear();
            history.takeBehindWhenStale(!wanted.authenticates());
            trust = wanted;
        }
    }

    /** Picks up a strategy swap or new settings: the old strategy hands over what it holds, in order, first. */
    private void followStrategy() {
        ReorderStrategyFactory wanted = path.strategy;
        Reordering wantedReordering = path.reordering;
        if (wanted != strategyFactory || wantedReordering != reordering) {
            handOver();
            strategyFactory = wanted;
            reordering = wantedReordering; // the old pool is empty now
            history.ahead(Math.max(MIN_AHEAD, reordering.settings().window()));
        }
        if (strategy == null && cursorKnown) {
            createStrategy(cursor);
        }
    }

    /** Makes the selected strategy, starting at {@code next}, unless none is selected or it failed. */
    private void createStrategy(int next) {
        ReorderStrategyFactory factory = strategyFactory;
        if (factory == null || path.faults.failed(factory)) {
            return;
        }
        try {
            strategy = factory.create(reordering.settings(), next);
            if (strategy == null) {
                throw new NullPointerException("create returned null");
            }
        } catch (Throwable e) {
            strategy = null;
            path.faults.report(factory, "create", e, ARRIVAL_ORDER_FALLBACK);
        }
    }

    /** The strategy releases everything it holds, in order; whatever it kept is recovered from the pool. */
    private void handOver() {
        if (strategy != null) {
            try {
                strategy.drain(this);
            } catch (Throwable e) {
                path.faults.report(strategyFactory, "drain", e, ARRIVAL_ORDER_FALLBACK);
            }
            strategy = null;
        }
        recoverHeld();
        flush();
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

    private long deadline() {
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

    private void accept(int i, long now) {
        counters.add(RECEIVED, 1);
        OpenLink link = path.link(frames.link(i));
        if (link == null) {
            counters.add(UNKNOWN_SOURCE, 1);
            return;
        }
        ByteBuffer frame = frames.packet(i);
        int length = frames.length(i);
        link.arrived(length);
        Reject reject = FrameCodec.decode(frame, 0, length, header);
        if (reject != Reject.NONE) {
            counters.add(TAGLESS, 1);
            counters.add(FIRST_REJECT + reject.ordinal() - 1, 1);
            return;
        }
        payloadUnchecked = false;
        if (keys.length > 0 && !authentic(frame, link)) {
            return;
        }
        PeerEpoch.Verdict epoch = epochs.judge(header.epoch(), keys.length > 0);
        if (epoch == PeerEpoch.Verdict.NEXT) {
            adopt(header.epoch(), 0, true, now); // the peer's sequence reached its end: no round trip needed
            epoch = PeerEpoch.Verdict.CURRENT;
        }
        link.heard(now, header.linkId());
        if (epoch == PeerEpoch.Verdict.CURRENT) {
            link.sequenced(header.linkSequence());
            currentHeardNanos = now;
        }
        if (header.frameType() != FrameType.DATA) {
            counters.add(PROBES, 1);
            if (header.frameType() == FrameType.PROBE_REPLY && epochs.answers(frame, FrameCodec.HEADER_LENGTH,
                    header.innerLength(), now)) {
                if (epoch == PeerEpoch.Verdict.CURRENT || !epochs.known() || now - currentHeardNanos >= LIVE_EPOCH_NANOS) {
                    adopt(header.epoch(), header.globalSequence(), false, now);
                } else {
                    // the current epoch is alive too: two senders answer for the peer (a second instance started on
                    // the same links, or a host that saw the challenge): the live one stays, and the question is
                    // asked again until one of them falls silent
                    counters.add(EPOCH_CONFLICTS, 1);
                    conflict = true;
                }
                return;
            }
        }
        if (epoch != PeerEpoch.Verdict.CURRENT && path.control.space() >= path.links.length && epochs.challengeDue(now)) {
            challenge(); // a stale epoch asks too: should a wrong epoch ever be current, the genuine peer corrects it
        }
        if (header.frameType() == FrameType.PROBE) {
            answer(frame, link, now);
            return;
        }
        if (header.frameType() != FrameType.DATA) { // a reply to a health probe: the round trip, the peer's report
            if (link.health.replied(frame, FrameCodec.HEADER_LENGTH, header.innerLength(), header.epoch(), now,
                    link.received)) {
                heardByPeer(frame, now);
            }
            return;
        }
        if (epoch != PeerEpoch.Verdict.CURRENT) {
            counters.add(epoch == PeerEpoch.Verdict.STALE ? STALE_EPOCH : EPOCH_UNCONFIRMED, 1);
            return;
        }
        int sequence = header.globalSequence();
        if (payloadUnchecked && !history.seen(sequence) && !verifiedBy.verify(frame, 0, header.innerLength(),
                link.peerMac, link.localMac)) {
            counters.add(AUTH_FAILED, 1); // a genuine header over other bytes: the first copy did not pass
            return;
        }
        link.received.add(OpenLink.DATA_RECEIVED, 1);
        switch (history.accept(sequence, now)) {
            case DUPLICATE:
                counters.add(DISCARDED, 1);
                link.received.add(OpenLink.DUPLICATES, 1);
                return;
            case ROGUE:
                counters.add(ROGUE, 1);
                return;
            case LATE:
                counters.add(OUT_OF_ORDER, 1);
                break;
            case JUMPED: // the stream goes on far from where it was: what is held is delivered, then from here on
                handOver();
                cursor = sequence;
                cursorKnown = true;
                break;
            default:
                break;
        }
        int packet = reordering.pool().take(frame, FrameCodec.HEADER_LENGTH, header.innerLength(),
                Payloads.fromWire(header.payloadProtocol()), sequence);
        if (packet < 0) {
            counters.add(OVERFLOW, 1);
            return;
        }
        if (!sources.allows(frame, FrameCodec.HEADER_LENGTH, header.innerLength(), Payloads.fromWire(header.payloadProtocol()))) {
            reordering.pool().withhold(packet); // keeps its number, so no one waits for it; never delivered
        }
        if (strategy == null) {
            createStrategy(cursorKnown ? cursor : sequence);
        }
        if (strategy == null) {
            deliver(sequence, packet); // no strategy, or it failed: duplicate discard only
            return;
        }
        try {
            strategy.accept(sequence, packet, now, this);
        } catch (Throwable e) {
            strategyFailed("accept", e);
        }
    }

    /** Whether the frame carries a valid tag under one of the keys; counts it when not. */
    private boolean authentic(ByteBuffer frame, OpenLink link) {
        if (header.authTagLength() == 0) {
            counters.add(AUTH_MISSING, 1);
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
        counters.add(AUTH_FAILED, 1);
        return false;
    }

    /**
     * A PROBE is answered on its link, whatever its epoch: the body is echoed byte for byte, followed by this side's
     * report of the link (frames received and lost by link sequence, running totals) unless the probe is padded.
     */
    private void answer(ByteBuffer frame, OpenLink link, long now) {
        long recently = LinkHealth.HEARD_INTERVALS * path.probeIntervalNanos;
        int heard = 0;
        for (OpenLink l : path.links) {
            if (l != null && l.peerLinkId >= 0 && now - l.health.lastHeardNanos <= recently) {
                heardLinks[heard++] = l.peerLinkId;
            }
        }
        if (path.control.offerReply(link.id(), frame, FrameCodec.HEADER_LENGTH, header.innerLength(),
                link.received.get(OpenLink.FRAMES_SEQUENCED), link.received.get(OpenLink.LOST), heardLinks, heard)) {
            wakeEgress = true;
        } else {
            counters.add(PROBES_UNANSWERED, 1); // the queue is full: a flood is answered at the rate it drains
        }
    }

    /**
     * The heard list of a reply to this side's health probe: which of this side's links the peer hears (on any link:
     * so a link this side hears nothing on still learns whether its own frames arrive).
     */
    private void heardByPeer(ByteBuffer frame, long now) {
        int at = ProbeReport.find(frame, FrameCodec.HEADER_LENGTH, header.innerLength(), LinkHealth.PROBE_LENGTH);
        int count = at < 0 ? -1 : ProbeReport.heardCount(frame, at, FrameCodec.HEADER_LENGTH + header.innerLength());
        if (count < 0) {
            return;
        }
        long list = ++heardLists;
        for (OpenLink l : path.links) {
            if (l != null) {
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
    }

    /**
     * Asks the peer which epoch it is in now: a PROBE with the fresh challenge on every link, so that no single link
     * (one a host took over, one that loses frames) decides whether the peer hears it.
     */
    private void challenge() {
        ProbeBody.write(challengeBody, 0, System.nanoTime(), 0);
        ProbeBody.writeChallenge(challengeBody, 0, epochs.challenge());
        OpenLink[] links = path.links;
        for (OpenLink link : links) {
            if (link != null && path.control.offer(FrameType.PROBE, link.id(), challengeBody, 0,
                    ProbeBody.CHALLENGE_BODY_LENGTH)) {
                counters.add(CHALLENGES, 1);
            }
        }
        wakeEgress = true;
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
            counters.add(PEER_RESTARTS, 1);
            handOver();
        }
        cursorKnown = cursorAtNext;
        cursor = next;
        history.restartAt(next, cursorAtNext ? 0 : history.aheadLimit(), now);
        for (OpenLink l : path.links) {
            if (l != null) {
                l.linkSequenceKnown = false;
            }
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
            counters.add(SOURCE_NOT_ALLOWED, 1);
            return;
        }
        if (deliveries.isFull()) {
            flush();
        }
        reordering.pool().moveTo(packet, deliveries);
        counters.add(PASSED, 1);
    }

    @Override
    public void lost(int firstSequence, int count) {
        if (count <= 0) {
            return;
        }
        counters.add(LOST, count);
        int end = firstSequence + count;
        if (!cursorKnown || Sequence.distance(cursor, end) > 0) {
            cursor = end;
            cursorKnown = true;
        }
    }

    @Override
    public void late(int sequence, int packet) {
        if (reordering.pool().release(packet)) {
            counters.add(LATE, 1);
        }
    }

    private void flush() {
        if (deliveries.size() > 0) {
            LocalDelivery delivery = path.delivery;
            int delivered = 0;
            if (delivery != null) {
                try {
                    delivered = delivery.deliver(deliveries);
                } catch (Throwable e) {
                    error.report("deliver", e);
                }
            }
            counters.add(UNDELIVERED, deliveries.size() - Math.max(0, Math.min(delivered, deliveries.size())));
            deliveries.clear();
        }
        counters.set(RESETS, history.resets());
        counters.set(HELD, reordering == null ? 0 : reordering.pool().held());
        counters.publish();
        for (OpenLink link : path.links) {
            if (link != null) {
                link.received.publish();
            }
        }
    }
}
