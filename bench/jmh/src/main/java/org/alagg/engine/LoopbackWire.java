package org.alagg.engine;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.alagg.api.Link;
import org.alagg.api.LinkState;
import org.alagg.api.LinkTransport;
import org.alagg.api.MacAddress;
import org.alagg.api.PacketBatch;
import org.alagg.protocol.FrameAuth;
import org.alagg.protocol.FrameCodec;

/**
 * Links looped back to the same data path through one ring of frames: what the egress thread sends, its
 * ingress thread receives. Within each group of four frames sent (two packets on two links) the two packets
 * trade places, so half the packets arrive ahead of the one before them and the strategy holds them.
 *
 * <p>One sender thread and one receiver thread, no lock and no allocation, so that whatever the hot threads
 * allocate is the data path's own.
 */
final class LoopbackWire implements LinkTransport {
    /** Frames in flight; a power of two. */
    private static final int CAPACITY = 1024;
    private static final int SLOT = FrameCodec.HEADER_LENGTH + DataPath.MAX_PACKET + FrameAuth.TAG_LENGTH;
    /** A full ring drops what it cannot take within this time, as a link's full queue does. */
    private static final long SEND_PATIENCE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(10);

    private final ByteBuffer ring = ByteBuffer.allocateDirect(CAPACITY * SLOT);
    private final int[] lengths = new int[CAPACITY];
    private final int[] links = new int[CAPACITY];
    /** Frames ever written (sender only) and read (receiver only); each publishes the slots it is done with. */
    private volatile long written;
    private volatile long read;
    private volatile long dropped;

    @Override
    public Link open(int id, String interfaceName, MacAddress peer, int etherType) {
        return new LoopedLink(id, interfaceName, peer);
    }

    @Override
    public int send(PacketBatch frames) {
        int sent = 0;
        for (int i = 0; i < frames.size(); i++) {
            int frame = (i ^ 2) < frames.size() ? i ^ 2 : i; // the two packets of each group of four frames swapped
            if (!awaitRoom()) {
                dropped++;
                continue;
            }
            int slot = (int) (written & (CAPACITY - 1));
            ring.put(slot * SLOT, frames.packet(frame), 0, frames.length(frame));
            lengths[slot] = frames.length(frame);
            links[slot] = frames.link(frame);
            written++;
            sent++;
        }
        return sent;
    }

    @Override
    public int receive(PacketBatch frames, long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        while (read == written && System.nanoTime() < deadline) {
            LockSupport.parkNanos(POLL_NANOS);
        }
        int received = 0;
        while (read != written && !frames.isFull()) {
            int slot = (int) (read & (CAPACITY - 1));
            frames.slot(frames.size()).put(0, ring, slot * SLOT, lengths[slot]);
            frames.commit(lengths[slot], null, links[slot]);
            read++;
            received++;
        }
        return received;
    }

    @Override
    public void wakeup() {
    }

    /** Frames the ring had no room for. */
    long dropped() {
        return dropped;
    }

    private boolean awaitRoom() {
        long deadline = System.nanoTime() + SEND_PATIENCE_NANOS;
        while (written - read == CAPACITY) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
        return true;
    }

    private record LoopedLink(int id, String interfaceName, MacAddress peer) implements Link {
        /**
         * The link leads back to this side, so this side's address is the peer's: a frame is signed from
         * {@code local} to {@code peer} and verified as coming from {@code peer} to {@code local}, the same pair.
         */
        @Override
        public MacAddress local() {
            return peer;
        }

        @Override
        public LinkState state() {
            return LinkState.UP;
        }

        @Override
        public int mtu() {
            return 1500;
        }

        @Override
        public String stateDetail() {
            return "";
        }

        @Override
        public void close() {
        }
    }
}
