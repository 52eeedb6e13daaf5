package org.alagg.engine;

import java.nio.ByteBuffer;
import java.util.List;

import org.alagg.api.LinkConditions;
import org.alagg.api.LinkScheduler;
import org.alagg.api.LinkState;
import org.alagg.api.LinkTransport;
import org.alagg.api.PacketBatch;
import org.alagg.api.PacketInterceptor;
import org.alagg.api.PayloadType;
import org.alagg.protocol.FrameAuth;
import org.alagg.protocol.FrameCodec;
import org.alagg.protocol.FrameHeader;
import org.alagg.protocol.FrameType;
import org.alagg.protocol.Parity;
import org.alagg.protocol.PayloadProtocol;
import org.alagg.protocol.ProbeBody;
import org.alagg.protocol.ProbeReport;

/**
 * The egress thread: each captured packet goes to the peer whose allowed networks hold its destination
 * ({@link AllowedNetworks}, the longest prefix winning), and leaves as one frame on every one of that peer's links that
 * is up (redundant sending), or on the links the peer's {@link LinkScheduler} plugin chooses. A packet takes the peer's
 * next global sequence number only once it is known to leave by at least one link, so the peer never waits for a
 * number that was never sent. One capture, one send per batch, whatever the peers; nothing is allocated per packet.
 *
 * <p>With a key every frame is authenticated (docs/protocol.md section 7) with its peer's key: the payload's digest
 * once per packet, the tag once per link's copy. The egress thread also sends what the ingress thread queued
 * ({@link ControlQueue}: probe replies, epoch challenges), so that every frame on a link is numbered by one thread. It
 * starts a peer's new epoch before its global sequence reaches 2^31 (section 5).
 *
 * <p>Every captured packet ends up in exactly one counter: {@code captured = sent + unsent + too_big + refused +
 * no_peer}. {@code no_peer}: no peer's networks hold its destination (and no peer takes the rest); {@code unsent}: no
 * link of its peer was up or chosen (no number taken); {@code too_big}: larger than the links carry; {@code refused}:
 * every frame of it was refused by the kernel (its number is a gap the peer gives up). Each peer counts its packets,
 * this thread those of no peer; the totals are their sum.
 */
final class Egress extends HotLoop {
    static final List<String> COUNTERS = List.of("captured", "sent", "unsent", "too_big", "refused", "no_peer",
            "fec_parity_sent");
    static final int CAPTURED = 0;
    static final int SENT = 1;
    static final int UNSENT = 2;
    static final int TOO_BIG = 3;
    static final int REFUSED = 4;
    static final int NO_PEER = 5;
    /** PARITY frames made (one per parity symbol and group; counted as made, whatever the kernel then did). */
    static final int FEC_PARITY_SENT = 6;
    private static final String REDUNDANT_FALLBACK = "every packet goes on every link that is up until the scheduler "
            + "is installed or selected again";

    private final PacketBatch captured = new PacketBatch(DataPath.BATCH, DataPath.MAX_PACKET);
    private final PacketBatch frames = new PacketBatch(DataPath.BATCH * 4,
            FrameCodec.HEADER_LENGTH + Parity.HEADER + FecEncoder.SYMBOL + FrameAuth.TAG_LENGTH);
    /** For each frame of {@link #frames}, the captured packet it carries. */
    private final int[] packetOfFrame = new int[frames.capacity()];
    /** For each captured packet: its peer (null: none claims it, or it was not framed), and whether a frame of it left. */
    private final Peer[] framed = new Peer[DataPath.BATCH];
    private final boolean[] left = new boolean[DataPath.BATCH];
    /** The peers whose packets this batch carries, in {@code batchPeers[0 .. batchPeerCount)}. */
    private final Peer[] batchPeers = new Peer[DataPath.BATCH];
    private int batchPeerCount;
    private long batchNumber;
    private final byte[] destination = new byte[16];
    private final FrameHeader header = new FrameHeader().frameType(FrameType.DATA);
    private final FrameHeader control = new FrameHeader().payloadProtocol(PayloadProtocol.NONE);
    private final FrameHeader parityHeader = new FrameHeader().frameType(FrameType.PARITY)
            .payloadProtocol(PayloadProtocol.NONE);
    /** The links a group's parity may go on, and how many of the group's frames each got ({@link #sendParity}). */
    private final int[] parityLinks = new int[DataPath.MAX_LINKS];
    private final int[] parityLoad = new int[DataPath.MAX_LINKS];
    /** A scheduler's choice among a peer's links that are up. */
    private final int[] chosen = new int[DataPath.MAX_LINKS];
    /** Captured packets no peer claims ({@code captured}, {@code no_peer}); each peer counts its own. */
    final Counters counters = new Counters(COUNTERS);

    Egress(DataPath path, PathError error) {
        super(path, "alagg-egress", error);
        this.conditions = new Conditions(path);
    }

    /** What the schedulers see of the links' health: the published state and figures, read without locks. */
    private final LinkConditions conditions;

    private static final class Conditions implements LinkConditions {
        private final DataPath path;

        Conditions(DataPath path) {
            this.path = path;
        }

        @Override
        public LinkState state(int id) {
            OpenLink link = path.link(id);
            return link == null ? LinkState.DOWN : link.state();
        }

        @Override
        public long rttNanos(int id) {
            OpenLink link = path.link(id);
            long srtt = link == null ? 0 : link.health.srttNanos;
            return srtt == 0 ? -1 : srtt;
        }

        @Override
        public int lossToPeerPpm(int id) {
            OpenLink link = path.link(id);
            return link == null ? -1 : link.quality.lossToPeerPpm;
        }

        @Override
        public int lossFromPeerPpm(int id) {
            OpenLink link = path.link(id);
            return link == null ? -1 : link.quality.lossFromPeerPpm;
        }

        @Override
        public long stateSinceNanos(int id) {
            OpenLink link = path.link(id);
            return link == null ? System.nanoTime() : link.stateSinceNanos();
        }

        @Override
        public int weight(int id) {
            OpenLink link = path.link(id);
            return link == null ? 0 : link.weight;
        }

        @Override
        public int tier(int id) {
            OpenLink link = path.link(id);
            return link == null ? 0 : link.tier;
        }
    }

    /**
     * One capture and its send. A method of its own because HotSpot compiles a method after a few hundred
     * calls, but a loop body only after tens of thousands of iterations (on-stack replacement): at a few hundred
     * packets a second the whole turn would run in the interpreter for minutes, tens of microseconds a packet.
     */
    @Override
    void turn() {
        sendControl(path.transport);
        long now = System.nanoTime();
        long due = Math.min(health(path.transport, now), groupsDue());
        long wait = Math.max(MIN_WAIT_NANOS, Math.min(DataPath.TURN_NANOS, due - now));
        PacketInterceptor interceptor = path.interceptor;
        if (interceptor == null) {
            closeExpiredGroups(path.transport, System.nanoTime());
            DataPath.idle(wait);
            return;
        }
        captured.clear();
        try {
            interceptor.capture(captured, wait);
        } catch (Throwable e) {
            error.report("capture", e);
            DataPath.idle(); // then the next capture; what was committed before the failure is still sent
        }
        if (captured.size() > 0) {
            send(path.transport);
            counters.publish();
        }
        closeExpiredGroups(path.transport, System.nanoTime());
    }

    /** The earliest end of an open FEC group's timeout among the peers. */
    private long groupsDue() {
        long due = Long.MAX_VALUE;
        for (Peer peer : path.peers) {
            FecEncoder fec = peer.send.fec;
            if (fec != null) {
                due = Math.min(due, fec.deadline());
            }
        }
        return due;
    }

    /** Sends the parity of every group whose timeout ended with fewer than k frames: a sparse flow is not held. */
    private void closeExpiredGroups(LinkTransport transport, long now) {
        boolean any = false;
        for (Peer peer : path.peers) {
            FecEncoder fec = peer.send.fec;
            if (fec != null && fec.open() && now - fec.deadline() >= 0) {
                if (!any) {
                    frames.clear();
                    any = true;
                }
                PeerSend s = controlState(peer);
                upLinks(peer, s);
                sendParity(peer, s, transport);
                s.counters.publish();
            }
        }
        if (any) {
            if (transport != null) {
                flush(transport);
            }
            frames.clear();
            publishLinks();
        }
    }

    /** The peer whose allowed networks hold the packet's destination; null when none does (counted). */
    private Peer route(int i, AllowedNetworks networks) {
        int length = InnerAddress.read(captured.packet(i), 0, captured.length(i), captured.payload(i), false, destination);
        Peer peer = networks.lookup(destination, length);
        if (peer == null) {
            counters.add(CAPTURED, 1);
            counters.add(NO_PEER, 1);
        }
        return peer;
    }

    /**
     * Makes a peer ready for this batch, once: its key followed, the links of it that are up listed (when none is, every
     * link whose transport is up: the peer restarting, or this side's ingress stalled, there is nothing to lose).
     */
    private PeerSend prepare(Peer peer) {
        PeerSend s = peer.send;
        if (s.batch != batchNumber) {
            s.batch = batchNumber;
            batchPeers[batchPeerCount++] = peer;
            s.followTrust(peer.trust);
            upLinks(peer, s);
            s.followFec(peer.fec);
        }
        return s;
    }

    /** Lists the peer's links that are up (when none is, every link whose transport is up). */
    private static void upLinks(Peer peer, PeerSend s) {
        OpenLink[] links = peer.links;
        int count = 0;
        for (OpenLink link : links) {
            if (link.isUp()) {
                s.up[count++] = link.id();
            }
        }
        if (count == 0) {
            for (OpenLink link : links) {
                if (link.transportUp()) {
                    s.up[count++] = link.id();
                }
            }
        }
        s.upCount = count;
    }

    private void send(LinkTransport transport) {
        batchNumber++;
        batchPeerCount = 0;
        AllowedNetworks networks = path.networks;
        int limit = path.maxPacketLength;
        frames.clear();
        for (int i = 0; i < captured.size(); i++) {
            framed[i] = null;
            left[i] = false;
            Peer peer = route(i, networks);
            if (peer == null) {
                continue;
            }
            PeerSend s = prepare(peer);
            s.counters.add(CAPTURED, 1);
            int length = captured.length(i);
            if (transport == null) {
                s.counters.add(UNSENT, 1);
                continue;
            }
            if (length > limit) {
                s.counters.add(TOO_BIG, 1);
                continue;
            }
            int count = s.upCount;
            int[] targets = s.up;
            LinkScheduler scheduler = peer.scheduler;
            if (scheduler != null && count > 0 && !path.faults.failed(scheduler)) {
                int c = choose(scheduler, s, captured.payload(i), captured.packet(i), length);
                if (c >= 0) { // else the scheduler failed: redundant
                    count = c;
                    targets = chosen;
                }
            }
            if (count == 0) {
                s.counters.add(UNSENT, 1);
                continue;
            }
            if (s.nextSequence == EPOCH_END) {
                if (s.fec != null && s.fec.open()) {
                    sendParity(peer, s, transport); // a group never spans two epochs
                }
                startEpoch(peer);
            }
            int sequence = s.nextSequence++;
            ByteBuffer packet = captured.packet(i);
            FrameAuth auth = s.auth;
            int tagLength = s.tagLength();
            header.payloadProtocol(Payloads.onWire(captured.payload(i))).innerLength(length)
                    .epoch(s.epoch).globalSequence(sequence).authTagLength(tagLength);
            boolean any = false;
            for (int t = 0; t < count; t++) {
                OpenLink link = path.link(targets[t]);
                if (link == null) {
                    continue; // taken out of the table since the batch began
                }
                any = true;
                if (frames.isFull()) {
                    flush(transport);
                }
                ByteBuffer slot = frames.slot(frames.size());
                header.linkId(link.id()).linkSequence(link.nextLinkSequence++);
                FrameCodec.encode(header, slot, 0);
                slot.put(FrameCodec.HEADER_LENGTH, packet, 0, length);
                if (auth != null) {
                    if (t == 0) {
                        auth.digestPayload(slot, 0, length); // once per packet: every copy has the same payload
                    }
                    auth.sign(slot, 0, length, link.localMac, link.peerMac);
                }
                packetOfFrame[frames.size()] = i;
                frames.commit(FrameCodec.HEADER_LENGTH + length + tagLength, captured.payload(i), link.id());
            }
            framed[i] = any ? peer : null;
            if (!any) {
                s.counters.add(REFUSED, 1); // its number is a gap the peer gives up, as when every frame is refused
            }
            FecSettings fec = peer.fec;
            FecEncoder open = s.fec;
            if (open != null && open.open() && (!fec.on() || open.epoch() != s.epoch
                    || sequence != open.first() + open.k())) {
                // a group holds consecutive numbers of one epoch: one that cannot go on (a probe began a new epoch,
                // FEC went off for a moment, a number went elsewhere) is closed with the parity it has
                sendParity(peer, s, transport);
            }
            if (fec.on() && s.fec != null) {
                // numbered: in the group whether or not a frame of it left (the peer may repair it)
                s.fec.add(fec, s.epoch, sequence, packet, length, header.payloadProtocol().code(), System.nanoTime());
                for (int t = 0; t < count; t++) {
                    s.fec.carried(targets[t]);
                }
                if (s.fec.full()) {
                    sendParity(peer, s, transport);
                }
            }
        }
        flush(transport);
        for (int i = 0; i < captured.size(); i++) {
            if (framed[i] != null) {
                framed[i].send.counters.add(left[i] ? SENT : REFUSED, 1);
            }
        }
        for (int p = 0; p < batchPeerCount; p++) {
            batchPeers[p].send.counters.publish();
            batchPeers[p] = null;
        }
        publishLinks();
    }

    /**
     * Sends the open group's parity frames and closes it. Parity j goes on the link with the fewest of the group's frames
     * so far (its DATA frames and the parity given it before; the lowest id on a tie): a link's loss then takes as few
     * of the group's frames as it can, and never the parity with the most of the data.
     */
    private void sendParity(Peer peer, PeerSend s, LinkTransport transport) {
        FecEncoder fec = s.fec;
        int candidates = 0;
        for (int u = 0; u < s.upCount; u++) {
            OpenLink link = path.link(s.up[u]);
            if (link != null) {
                parityLinks[candidates] = link.id();
                parityLoad[candidates++] = fec.frames(link.id());
            }
        }
        if (candidates > 0 && transport != null) {
            int tagLength = s.tagLength();
            int innerLength = Parity.HEADER + fec.length();
            parityHeader.innerLength(innerLength).epoch(fec.epoch()).globalSequence(fec.first()).authTagLength(tagLength);
            for (int j = 0; j < fec.m(); j++) {
                int best = 0;
                for (int c = 1; c < candidates; c++) {
                    if (parityLoad[c] < parityLoad[best]) {
                        best = c;
                    }
                }
                parityLoad[best]++;
                OpenLink link = path.link(parityLinks[best]);
                if (frames.isFull()) {
                    flush(transport);
                }
                ByteBuffer slot = frames.slot(frames.size());
                parityHeader.linkId(link.id()).linkSequence(link.nextLinkSequence++);
                FrameCodec.encode(parityHeader, slot, 0);
                Parity.write(slot, FrameCodec.HEADER_LENGTH, fec.k(), fec.m(), j);
                slot.put(FrameCodec.HEADER_LENGTH + Parity.HEADER, fec.parity(j), 0, fec.length());
                if (s.auth != null) {
                    s.auth.digestPayload(slot, 0, innerLength);
                    s.auth.sign(slot, 0, innerLength, link.localMac, link.peerMac);
                }
                packetOfFrame[frames.size()] = PARITY_FRAME;
                frames.commit(FrameCodec.HEADER_LENGTH + innerLength + tagLength, null, link.id());
                s.counters.add(FEC_PARITY_SENT, 1);
            }
        }
        fec.close();
    }

    /** The sequence number that must not be reached within one epoch (2^31, docs/protocol.md section 5). */
    static final int EPOCH_END = Integer.MIN_VALUE;

    /**
     * The peer's next epoch: the current one plus 1, and both sequence numbers from 0. With a key the peer adopts it at
     * its first authenticated frame; without, it confirms it by a challenge first.
     */
    private static void startEpoch(Peer peer) {
        peer.send.epoch = peer.send.epoch + 1;
        peer.send.nextSequence = 0;
        for (OpenLink link : peer.links) {
            link.nextLinkSequence = 0;
        }
    }

    /** The peer's send state ready for a probe or a queued frame: its key followed, its sequence short of the end. */
    private static PeerSend controlState(Peer peer) {
        PeerSend s = peer.send;
        s.followTrust(peer.trust);
        if (s.nextSequence == EPOCH_END) {
            startEpoch(peer); // control frames carry the next DATA number: never 2^31
        }
        return s;
    }

    /** The shortest wait for a capture: the state and probe deadlines are met within it. */
    static final long MIN_WAIT_NANOS = 50_000;
    /** Marks a frame of {@link #frames} as a health probe (else the packet it carries, or -1 for a queued frame). */
    private static final int HEALTH_PROBE = -2;
    /** Marks a frame of {@link #frames} as a probe of the link's full MTU. */
    private static final int MTU_PROBE = -3;
    /** Marks a frame of {@link #frames} as a PARITY frame. */
    private static final int PARITY_FRAME = -4;

    /**
     * The links' health (issue 12): follows each link's state ({@link LinkHealth#evaluate}) and sends the probes that
     * are due, numbered and authenticated like every frame, DOWN links included (so that they can come back).
     *
     * @return when this must run again at the latest (the next probe or state deadline)
     */
    private long health(LinkTransport transport, long now) {
        long interval = path.probeIntervalNanos;
        long due = now + DataPath.TURN_NANOS;
        if (transport == null) {
            return due;
        }
        // probes due within a quarter interval go now: one wake-up sends the probes of many links (a hub's), and each
        // link keeps its own schedule, so a probe is never more than a quarter interval early
        long soon = now + interval / 4;
        frames.clear();
        for (OpenLink link : path.links) {
            if (link == null) {
                continue;
            }
            LinkHealth h = link.health;
            if (h.probeDue(soon, interval)) {
                PeerSend s = controlState(link.peer);
                if (frames.isFull()) {
                    flush(transport);
                }
                probe(link, s, LinkHealth.PROBE_LENGTH, h.lastProbeId, HEALTH_PROBE, now, link.nextLinkSequence++);
                int padded = mtuProbeLength(link, s);
                if (padded > 0 && h.mtuProbeDue(padded, now, interval, link.sent.get(OpenLink.REFUSED_QUEUE_FULL),
                        link.quality.degraded)) {
                    if (frames.isFull()) {
                        flush(transport);
                    }
                    // the frame before's link sequence: a padded probe the far end cannot take is not the link's loss
                    probe(link, s, padded, h.mtuProbeId, MTU_PROBE, now, link.nextLinkSequence - 1);
                }
            }
            due = Math.min(due, Math.min(h.nextProbeNanos(), h.evaluate(now, interval, link.transportUp())));
        }
        if (frames.size() > 0) {
            flush(transport);
            publishLinks();
        }
        return due;
    }

    /** Adds a PROBE of {@code innerLength} bytes (a plain body, the rest zeros) with this id to {@link #frames}. */
    private void probe(OpenLink link, PeerSend s, int innerLength, int id, int marker, long now, int linkSequence) {
        int tagLength = s.tagLength();
        ByteBuffer slot = frames.slot(frames.size());
        control.frameType(FrameType.PROBE).innerLength(innerLength).epoch(s.epoch)
                .globalSequence(s.nextSequence).linkId(link.id()).linkSequence(linkSequence)
                .authTagLength(tagLength);
        FrameCodec.encode(control, slot, 0);
        ProbeBody.write(slot, FrameCodec.HEADER_LENGTH, now, id);
        for (int i = FrameCodec.HEADER_LENGTH + ProbeBody.LENGTH; i < FrameCodec.HEADER_LENGTH + innerLength; i++) {
            slot.put(i, (byte) 0);
        }
        if (s.auth != null) {
            s.auth.digestPayload(slot, 0, innerLength);
            s.auth.sign(slot, 0, innerLength, link.localMac, link.peerMac);
        }
        packetOfFrame[frames.size()] = marker;
        frames.commit(FrameCodec.HEADER_LENGTH + innerLength + tagLength, null, link.id());
    }

    /**
     * The body of a probe that fills the link's MTU exactly (header, body and tag), so that a peer or path that takes
     * less does not answer it; 0 while the MTU is not known. At most {@link DataPath#MAX_PACKET}: the largest body a
     * peer's control queue echoes (and the largest packet Alagg carries anyway).
     */
    private static int mtuProbeLength(OpenLink link, PeerSend s) {
        int body = Math.min(link.link.mtu() - FrameCodec.HEADER_LENGTH - s.tagLength(), DataPath.MAX_PACKET);
        return body > ProbeReport.MAX_ECHO_WITH_REPORT ? body : 0;
    }

    /** Sends what the ingress thread queued: each frame on its link, numbered and authenticated like data. */
    private void sendControl(LinkTransport transport) {
        ControlQueue queue = path.control;
        if (queue.isEmpty()) {
            return;
        }
        frames.clear();
        // at most one queue's worth a turn: a flood of probes the ingress thread keeps answering never starves data
        for (int budget = ControlQueue.CAPACITY; budget > 0 && !queue.isEmpty(); budget--) {
            int q = queue.peek();
            int id = queue.link(q);
            OpenLink link = path.link(id);
            if (link != null && transport != null) { // else the link is gone: nothing to answer on
                PeerSend s = controlState(link.peer);
                if (frames.isFull()) {
                    flush(transport);
                }
                ByteBuffer slot = frames.slot(frames.size());
                int length = queue.length(q);
                int tagLength = s.tagLength();
                // the echo of a padded probe takes the link sequence of the frame before it, as the probe did: that
                // the far end cannot take it is not the link's loss
                boolean paddedEcho = queue.paddedEcho(q);
                control.frameType(queue.type(q)).innerLength(length).epoch(s.epoch).globalSequence(s.nextSequence)
                        .linkId(id).linkSequence(paddedEcho ? link.nextLinkSequence - 1 : link.nextLinkSequence++)
                        .authTagLength(tagLength);
                FrameCodec.encode(control, slot, 0);
                queue.copyBody(q, slot, FrameCodec.HEADER_LENGTH);
                if (s.auth != null) {
                    s.auth.digestPayload(slot, 0, length);
                    s.auth.sign(slot, 0, length, link.localMac, link.peerMac);
                }
                packetOfFrame[frames.size()] = -1;
                frames.commit(FrameCodec.HEADER_LENGTH + length + tagLength, null, id);
            }
            queue.remove();
        }
        if (transport != null) {
            flush(transport);
        }
        publishLinks();
    }

    /**
     * Asks the peer's scheduler for the packet's links among the peer's links that are up. Returns how many it chose, or
     * -1 when it threw or answered with a link that is not one of them (reported once; the caller falls back to
     * redundant).
     */
    private int choose(LinkScheduler scheduler, PeerSend s, PayloadType type, ByteBuffer packet, int length) {
        int count;
        try {
            count = scheduler.choose(s.nextSequence, type, packet, length, s.up, s.upCount, conditions, chosen);
        } catch (Throwable e) {
            path.faults.report(scheduler, "choose", e, REDUNDANT_FALLBACK);
            return -1;
        }
        boolean valid = count >= 0 && count <= s.upCount;
        for (int t = 0; valid && t < count; t++) {
            valid = contains(s.up, s.upCount, chosen[t]);
        }
        if (!valid) {
            path.faults.report(scheduler, "choose", new IllegalStateException("it chose " + count
                    + " links or a link id that is not one of the peer's links up"), REDUNDANT_FALLBACK);
            return -1;
        }
        return count;
    }

    private static boolean contains(int[] ids, int count, int id) {
        for (int i = 0; i < count; i++) {
            if (ids[i] == id) {
                return true;
            }
        }
        return false;
    }

    /** Publishes the sent counters of the links that sent or refused frames since the last time. */
    private void publishLinks() {
        for (OpenLink link : path.links) {
            if (link != null && link.sentTouched) {
                link.sentTouched = false;
                link.sent.publish();
            }
        }
    }

    private void flush(LinkTransport transport) {
        if (frames.size() == 0) {
            return;
        }
        try {
            transport.send(frames);
        } catch (Throwable e) {
            error.report("send", e);
            for (int j = 0; j < frames.size(); j++) {
                if (frames.refusal(j) == 0) {
                    frames.refuse(j, -1); // not known to have left
                }
            }
        }
        for (int j = 0; j < frames.size(); j++) {
            int refusal = frames.refusal(j);
            if (refusal == 0 && packetOfFrame[j] >= 0) {
                left[packetOfFrame[j]] = true;
            }
            OpenLink link = path.link(frames.link(j));
            if (link == null) {
                continue; // taken out of the table meanwhile: nothing left to count it on
            }
            link.sentTouched = true;
            if (refusal == 0) {
                link.sent.add(OpenLink.FRAMES_SENT, 1);
                link.sent.add(OpenLink.BYTES_SENT, frames.length(j));
                if (packetOfFrame[j] < 0 && packetOfFrame[j] != PARITY_FRAME) {
                    link.sent.add(OpenLink.PROBES_SENT, 1);
                    if (packetOfFrame[j] == HEALTH_PROBE) {
                        link.sent.add(OpenLink.HEALTH_PROBES_SENT, 1);
                    }
                }
            } else {
                link.refused(refusal);
                if (packetOfFrame[j] == HEALTH_PROBE && OpenLink.queueFull(refusal)) {
                    link.health.probeRefused(System.nanoTime());
                } else if (packetOfFrame[j] == MTU_PROBE) {
                    link.health.mtuProbeRefused(OpenLink.socketFull(refusal), OpenLink.queueFull(refusal));
                }
            }
        }
        frames.clear();
    }
}
