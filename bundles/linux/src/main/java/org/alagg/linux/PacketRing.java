package org.alagg.linux;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.alagg.api.PacketBatch;
import org.alagg.linux.internal.Native;

/**
 * A TPACKET_V2 receive ring (PACKET_RX_RING) of an AF_PACKET socket: the kernel copies each frame into the next
 * free slot of memory shared with this process, where the receiving thread reads it without a system call, instead
 * of queueing it on the socket for recvmmsg (whose per-message work, copying of message headers and freeing of the
 * frame in the receiving thread, cost more than the frame's data). Not TPACKET_V3: its block timeout would hold a
 * lone frame back. Receiving thread only, while it holds the socket's descriptor.
 */
final class PacketRing {
    /** One slot per frame, a page each: the tpacket2_hdr, the sockaddr_ll, then the frame at tp_net. */
    static final int FRAME_SIZE = 4096;
    static final int FRAMES = 1024;
    private static final int BLOCK_SIZE = 64 * FRAME_SIZE;
    private static final int SIZE = FRAME_SIZE * FRAMES;

    // struct tpacket2_hdr
    private static final int TP_STATUS = 0;
    private static final int TP_LEN = 4;
    private static final int TP_SNAPLEN = 8;
    private static final int TP_NET = 14;
    /** TPACKET_ALIGN(sizeof(struct tpacket2_hdr)): where the sockaddr_ll starts. */
    private static final int SOCKADDR = 32;

    private static final VarHandle STATUS = MethodHandles.byteBufferViewVarHandle(int[].class,
            ByteOrder.nativeOrder());

    private final long address;
    private final ByteBuffer ring;
    private int head;
    private long discarded;

    private PacketRing(long address) {
        this.address = address;
        this.ring = Native.buffer(address, SIZE).order(ByteOrder.nativeOrder());
    }

    /** Sets up the ring on a socket that has not been bound yet, and maps it. */
    static PacketRing attach(int fd) throws LinuxException {
        Sys.setInt(fd, Linux.SOL_PACKET, Linux.PACKET_VERSION, Linux.TPACKET_V2, "setsockopt(PACKET_VERSION, TPACKET_V2)");
        ByteBuffer request = Structs.allocate(16); // struct tpacket_req
        request.putInt(0, BLOCK_SIZE).putInt(4, SIZE / BLOCK_SIZE).putInt(8, FRAME_SIZE).putInt(12, FRAMES);
        if (Sys.libc().setsockopt(fd, Linux.SOL_PACKET, Linux.PACKET_RX_RING, Native.address(request), 16) < 0) {
            throw new LinuxException("setsockopt(PACKET_RX_RING)", Native.errno());
        }
        long address = Sys.libc().syscall(Linux.SYS_MMAP, 0, SIZE, Linux.PROT_READ | Linux.PROT_WRITE,
                Linux.MAP_SHARED, fd, 0);
        if (address == -1) {
            throw new LinuxException("mmap(PACKET_RX_RING, " + SIZE + " bytes)", Native.errno());
        }
        return new PacketRing(address);
    }

    /**
     * Copies up to {@code most} frames that are ready into the batch's free slots, committing each with link -1
     * and payload {@code null}, and gives their slots back to the kernel; the sources of the frames go to
     * {@code ifindex} and {@code mac} (index 0 for the first frame appended). A frame the kernel cut short, longer
     * than a slot, or seen in promiscuous mode or as our own outgoing frame is skipped and counted in
     * {@link #discarded()}.
     *
     * @return how many frames were appended
     */
    int receive(PacketBatch into, int most, int[] ifindex, long[] mac) {
        int count = 0;
        ByteBuffer memory = into.memory();
        int slotSize = into.slotSize();
        while (count < most) {
            int frame = head * FRAME_SIZE;
            if (((int) STATUS.getAcquire(ring, frame) & Linux.TP_STATUS_USER) == 0) {
                break;
            }
            int length = ring.getInt(frame + TP_LEN);
            int captured = ring.getInt(frame + TP_SNAPLEN);
            int packetType = ring.get(frame + SOCKADDR + Structs.SLL_PKTTYPE) & 0xFF;
            if (captured < length || length > slotSize || packetType == Linux.PACKET_OTHERHOST
                    || packetType == Linux.PACKET_OUTGOING) {
                discarded++;
            } else {
                int data = frame + (ring.getShort(frame + TP_NET) & 0xFFFF);
                memory.put(into.offset(into.size()), ring, data, length);
                ifindex[count] = ring.getInt(frame + SOCKADDR + Structs.SLL_IFINDEX);
                mac[count] = Structs.getMac(ring, frame + SOCKADDR + Structs.SLL_ADDR);
                into.commit(length, null, -1);
                count++;
            }
            STATUS.setRelease(ring, frame, Linux.TP_STATUS_KERNEL);
            head = head + 1 == FRAMES ? 0 : head + 1;
        }
        return count;
    }

    /** Frames skipped so far (see {@link #receive}). */
    long discarded() {
        return discarded;
    }

    /** Unmaps the ring: only once the socket is closed and no thread reads the ring any more. */
    void unmap() {
        Sys.libc().munmap(address, SIZE);
    }
}
