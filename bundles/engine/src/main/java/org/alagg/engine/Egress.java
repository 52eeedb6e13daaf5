package org.alagg.engine;

import java.nio.ByteBuffer;
import java.util.List;

import org.alagg.api.LinkConditions;
import org.alagg.api.LinkScheduler;
import org.alagg.api.LinkState;
import org.alagg.api.LinkTransport;
import org.alagg.api.PacketBatch;
import org.alagg.api.PacketInterceptor;
import org.alagg.protocol.FrameAuth;
import org.alagg.protocol.FrameCodec;
import org.alagg.protocol.FrameHeader;
import org.alagg.protocol.FrameType;
import org.alagg.protocol.PayloadProtocol;
import org.alagg.protocol.ProbeBody;
import org.alagg.protocol.ProbeReport;

/**
 * The egress thread: captured packets leave as one frame on every link that is up (redundant sending), or on the
 * links a {@link LinkScheduler} plugin chooses. A packet takes the next global sequence number only once it is
 * known to leave by at least one link, so the peer never waits for a number that was never sent. One capture, one
 * send per batch; nothing is allocated per packet.
 *
 * <p>With a key every frame is authenticated (docs/protocol.md section 7): the payload's digest once per packet, the
 * tag once per link's copy. The egress thread also sends what the ingress thread queued ({@link ControlQueue}:
 * probe replies, epoch challenges), so that every frame on a link is numbered by one thread. It starts a new epoch
 * before the global sequence reaches 2^31 (section 5).
 *
 * <p>Every captured packet ends up in exactly one counter: {@code captured = sent + unsent + too_big + refused}.
 * {@code unsent}: no link was up or chosen (no number taken); {@code too_big}: larger than the links carry;
 * {@code refused}: every frame of it was refused by the kernel (its number is a gap the peer gives up).
 */
final class Egress extends HotLoop {
    static final List<String> COUNTERS = List.of("captured", "sent", "unsent", "too_big", "refused");
    private static final int CAPTURED = 0;
    private static final int SENT = 1;
    private static final int UNSENT = 2;
    private static final int TOO_BIG = 3;
    private static final int REFUSED = 4;
    private static final String REDUNDANT_FALLBACK = "every packet goes on every link that is up until the scheduler "
            + "is installed or selected again";

    private final PacketBatch captured = new PacketBatch(DataPath.BATCH, DataPath.MAX_PACKET);
    private final PacketBatch frames = new PacketBatch(DataPath.BATCH * 4,
            FrameCodec.HEADER_LENGTH + DataPath.MAX_PACKET + FrameAuth.TAG_LENGTH);
    /** For each frame of {@link #frames}, the captured packet it carries. */
    private final int[] packetOfFrame = new int[frames.capacity()];
    /** For each captured packet: whether it was given frames, and whether one of them left. */
    private final boolean[] framed = new boolean[DataPath.BATCH];
    private final boolean[] left = new boolean[DataPath.BATCH];
    private final FrameHeader header = new FrameHeader().frameType(FrameType.DATA);
    private final FrameHeader control = new FrameHeader().payloadProtocol(PayloadProtocol.NONE);
    /** What {@link #auth} was made from; null: nothing yet. Volatile for tests, written only on a change. */
    volatile Trust trust;
    /** This thread's authenticator of the key frames are sent with; null: no key. */
    private FrameAuth auth;
    /** The links up for this batch, and a scheduler's choice among them. */
    private final int[] up = new int[DataPath.MAX_LINKS];
    private final int[] chosen = new int[DataPath.MAX_LINKS];
    final Counters counters = new Counters(COUNTERS);
    /** Never restarts within an epoch, whatever is swapped. Package-private for tests of the epoch's end. */
    int nextSequence;

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

        private OpenLink link(int id) {
            OpenLink[] links = path.links;
            return id >= 0 && id < links.length ? links[id] : null;
        }

        @Override
        public LinkState state(int id) {
            OpenLink link = link(id);
            return link == null ? LinkState.DOWN : link.state();
        }

        @Override
        public long rttNanos(int id) {
            OpenLink link = link(id);
            long srtt = link == null ? 0 : link.health.srttNanos;
            return srtt == 0 ? -1 : srtt;
        }

        @Override
        public int lossToPeerPpm(int id) {
            OpenLink link = link(id);
            return link == null ? -1 : link.quality.lossToPeerPpm;
        }

        @Override
        public int lossFromPeerPpm(int id) {
            OpenLink link = link(id);
            return link == null ? -1 : link.quality.lossFromPeerPpm;
        }
    }

    /**
     * One capture and its send. A method of its own because HotSpot compiles a method after a few hundred
     * calls, but a loop body only after tens of thousands of iterations (on-stack replacement): at a few hundred
     * packets a second the whole turn would run in the interpreter for minutes, tens of microseconds a packet.
     */
    @Override
    void turn() {
        followTrust();
        sendControl(path.transport);
        long now = System.nanoTime();
        long wait = Math.max(MIN_WAIT_NANOS, Math.min(DataPath.TURN_NANOS, health(path.transport, now) - now));
        PacketInterceptor interceptor = path.interceptor;
        if (interceptor == null) {
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
        if (captured.size() == 0) {
            return;
        }
        counters.add(CAPTURED, captured.size());
        LinkTransport transport = path.transport;
        if (transport == null) {
            counters.add(UNSENT, captured.size());
        } else {
            send(transport);
        }
        counters.publish();
    }

    private void send(LinkTransport transport) {
        OpenLink[] links = path.links;
        int limit = path.maxPacketLength;
        LinkScheduler scheduler = path.scheduler;
        if (scheduler != null && path.faults.failed(scheduler)) {
            scheduler = null;
        }
        int upCount = 0;
        for (OpenLink link : links) {
            if (link != null && link.isUp()) {
                up[upCount++] = link.id();
            }
        }
        if (upCount == 0) { // every link silent (the peer restarting, or this side's ingress stalled): nothing to lose
            for (OpenLink link : links) {
                if (link != null && link.transportUp()) {
                    up[upCount++] = link.id();
                }
            }
        }
        frames.clear();
        for (int i = 0; i < captured.size(); i++) {
            framed[i] = false;
            left[i] = false;
            int length = captured.length(i);
            if (length > limit) {
                counters.add(TOO_BIG, 1);
                continue;
            }
            int count = upCount;
            int[] targets = up;
            if (scheduler != null && upCount > 0) {
                count = choose(scheduler, length, upCount, links);
                if (count < 0) { // the scheduler failed: redundant from now on
                    scheduler = null;
                    count = upCount;
                } else {
                    targets = chosen;
                }
            }
            if (count == 0) {
                counters.add(UNSENT, 1);
                continue;
            }
            if (nextSequence == EPOCH_END) {
                startEpoch(links);
            }
            int sequence = nextSequence++;
            ByteBuffer packet = captured.packet(i);
            int tagLength = auth == null ? 0 : FrameAuth.TAG_LENGTH;
            header.payloadProtocol(Payloads.onWire(captured.payload(i))).innerLength(length)
                    .epoch(path.epoch).globalSequence(sequence).authTagLength(tagLength);
            for (int t = 0; t < count; t++) {
                OpenLink link = links[targets[t]];
                if (frames.isFull()) {
                    flush(transport, links);
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
            framed[i] = true;
        }
        flush(transport, links);
        for (int i = 0; i < captured.size(); i++) {
            if (framed[i]) {
                counters.add(left[i] ? SENT : REFUSED, 1);
            }
        }
        for (OpenLink link : links) {
            if (link != null) {
                link.sent.publish();
            }
        }
    }

    /** The sequence number that must not be reached within one epoch (2^31, docs/protocol.md section 5). */
    static final int EPOCH_END = Integer.MIN_VALUE;

    /**
     * The next epoch: the current one plus 1, and both sequence numbers from 0. With a key the peer adopts it at
     * its first authenticated frame; without, it confirms it by a challenge first.
     */
    private void startEpoch(OpenLink[] links) {
        path.epoch = path.epoch + 1;
        nextSequence = 0;
        for (OpenLink link : links) {
            if (link != null) {
                link.nextLinkSequence = 0;
            }
        }
    }

    /** Makes this thread's authenticator when the configured keys changed (allocates: only on a change). */
    private void followTrust() {
        Trust wanted = path.trust;
        if (wanted != trust) {
            auth = wanted.authenticates() ? new FrameAuth(wanted.key()) : null;
            trust = wanted;
        }
    }

    /** The shortest wait for a capture: the state and probe deadlines are met within it. */
    static final long MIN_WAIT_NANOS = 50_000;
    /** Marks a frame of {@link #frames} as a health probe (else the packet it carries, or -1 for a queued frame). */
    private static final int HEALTH_PROBE = -2;
    /** Marks a frame of {@link #frames} as a probe of the link's full MTU. */
    private static final int MTU_PROBE = -3;

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
        OpenLink[] links = path.links;
        frames.clear();
        for (OpenLink link : links) {
            if (link == null) {
                continue;
            }
            LinkHealth h = link.health;
            if (h.probeDue(now, interval)) {
                if (nextSequence == EPOCH_END) {
                    startEpoch(links); // probes carry the next DATA number: never 2^31
                }
                if (frames.isFull()) {
                    flush(transport, links);
                }
                probe(link, LinkHealth.PROBE_LENGTH, h.lastProbeId, HEALTH_PROBE, now, link.nextLinkSequence++);
                int padded = mtuProbeLength(link);
                if (padded > 0 && h.mtuProbeDue(padded, now, interval, link.sent.get(OpenLink.REFUSED_QUEUE_FULL),
                        link.quality.degraded)) {
                    if (frames.isFull()) {
                        flush(transport, links);
                    }
                    // the frame before's link sequence: a padded probe the far end cannot take is not the link's loss
                    probe(link, padded, h.mtuProbeId, MTU_PROBE, now, link.nextLinkSequence - 1);
                }
            }
            due = Math.min(due, Math.min(h.nextProbeNanos(), h.evaluate(now, interval, link.transportUp())));
        }
        if (frames.size() > 0) {
            flush(transport, links);
            for (OpenLink link : links) {
                if (link != null) {
                    link.sent.publish();
                }
            }
        }
        return due;
    }

    /** Adds a PROBE of {@code innerLength} bytes (a plain body, the rest zeros) with this id to {@link #frames}. */
    private void probe(OpenLink link, int innerLength, int id, int marker, long now, int linkSequence) {
        int tagLength = auth == null ? 0 : FrameAuth.TAG_LENGTH;
        ByteBuffer slot = frames.slot(frames.size());
        control.frameType(FrameType.PROBE).innerLength(innerLength).epoch(path.epoch)
                .globalSequence(nextSequence).linkId(link.id()).linkSequence(linkSequence)
                .authTagLength(tagLength);
        FrameCodec.encode(control, slot, 0);
        ProbeBody.write(slot, FrameCodec.HEADER_LENGTH, now, id);
        for (int i = FrameCodec.HEADER_LENGTH + ProbeBody.LENGTH; i < FrameCodec.HEADER_LENGTH + innerLength; i++) {
            slot.put(i, (byte) 0);
        }
        if (auth != null) {
            auth.digestPayload(slot, 0, innerLength);
            auth.sign(slot, 0, innerLength, link.localMac, link.peerMac);
        }
        packetOfFrame[frames.size()] = marker;
        frames.commit(FrameCodec.HEADER_LENGTH + innerLength + tagLength, null, link.id());
    }

    /**
     * The body of a probe that fills the link's MTU exactly (header, body and tag), so that a peer or path that takes
     * less does not answer it; 0 while the MTU is not known. At most {@link DataPath#MAX_PACKET}: the largest body a
     * peer's control queue echoes (and the largest packet Alagg carries anyway).
     */
    private int mtuProbeLength(OpenLink link) {
        int body = Math.min(link.link.mtu() - FrameCodec.HEADER_LENGTH - (auth == null ? 0 : FrameAuth.TAG_LENGTH),
                DataPath.MAX_PACKET);
        return body > ProbeReport.MAX_ECHO_WITH_REPORT ? body : 0;
    }

    /** Sends what the ingress thread queued: each frame on its link, numbered and authenticated like data. */
    private void sendControl(LinkTransport transport) {
        ControlQueue queue = path.control;
        if (queue.isEmpty()) {
            return;
        }
        OpenLink[] links = path.links;
        frames.clear();
        if (nextSequence == EPOCH_END) {
            startEpoch(links); // probes carry the next DATA number: never 2^31
        }
        int tagLength = auth == null ? 0 : FrameAuth.TAG_LENGTH;
        // at most one queue's worth a turn: a flood of probes the ingress thread keeps answering never starves data
        for (int budget = ControlQueue.CAPACITY; budget > 0 && !queue.isEmpty(); budget--) {
            int q = queue.peek();
            int id = queue.link(q);
            OpenLink link = id < links.length ? links[id] : null;
            if (link != null && transport != null) { // else the link is gone: nothing to answer on
                if (frames.isFull()) {
                    flush(transport, links);
                }
                ByteBuffer slot = frames.slot(frames.size());
                int length = queue.length(q);
                // the echo of a padded probe takes the link sequence of the frame before it, as the probe did: that
                // the far end cannot take it is not the link's loss
                boolean paddedEcho = queue.type(q) == FrameType.PROBE_REPLY && length > ProbeReport.MAX_ECHO_WITH_REPORT;
                control.frameType(queue.type(q)).innerLength(length).epoch(path.epoch).globalSequence(nextSequence)
                        .linkId(id).linkSequence(paddedEcho ? link.nextLinkSequence - 1 : link.nextLinkSequence++)
                        .authTagLength(tagLength);
                FrameCodec.encode(control, slot, 0);
                queue.copyBody(q, slot, FrameCodec.HEADER_LENGTH);
                if (auth != null) {
                    auth.digestPayload(slot, 0, length);
                    auth.sign(slot, 0, length, link.localMac, link.peerMac);
                }
                packetOfFrame[frames.size()] = -1;
                frames.commit(FrameCodec.HEADER_LENGTH + length + tagLength, null, id);
            }
            queue.remove();
        }
        if (transport != null) {
            flush(transport, links);
        }
        for (OpenLink link : links) {
            if (link != null) {
                link.sent.publish();
            }
        }
    }

    /**
     * Asks the scheduler for the packet's links. Returns how many it chose, or -1 when it threw or answered with a
     * link that is not open (reported once; the caller falls back to redundant).
     */
    private int choose(LinkScheduler scheduler, int length, int upCount, OpenLink[] links) {
        int count;
        try {
            count = scheduler.choose(nextSequence, length, up, upCount, conditions, chosen);
        } catch (Throwable e) {
            path.faults.report(scheduler, "choose", e, REDUNDANT_FALLBACK);
            return -1;
        }
        boolean valid = count >= 0 && count <= upCount;
        for (int t = 0; valid && t < count; t++) {
            int id = chosen[t];
            valid = id >= 0 && id < links.length && links[id] != null;
        }
        if (!valid) {
            path.faults.report(scheduler, "choose", new IllegalStateException("it chose " + count
                    + " links or a link id that is not open"), REDUNDANT_FALLBACK);
            return -1;
        }
        return count;
    }

    private void flush(LinkTransport transport, OpenLink[] links) {
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
            OpenLink link = links[frames.link(j)];
            int refusal = frames.refusal(j);
            if (refusal == 0) {
                link.sent.add(OpenLink.FRAMES_SENT, 1);
                link.sent.add(OpenLink.BYTES_SENT, frames.length(j));
                if (packetOfFrame[j] >= 0) {
                    left[packetOfFrame[j]] = true;
                } else {
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
