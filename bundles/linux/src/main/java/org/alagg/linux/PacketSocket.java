package org.alagg.linux;

import java.io.Closeable;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;

import org.alagg.api.MacAddress;
import org.alagg.api.PacketBatch;
import org.alagg.linux.internal.Native;

/**
 * An AF_PACKET datagram socket for one EtherType, on one interface or on every interface: sends each frame of a
 * batch to the peer of the link the frame names, with one sendmmsg, and receives frames with one recvmmsg,
 * telling for each the interface and source MAC it came from.
 *
 * <p>{@link #open(int, int, int) Bound} to an interface, the socket receives the EtherType's frames of that
 * interface only, and its send buffer and errors are its own: a full queue on another interface never refuses
 * its frames. {@link #open(int, int) Unbound}, frames arrive from every interface, and a destination names its
 * interface by index. SOCK_DGRAM: a slot holds the frame's payload (the Alagg frame); the kernel writes and
 * strips the Ethernet header. Own outgoing frames are not received (PACKET_IGNORE_OUTGOING), nor are frames
 * addressed to another host's MAC (seen in promiscuous mode).
 *
 * <p>Everything is allocated at {@link #open}: send and receive allocate nothing. One thread sends, one thread
 * receives; {@link #setDestination}, {@link #clearDestination}, {@link #wakeup} and {@link #close} may come from
 * any thread. A send or receive under way when another thread closes the socket still uses the descriptor it
 * started with (it is closed when they return); later ones throw {@link ClosedChannelException}.
 */
public final class PacketSocket implements Closeable {
    /** Links are numbered {@code 0 .. MAX_LINKS-1}. */
    public static final int MAX_LINKS = 256;

    private static final int SOCKET_BUFFER_BYTES = 4 << 20;

    private final int etherType;
    private final int ifindex;
    private final int capacity;
    private final String sendCall;
    private final String receiveCall;
    private final Descriptor descriptor;

    // sending: one preallocated sockaddr_ll per link, guarded by destinationLock (also held during sendmmsg)
    private final Object destinationLock = new Object();
    private final ByteBuffer destinations;
    private final long destinationsAddress;
    private final boolean[] hasDestination = new boolean[MAX_LINKS];
    private final MessageVector sendVector;
    private final Sys.BatchAddress sendBatch = new Sys.BatchAddress();
    /** The frame of the batch each message of the send vector carries, and the batch (sending thread). */
    private final int[] sentFrame;
    private PacketBatch sending;
    private final MessageVector.Refusals markRefused = this::markRefused;
    private final ByteBuffer scratch = Structs.allocate(Structs.SOCKADDR_LL_SIZE + 8);

    // receiving
    private final MessageVector receiveVector;
    private final ByteBuffer sources;
    private final Sys.BatchAddress receiveBatch = new Sys.BatchAddress();
    private final int[] sourceIfindex;
    private final long[] sourceMac;
    private int receivedFirst;
    private int receivedCount;
    private long discarded;
    private int lastReceiveError;

    private PacketSocket(int fd, int etherType, int ifindex, int capacity) throws LinuxException {
        this.etherType = etherType;
        this.ifindex = ifindex;
        this.capacity = capacity;
        String proto = String.format("AF_PACKET, EtherType 0x%04x", etherType) + (ifindex > 0 ? ", ifindex " + ifindex : "");
        this.sendCall = "sendmmsg(" + proto + ")";
        this.receiveCall = "recvmmsg(" + proto + ")";
        this.destinations = Structs.allocate(MAX_LINKS * Structs.SOCKADDR_LL_SIZE);
        this.destinationsAddress = Native.address(destinations);
        this.sendVector = new MessageVector(capacity);
        this.sentFrame = new int[capacity];
        this.receiveVector = new MessageVector(capacity);
        this.sources = Structs.allocate(capacity * Structs.SOCKADDR_LL_SIZE);
        long sourcesAddress = Native.address(sources);
        for (int j = 0; j < capacity; j++) {
            receiveVector.setName(j, sourcesAddress + (long) j * Structs.SOCKADDR_LL_SIZE, Structs.SOCKADDR_LL_SIZE);
        }
        this.sourceIfindex = new int[capacity];
        this.sourceMac = new long[capacity];
        this.descriptor = Descriptor.polled(fd);
    }

    /**
     * Opens a socket for one EtherType on all interfaces.
     *
     * @param etherType the EtherType of Alagg frames, e.g. 0x88B5
     * @param batchCapacity the most frames one call sends or receives (1 to 1024); larger batches take more calls
     * @throws LinuxException EPERM without CAP_NET_RAW
     */
    public static PacketSocket open(int etherType, int batchCapacity) throws LinuxException {
        return open(etherType, batchCapacity, 0);
    }

    /**
     * Opens a socket for one EtherType bound to one interface: it receives only that interface's frames, and
     * what it sends queues there alone. Frames still go to the {@link #setDestination destinations} given.
     *
     * @param ifindex the interface's index; 0 for all interfaces, as {@link #open(int, int)}
     * @throws LinuxException EPERM without CAP_NET_RAW; ENODEV when there is no such interface
     */
    public static PacketSocket open(int etherType, int batchCapacity, int ifindex) throws LinuxException {
        if (etherType < 0x0600 || etherType > 0xFFFF) {
            throw new IllegalArgumentException(String.format("EtherType 0x%04x: must be 0x0600 to 0xffff", etherType));
        }
        if (ifindex < 0) {
            throw new IllegalArgumentException("interface index " + ifindex);
        }
        Sys.checkCapacity(batchCapacity);
        // protocol 0 receives nothing until bind names the EtherType (and the interface): no stray frames before
        int fd = Sys.socket(Linux.AF_PACKET, Linux.SOCK_DGRAM | Linux.SOCK_NONBLOCK, 0,
                String.format("socket(AF_PACKET, SOCK_DGRAM, EtherType 0x%04x)", etherType));
        try {
            int errno = Sys.trySetInt(fd, Linux.SOL_PACKET, Linux.PACKET_IGNORE_OUTGOING, 1);
            if (errno != 0 && errno != LinuxException.ENOPROTOOPT) {
                throw new LinuxException("setsockopt(PACKET_IGNORE_OUTGOING)", errno);
            }
            Sys.setBuffers(fd, SOCKET_BUFFER_BYTES);
            ByteBuffer address = Structs.allocate(Structs.SOCKADDR_LL_SIZE);
            Structs.putSockaddrLl(address, 0, etherType, ifindex, 0);
            if (Sys.libc().bind(fd, Native.address(address), Structs.SOCKADDR_LL_SIZE) < 0) {
                throw new LinuxException(String.format("bind(AF_PACKET, EtherType 0x%04x, ifindex %d)", etherType, ifindex),
                        Native.errno());
            }
            return new PacketSocket(fd, etherType, ifindex, batchCapacity);
        } catch (LinuxException | RuntimeException e) {
            Sys.close(fd);
            throw e;
        }
    }

    /** The interface this socket was bound to at {@link #open(int, int, int)}, or 0 for all interfaces. */
    public int ifindex() {
        return ifindex;
    }

    /**
     * The interface the kernel has the socket bound to now: {@link #ifindex()}, or -1 once that interface was
     * removed: such a socket receives nothing any more, even if an interface of the same index comes back; open
     * another. Any thread.
     */
    public int boundIfindex() throws LinuxException, ClosedChannelException {
        int fd = descriptor.acquire();
        try {
            synchronized (scratch) {
                long address = Native.address(scratch);
                scratch.putInt(Structs.SOCKADDR_LL_SIZE, Structs.SOCKADDR_LL_SIZE);
                if (Sys.libc().getsockname(fd, address, address + Structs.SOCKADDR_LL_SIZE) < 0) {
                    throw new LinuxException("getsockname(AF_PACKET)", Native.errno());
                }
                return scratch.getInt(Structs.SLL_IFINDEX);
            }
        } finally {
            descriptor.release();
        }
    }

    /**
     * Reads and clears the error the kernel queued on the socket (SO_ERROR), 0 if none: e.g. ENETDOWN, queued
     * when the bound interface went down, which would otherwise refuse the first frame sent after it is up
     * again (or end the next receive). Any thread.
     */
    public int clearError() throws LinuxException, ClosedChannelException {
        int fd = descriptor.acquire();
        try {
            return Sys.getInt(fd, Linux.SOL_SOCKET, Linux.SO_ERROR, "getsockopt(SO_ERROR)");
        } finally {
            descriptor.release();
        }
    }

    Descriptor descriptor() {
        return descriptor;
    }

    /**
     * Makes frames of {@code link} go to {@code peer} through interface {@code ifindex}. Any thread.
     *
     * @param link 0 to {@link #MAX_LINKS}-1
     */
    public void setDestination(int link, int ifindex, MacAddress peer) {
        checkLink(link);
        if (ifindex <= 0) {
            throw new IllegalArgumentException("interface index " + ifindex + " for link " + link);
        }
        synchronized (destinationLock) {
            Structs.putSockaddrLl(destinations, link * Structs.SOCKADDR_LL_SIZE, etherType, ifindex, peer.toLong());
            hasDestination[link] = true;
        }
    }

    /** Frames of {@code link} are not sent any more (until a new destination). Any thread. */
    public void clearDestination(int link) {
        checkLink(link);
        synchronized (destinationLock) {
            hasDestination[link] = false;
        }
    }

    private static void checkLink(int link) {
        if (link < 0 || link >= MAX_LINKS) {
            throw new IllegalArgumentException("link " + link + ": 0 to " + (MAX_LINKS - 1));
        }
    }

    /**
     * Sends every frame of the batch that has a destination here (by its {@link PacketBatch#link(int) link}), in
     * one sendmmsg (more only when the batch is larger than the socket's capacity); frames of other links are left
     * alone. A frame the kernel refuses is marked with {@link PacketBatch#refuse(int, int)} and the rest still
     * go, except after EAGAIN (the socket's buffer is full) and, on a socket bound to an interface, ENOBUFS (the
     * interface's queue is full) and ENXIO (the interface is gone): those refuse this call's remaining frames too.
     *
     * @return how many frames left
     * @throws LinuxException only when the socket itself is broken
     * @throws ClosedChannelException when the socket was closed before the call
     */
    public int send(PacketBatch frames) throws LinuxException, ClosedChannelException {
        int fd = descriptor.acquire();
        try {
            return send(fd, frames);
        } finally {
            sending = null;
            descriptor.release();
        }
    }

    private int send(int fd, PacketBatch frames) throws LinuxException {
        long base = sendBatch.of(frames);
        sending = frames;
        int n = frames.size();
        int sent = 0;
        synchronized (destinationLock) {
            int i = 0;
            while (i < n) {
                int count = 0;
                for (; i < n && count < capacity; i++) {
                    int link = frames.link(i);
                    if (link < 0 || link >= MAX_LINKS || !hasDestination[link]) {
                        continue;
                    }
                    sendVector.setName(count, destinationsAddress + (long) link * Structs.SOCKADDR_LL_SIZE,
                            Structs.SOCKADDR_LL_SIZE);
                    sendVector.setBuffer(count, base + frames.offset(i), frames.length(i));
                    sentFrame[count] = i;
                    count++;
                }
                if (count > 0) {
                    sent += sendVector.sendAll(fd, count, ifindex > 0, markRefused, sendCall);
                }
            }
        }
        return sent;
    }

    private void markRefused(int first, int count, int errno) {
        for (int j = first; j < first + count; j++) {
            sending.refuse(sentFrame[j], errno);
        }
    }

    /**
     * Appends the frames that arrived, waiting at most {@code timeoutNanos} for the first: one recvmmsg into the
     * batch's free slots (after a wait, if nothing was there). Each frame is committed with link -1 and payload
     * {@code null} (the frame's own header names its payload); {@link #sourceIfindex(int)} and
     * {@link #sourceMac(int)} tell where it came from. A frame longer than a slot is discarded.
     *
     * @param timeoutNanos 0 to take only what is there, negative to wait without limit
     * @return how many frames were appended; 0 after a timeout or {@link #wakeup()}
     * @throws ClosedChannelException when the socket was closed before the call
     */
    public int receive(PacketBatch into, long timeoutNanos) throws LinuxException, ClosedChannelException {
        return receive(into, Integer.MAX_VALUE, timeoutNanos);
    }

    /** Like {@link #receive(PacketBatch, long)}, appending at most {@code most} frames. */
    public int receive(PacketBatch into, int most, long timeoutNanos) throws LinuxException, ClosedChannelException {
        int fd = descriptor.acquire();
        try {
            return receive(fd, into, most, timeoutNanos);
        } finally {
            descriptor.release();
        }
    }

    private int receive(int fd, PacketBatch into, int most, long timeoutNanos) throws LinuxException, ClosedChannelException {
        receivedFirst = into.size();
        receivedCount = 0;
        int n = Math.min(Math.min(into.capacity() - into.size(), capacity), most);
        if (n <= 0) {
            return 0;
        }
        long base = receiveBatch.of(into);
        int first = into.size();
        int slotSize = into.slotSize();
        for (int j = 0; j < n; j++) {
            receiveVector.setBuffer(j, base + into.offset(first + j), slotSize);
        }
        int r = receiveOnce(fd, n);
        if (r == 0) {
            if (timeoutNanos == 0 || descriptor.await(timeoutNanos) == 0) {
                return 0;
            }
            r = receiveOnce(fd, n);
        }
        ByteBuffer memory = into.memory();
        int committed = 0;
        for (int j = 0; j < r; j++) {
            int length = receiveVector.length(j);
            int at = j * Structs.SOCKADDR_LL_SIZE;
            int packetType = sources.get(at + Structs.SLL_PKTTYPE) & 0xFF;
            receiveVector.setNameLength(j, Structs.SOCKADDR_LL_SIZE);
            if ((receiveVector.flags(j) & Linux.MSG_TRUNC) != 0
                    || packetType == Linux.PACKET_OTHERHOST || packetType == Linux.PACKET_OUTGOING) {
                discarded++;
                continue;
            }
            if (committed != j) {
                memory.put(into.offset(first + committed), memory, into.offset(first + j), length);
            }
            sourceIfindex[committed] = sources.getInt(at + Structs.SLL_IFINDEX);
            sourceMac[committed] = Structs.getMac(sources, at + Structs.SLL_ADDR);
            into.commit(length, null, -1);
            committed++;
        }
        receivedCount = committed;
        return committed;
    }

    /** One recvmmsg: how many messages, 0 when none or after a passing error of the socket (e.g. ENETDOWN). */
    private int receiveOnce(int fd, int n) throws LinuxException {
        int r = Sys.libc().recvmmsg(fd, receiveVector.address(0), n, Linux.MSG_DONTWAIT, 0);
        if (r >= 0) {
            return r;
        }
        int errno = Native.errno();
        switch (errno) {
            case LinuxException.EAGAIN:
            case LinuxException.EINTR:
                return 0;
            case LinuxException.EBADF:
            case LinuxException.EFAULT:
            case LinuxException.ENOTSOCK:
            case LinuxException.EINVAL:
                throw new LinuxException(receiveCall, errno);
            default:
                // an error the kernel queued on the socket (sk_err): reported once, then cleared
                lastReceiveError = errno;
                return 0;
        }
    }

    /** The errno of the last passing receive error (ENETDOWN, ENOBUFS, ...), or 0. Receiving thread. */
    public int lastReceiveError() {
        return lastReceiveError;
    }

    /** The index of the interface frame {@code i} of the batch arrived on; for frames of the last {@link #receive}. */
    public int sourceIfindex(int i) {
        return sourceIfindex[received(i)];
    }

    /** The source MAC of frame {@code i} of the batch, as {@link MacAddress#toLong()}; for frames of the last {@link #receive}. */
    public long sourceMac(int i) {
        return sourceMac[received(i)];
    }

    private int received(int i) {
        int k = i - receivedFirst;
        if (k < 0 || k >= receivedCount) {
            throw new IndexOutOfBoundsException("frame " + i + " was not received by the last receive (frames "
                    + receivedFirst + " to " + (receivedFirst + receivedCount - 1) + ")");
        }
        return k;
    }

    /** Frames received but not returned so far: longer than a slot, or addressed to another host. Receiving thread. */
    public long discarded() {
        return discarded;
    }

    /** Makes a {@link #receive} blocked in another thread return. Any thread. */
    public void wakeup() {
        descriptor.wakeup();
    }

    /**
     * Closes the socket: at once, or when a send or receive under way in another thread returns (a waiting
     * receive is woken). Later calls throw {@link ClosedChannelException}. Any thread.
     */
    @Override
    public void close() {
        descriptor.close();
    }
}
