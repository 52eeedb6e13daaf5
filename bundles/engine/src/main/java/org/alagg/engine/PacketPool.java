package org.alagg.engine;

import java.nio.ByteBuffer;

import org.alagg.api.PacketBatch;
import org.alagg.api.PayloadType;

/**
 * Packets the ingress thread holds while a reordering strategy waits: fixed slots in one direct buffer,
 * handed out by number, so holding a packet allocates nothing.
 */
final class PacketPool {
    private final ByteBuffer memory;
    private final int slotSize;
    private final int[] lengths;
    private final PayloadType[] payloads;
    private final int[] free;
    private int freeCount;

    PacketPool(int capacity, int slotSize) {
        this.slotSize = slotSize;
        this.memory = ByteBuffer.allocateDirect(Math.multiplyExact(capacity, slotSize));
        this.lengths = new int[capacity];
        this.payloads = new PayloadType[capacity];
        this.free = new int[capacity];
        for (int i = 0; i < capacity; i++) {
            free[i] = capacity - 1 - i;
        }
        freeCount = capacity;
    }

    /** Copies a packet in; returns its handle, or -1 when the pool is full. */
    int take(ByteBuffer source, int offset, int length, PayloadType payload) {
        if (freeCount == 0 || length > slotSize) {
            return -1;
        }
        int handle = free[--freeCount];
        memory.put(handle * slotSize, source, offset, length);
        lengths[handle] = length;
        payloads[handle] = payload;
        return handle;
    }

    /** Copies the packet into the batch's next slot and frees its handle. */
    void moveTo(int handle, PacketBatch batch) {
        batch.slot(batch.size()).put(0, memory, handle * slotSize, lengths[handle]);
        batch.commit(lengths[handle], payloads[handle], -1);
        release(handle);
    }

    void release(int handle) {
        free[freeCount++] = handle;
    }

    int capacity() {
        return lengths.length;
    }

}
