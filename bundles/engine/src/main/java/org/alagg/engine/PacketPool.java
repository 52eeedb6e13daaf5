package org.alagg.engine;

import java.nio.ByteBuffer;
import java.util.Arrays;

import org.alagg.api.PacketBatch;
import org.alagg.api.PayloadType;
import org.alagg.protocol.Sequence;

/**
 * Packets the ingress thread holds for one peer while a reordering strategy waits: fixed slots in one direct buffer,
 * handed out by number, so holding a packet allocates nothing. The buffer is allocated when the first packet comes.
 *
 * <p>The pool remembers each held packet's sequence number, so that whatever a strategy holds can be recovered
 * in order without it ({@link #reclaim}): when the strategy throws, or gives back less than it took.
 */
final class PacketPool {
    /** What reclaimed packets are handed to, in sequence order. */
    interface Reclaimer {
        void reclaimed(int sequence, int handle);
    }

    /** Allocated at the first packet: a peer that never sends data costs no direct memory. */
    private volatile ByteBuffer memory;
    private final int slotSize;
    private final int[] lengths;
    private final int[] sequences;
    private final PayloadType[] payloads;
    private final boolean[] taken;
    /** Held for its place in the sequence only: released instead of delivered (a source the peer may not use). */
    private final boolean[] withheld;
    private final int[] free;
    private int freeCount;

    PacketPool(int capacity, int slotSize) {
        this.slotSize = slotSize;
        Math.multiplyExact(capacity, slotSize); // fits an int: checked now, allocated later
        this.lengths = new int[capacity];
        this.sequences = new int[capacity];
        this.payloads = new PayloadType[capacity];
        this.taken = new boolean[capacity];
        this.withheld = new boolean[capacity];
        this.free = new int[capacity];
        for (int i = 0; i < capacity; i++) {
            free[i] = capacity - 1 - i;
        }
        freeCount = capacity;
    }

    /** The direct memory a pool of {@code capacity} slots of {@code slotSize} bytes takes. */
    static long bytes(int capacity, int slotSize) {
        return (long) capacity * slotSize;
    }

    /** Copies a packet in; returns its handle, or -1 when the pool is full. */
    int take(ByteBuffer source, int offset, int length, PayloadType payload, int sequence) {
        if (freeCount == 0 || length > slotSize || memory == null && !allocate()) {
            return -1;
        }
        int handle = free[--freeCount];
        memory.put(handle * slotSize, source, offset, length);
        lengths[handle] = length;
        payloads[handle] = payload;
        sequences[handle] = sequence;
        taken[handle] = true;
        withheld[handle] = false;
        return handle;
    }

    /** How long after a failed allocation the next is tried: a failing one makes the JVM collect and wait. */
    private static final long RETRY_NANOS = 1_000_000_000L;
    /** When the allocation failed last; 0: never. */
    private long failedNanos;

    /**
     * Allocates the slots' memory, once; false when the direct memory is exhausted (the packet is counted overflow), and
     * for a second after that without trying: a failing allocation costs the ingress thread a collection and a wait.
     */
    private boolean allocate() {
        if (failedNanos != 0 && System.nanoTime() - failedNanos < RETRY_NANOS) {
            return false;
        }
        try {
            memory = ByteBuffer.allocateDirect(lengths.length * slotSize);
            return true;
        } catch (OutOfMemoryError e) {
            failedNanos = System.nanoTime() | 1;
            return false;
        }
    }

    /** Whether the slots' memory is allocated (the first packet came). */
    boolean allocated() {
        return memory != null;
    }

    /** Marks a held packet as one never to deliver: it keeps its place in the sequence until released. */
    void withhold(int handle) {
        withheld[handle] = true;
    }

    boolean isWithheld(int handle) {
        return withheld[handle];
    }

    /** Copies the packet into the batch's next slot and frees its handle. */
    void moveTo(int handle, PacketBatch batch) {
        batch.slot(batch.size()).put(0, memory, handle * slotSize, lengths[handle]);
        batch.commit(lengths[handle], payloads[handle], -1);
        release(handle);
    }

    /**
     * Frees a handle. A handle that is not taken (a strategy giving one back twice, or one it never had) is
     * ignored: it must not enter the free list a second time.
     *
     * @return whether the handle was taken
     */
    boolean release(int handle) {
        if (handle < 0 || handle >= taken.length || !taken[handle]) {
            return false;
        }
        taken[handle] = false;
        free[freeCount++] = handle;
        return true;
    }

    /** Whether {@code handle} is a packet the pool holds now. */
    boolean isTaken(int handle) {
        return handle >= 0 && handle < taken.length && taken[handle];
    }

    /** How many packets are held now. */
    int held() {
        return taken.length - freeCount;
    }

    int capacity() {
        return lengths.length;
    }

    /**
     * Hands every held packet to {@code to}, in sequence order (serial arithmetic, from the lowest), and leaves
     * releasing them to it. A failure path (a strategy that threw or leaked): it allocates.
     */
    void reclaim(Reclaimer to) {
        int[] held = new int[held()];
        int n = 0;
        for (int h = 0; h < taken.length; h++) {
            if (taken[h]) {
                held[n++] = h;
            }
        }
        if (n == 0) {
            return;
        }
        int lowest = sequences[held[0]];
        for (int i = 1; i < n; i++) {
            if (Sequence.isAfter(lowest, sequences[held[i]])) {
                lowest = sequences[held[i]];
            }
        }
        int base = lowest;
        long[] order = new long[n]; // (distance from the lowest, handle): sorts by sequence
        for (int i = 0; i < n; i++) {
            order[i] = (long) Sequence.distance(base, sequences[held[i]]) << 32 | held[i];
        }
        Arrays.sort(order);
        for (long o : order) {
            int handle = (int) o;
            to.reclaimed(sequences[handle], handle);
        }
    }
}
