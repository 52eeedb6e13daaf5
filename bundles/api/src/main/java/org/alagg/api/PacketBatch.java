package org.alagg.api;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A reusable batch of packets or frames in one direct buffer, divided into fixed-size slots.
 *
 * <p>Every boundary of the data path moves batches, never single packets: one batch maps onto one
 * {@code recvmmsg}/{@code sendmmsg} or one NFQUEUE verdict batch. A batch is allocated once and reused,
 * so the hot path allocates nothing. It belongs to one thread at a time; it is not thread-safe.
 *
 * <p>To fill a batch, write into {@link #slot(int) slot(size())} and {@link #commit(int, PayloadType, int)} it.
 * To read, walk {@code 0 .. size()-1} with {@link #packet(int)}, {@link #length(int)}, {@link #payload(int)}
 * and {@link #link(int)}.
 */
public final class PacketBatch {
    private final ByteBuffer memory;
    private final ByteBuffer[] slots;
    private final int slotSize;
    private final int[] lengths;
    private final int[] links;
    private final PayloadType[] payloads;
    private final int[] refusals;
    private int size;

    /**
     * @param capacity how many packets the batch holds
     * @param slotSize the largest packet or frame one slot holds, in bytes
     */
    public PacketBatch(int capacity, int slotSize) {
        if (capacity <= 0 || slotSize <= 0) {
            throw new IllegalArgumentException("capacity and slot size must be positive: " + capacity + ", " + slotSize);
        }
        this.slotSize = slotSize;
        this.memory = ByteBuffer.allocateDirect(Math.multiplyExact(capacity, slotSize)).order(ByteOrder.BIG_ENDIAN);
        this.slots = new ByteBuffer[capacity];
        for (int i = 0; i < capacity; i++) {
            slots[i] = memory.slice(i * slotSize, slotSize).order(ByteOrder.BIG_ENDIAN);
        }
        this.lengths = new int[capacity];
        this.links = new int[capacity];
        this.payloads = new PayloadType[capacity];
        this.refusals = new int[capacity];
    }

    /** How many packets the batch can hold. */
    public int capacity() {
        return slots.length;
    }

    /** The size of one slot in bytes. */
    public int slotSize() {
        return slotSize;
    }

    /** How many packets the batch holds now. */
    public int size() {
        return size;
    }

    /** Whether no further packet can be committed. */
    public boolean isFull() {
        return size == slots.length;
    }

    /** Empties the batch; its memory is kept for reuse. */
    public void clear() {
        size = 0;
    }

    /** The whole memory of the batch, for native calls that address slots by {@link #offset(int)}. */
    public ByteBuffer memory() {
        return memory;
    }

    /** Where slot {@code i} starts in {@link #memory()}. */
    public int offset(int i) {
        return i * slotSize;
    }

    /** Slot {@code i} to write into: position 0, limit the slot size. The view is shared: do not keep it. */
    public ByteBuffer slot(int i) {
        return slots[i].clear();
    }

    /**
     * Appends the packet written into {@code slot(size())}.
     *
     * @param length its length in bytes
     * @param payload what it carries
     * @param link the link it arrived on or leaves by, or -1 when no link is involved
     */
    public void commit(int length, PayloadType payload, int link) {
        if (size == slots.length) {
            throw new IllegalStateException("batch is full (" + size + " packets)");
        }
        if (length < 0 || length > slotSize) {
            throw new IllegalArgumentException("length " + length + " does not fit a slot of " + slotSize + " bytes");
        }
        lengths[size] = length;
        payloads[size] = payload;
        links[size] = link;
        refusals[size] = 0;
        size++;
    }

    /** Packet {@code i}: position 0, limit its length. The view is shared: do not keep it. */
    public ByteBuffer packet(int i) {
        checkIndex(i);
        return slots[i].clear().limit(lengths[i]);
    }

    /** The length of packet {@code i} in bytes. */
    public int length(int i) {
        checkIndex(i);
        return lengths[i];
    }

    /** What packet {@code i} carries. */
    public PayloadType payload(int i) {
        checkIndex(i);
        return payloads[i];
    }

    /** The link packet {@code i} arrived on or leaves by, or -1. */
    public int link(int i) {
        checkIndex(i);
        return links[i];
    }

    /** Sets the link of packet {@code i}, e.g. once a transport knows which link a frame came from. */
    public void link(int i, int link) {
        checkIndex(i);
        links[i] = link;
    }

    /**
     * Marks frame {@code i} as not sent: a {@link LinkTransport} calls it for each frame the kernel refused or
     * that could not go (its link down), so the engine counts what really left, per link and per reason.
     *
     * @param errno why, as a Linux errno: EAGAIN (11) or ENOBUFS (105) for a full queue, EMSGSIZE (90) for a frame
     *        longer than the link's MTU, ENETDOWN (100) for a link that is down; any other errno is counted as other
     * @since 2.0
     */
    public void refuse(int i, int errno) {
        checkIndex(i);
        refusals[i] = errno == 0 ? -1 : errno;
    }

    /** Why frame {@code i} was not sent (see {@link #refuse}), or 0 when it was sent or not tried yet. @since 2.0 */
    public int refusal(int i) {
        checkIndex(i);
        return refusals[i];
    }

    private void checkIndex(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("packet " + i + " of a batch of " + size);
        }
    }
}
