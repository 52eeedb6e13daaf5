package org.alagg.engine;

import java.nio.ByteBuffer;
import java.util.List;

import org.alagg.api.LinkScheduler;
import org.alagg.api.LinkTransport;
import org.alagg.api.PacketBatch;
import org.alagg.api.PacketInterceptor;
import org.alagg.protocol.FrameCodec;
import org.alagg.protocol.FrameHeader;
import org.alagg.protocol.FrameType;

/**
 * The egress thread: captured packets leave as one frame on every link that is up (redundant sending), or on the
 * links a {@link LinkScheduler} plugin chooses. A packet takes the next global sequence number only once it is
 * known to leave by at least one link, so the peer never waits for a number that was never sent. One capture, one
 * send per batch; nothing is allocated per packet.
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
    private final PacketBatch frames = new PacketBatch(DataPath.BATCH * 4, FrameCodec.HEADER_LENGTH + DataPath.MAX_PACKET);
    /** For each frame of {@link #frames}, the captured packet it carries. */
    private final int[] packetOfFrame = new int[frames.capacity()];
    /** For each captured packet: whether it was given frames, and whether one of them left. */
    private final boolean[] framed = new boolean[DataPath.BATCH];
    private final boolean[] left = new boolean[DataPath.BATCH];
    private final FrameHeader header = new FrameHeader().frameType(FrameType.DATA);
    /** The links up for this batch, and a scheduler's choice among them. */
    private final int[] up = new int[DataPath.MAX_LINKS];
    private final int[] chosen = new int[DataPath.MAX_LINKS];
    final Counters counters = new Counters(COUNTERS);
    /** Never restarts while the process runs, whatever is swapped. */
    private int nextSequence;

    Egress(DataPath path, PathError error) {
        super(path, "alagg-egress", error);
    }

    /**
     * One capture and its send. A method of its own because HotSpot compiles a method after a few hundred
     * calls, but a loop body only after tens of thousands of iterations (on-stack replacement): at a few hundred
     * packets a second the whole turn would run in the interpreter for minutes, tens of microseconds a packet.
     */
    @Override
    void turn() {
        PacketInterceptor interceptor = path.interceptor;
        if (interceptor == null) {
            DataPath.idle();
            return;
        }
        captured.clear();
        try {
            interceptor.capture(captured, DataPath.TURN_NANOS);
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
            int sequence = nextSequence++;
            ByteBuffer packet = captured.packet(i);
            header.payloadProtocol(Payloads.onWire(captured.payload(i))).innerLength(length)
                    .epoch(path.epoch).globalSequence(sequence);
            for (int t = 0; t < count; t++) {
                OpenLink link = links[targets[t]];
                if (frames.isFull()) {
                    flush(transport, links);
                }
                ByteBuffer slot = frames.slot(frames.size());
                header.linkId(link.id()).linkSequence(link.nextLinkSequence++);
                FrameCodec.encode(header, slot, 0);
                slot.put(FrameCodec.HEADER_LENGTH, packet, 0, length);
                packetOfFrame[frames.size()] = i;
                frames.commit(FrameCodec.HEADER_LENGTH + length, captured.payload(i), link.id());
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

    /**
     * Asks the scheduler for the packet's links. Returns how many it chose, or -1 when it threw or answered with a
     * link that is not open (reported once; the caller falls back to redundant).
     */
    private int choose(LinkScheduler scheduler, int length, int upCount, OpenLink[] links) {
        int count;
        try {
            count = scheduler.choose(nextSequence, length, up, upCount, chosen);
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
                left[packetOfFrame[j]] = true;
            } else {
                link.refused(refusal);
            }
        }
        frames.clear();
    }
}
