package org.alagg.engine;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.alagg.protocol.FrameType;
import org.alagg.protocol.ProbeReport;

/**
 * Frames the ingress thread wants sent (probe replies, epoch challenges), waiting for the egress thread, which numbers,
 * authenticates and sends every frame. One producer, one consumer, fixed slots, no lock and no allocation. When it is
 * full, further frames are dropped: probes are answered at the rate the queue drains, whatever a flood asks for. No
 * link holds more than {@value #PER_LINK} slots, so a flood on one peer's links never takes the slots the other peers'
 * replies and challenges need.
 */
final class ControlQueue {
    static final int CAPACITY = 64;
    /** The most frames one link may have waiting. */
    static final int PER_LINK = 8;

    private final ByteBuffer bodies;
    private final int slotSize;
    private final FrameType[] types = new FrameType[CAPACITY];
    private final int[] links = new int[CAPACITY];
    private final int[] lengths = new int[CAPACITY];
    /** Whether a slot is the exact echo of a padded probe (no report): it takes the link sequence of the frame before. */
    private final boolean[] paddedEchoes = new boolean[CAPACITY];
    /** Next slot the producer fills; written by the ingress thread only. */
    private final AtomicInteger tail = new AtomicInteger();
    /** Next slot the consumer reads; written by the egress thread only. */
    private final AtomicInteger head = new AtomicInteger();
    /** The frames waiting for each link: the producer adds, the consumer takes away. */
    private final AtomicIntegerArray waiting = new AtomicIntegerArray(DataPath.MAX_LINKS);

    /** @param maxBody the largest body (inner length) a slot holds */
    ControlQueue(int maxBody) {
        this.slotSize = maxBody;
        this.bodies = ByteBuffer.allocateDirect(CAPACITY * maxBody);
    }

    /**
     * Producer: queues a frame of {@code type} for link {@code linkId} whose body is {@code length} bytes of
     * {@code src} at {@code offset}.
     *
     * @return false when the queue is full or the body too long: nothing queued
     */
    boolean offer(FrameType type, int linkId, ByteBuffer src, int offset, int length) {
        return offer(type, linkId, src, offset, length, false);
    }

    private boolean offer(FrameType type, int linkId, ByteBuffer src, int offset, int length, boolean paddedEcho) {
        int t = tail.get();
        if (t - head.get() >= CAPACITY || length > slotSize || waiting.get(linkId) >= PER_LINK) {
            return false;
        }
        int slot = t & (CAPACITY - 1);
        bodies.put(slot * slotSize, src, offset, length);
        types[slot] = type;
        links[slot] = linkId;
        lengths[slot] = length;
        paddedEchoes[slot] = paddedEcho;
        waiting.incrementAndGet(linkId);
        tail.lazySet(t + 1); // publishes the slot
        return true;
    }

    /**
     * Producer: queues a PROBE_REPLY for link {@code linkId}: the probe's body ({@code length} bytes of {@code src} at
     * {@code offset}) echoed, then this side's report of the link ({@link ProbeReport}) when the body is short enough
     * ({@link ProbeReport#MAX_ECHO_WITH_REPORT}: a padded probe is echoed exactly).
     *
     * @param received the frames received from the peer on the link (running total)
     * @param lost     the frames found lost on the link by its link sequence (running total)
     * @param heard    the peer's link ids of the links on which this side hears it, in {@code heard[0 .. heardCount)}:
     *                 the heard list after the report
     * @return false when the queue is full or the body too long: nothing queued
     */
    boolean offerReply(int linkId, ByteBuffer src, int offset, int length, long received, long lost, int[] heard,
                       int heardCount) {
        int t = tail.get();
        if (length > ProbeReport.MAX_ECHO_WITH_REPORT) {
            return offer(FrameType.PROBE_REPLY, linkId, src, offset, length, true);
        }
        if (t - head.get() >= CAPACITY || waiting.get(linkId) >= PER_LINK) {
            return false;
        }
        int slot = t & (CAPACITY - 1);
        bodies.put(slot * slotSize, src, offset, length);
        int report = slot * slotSize + length;
        ProbeReport.write(bodies, report, length, (int) received, (int) lost);
        int list = ProbeReport.writeHeard(bodies, report, heard, Math.min(heardCount, ProbeReport.MAX_HEARD));
        types[slot] = FrameType.PROBE_REPLY;
        links[slot] = linkId;
        lengths[slot] = length + ProbeReport.LENGTH + list;
        paddedEchoes[slot] = false;
        waiting.incrementAndGet(linkId);
        tail.lazySet(t + 1);
        return true;
    }

    /** Producer: how many frames fit now. */
    int space() {
        return CAPACITY - (tail.get() - head.get());
    }

    /** Consumer: whether a frame waits. */
    boolean isEmpty() {
        return head.get() == tail.get();
    }

    /** Consumer: the oldest frame's slot, valid until {@link #remove}. */
    int peek() {
        return head.get() & (CAPACITY - 1);
    }

    FrameType type(int slot) {
        return types[slot];
    }

    int link(int slot) {
        return links[slot];
    }

    int length(int slot) {
        return lengths[slot];
    }

    /**
     * Whether the slot holds the exact echo of a padded probe, known by the body it echoes: a reply's own length cannot
     * tell, since the report a challenge's 28 bytes get makes it 43 or more.
     */
    boolean paddedEcho(int slot) {
        return paddedEchoes[slot];
    }

    /** Copies the body of {@code slot} to {@code dst} at {@code offset}. */
    void copyBody(int slot, ByteBuffer dst, int offset) {
        dst.put(offset, bodies, slot * slotSize, lengths[slot]);
    }

    /** Consumer: frees the oldest slot. */
    void remove() {
        int h = head.get();
        waiting.decrementAndGet(links[h & (CAPACITY - 1)]);
        head.lazySet(h + 1);
    }
}
