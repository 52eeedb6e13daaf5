package org.alagg.transport.afpacket;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.alagg.api.PacketBatch;

/** Numbered test frames: what the AF_PACKET root tests send, and how they receive them. */
final class Frames {
    private Frames() {
    }

    /** Appends a frame of {@code length} bytes for {@code link}: its number in the first four, then a pattern. */
    static void frame(PacketBatch batch, int length, int link, int number) {
        ByteBuffer slot = batch.slot(batch.size());
        slot.putInt(0, number);
        for (int k = 4; k < length; k++) {
            slot.put(k, (byte) k);
        }
        batch.commit(length, null, link);
    }

    /** The numbers of the batch's frames, in ascending order. */
    static List<Integer> numbers(PacketBatch batch) {
        List<Integer> numbers = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            numbers.add(batch.packet(i).getInt(0));
        }
        numbers.sort(null);
        return numbers;
    }

    /** Receives from {@code transport} until {@code into} holds {@code frames} frames, 5 s at most. */
    static void receive(AfPacketTransport transport, PacketBatch into, int frames) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (into.size() < frames && System.nanoTime() < deadline) {
            transport.receive(into, TimeUnit.MILLISECONDS.toNanos(100));
        }
    }
}
