package org.alagg.linux;

import java.io.Closeable;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;

import org.alagg.api.MacAddress;
import org.alagg.api.PacketBatch;
import org.alagg.linux.internal.Native;

/**
 * An AF_PACKET datagram socket for one EtherType on every interface: sends each frame of a batch to the peer of
 * the link the frame names, with one sendmmsg, and receives frames from all interfaces with one recvmmsg,
 * telling for each the interface and source MAC it came from.
 *
 * <p>The socket is not bound to an interface: a destination names its interface by index, and frames of the
 * EtherType arrive from every interface. SOCK_DGRAM: a slot holds the frame's payload (the Alagg frame); the
 * kernel writes and strips the Ethernet header. Own outgoing frames are not received (PACKET_IGNORE_OUTGOING),
 * nor are frames addressed to another host's MAC (seen in promiscuous mode).
 *
 * <p>Everything is allocated at {@link #open}: send and receive allocate nothing. One thread sends, one thread
 * receives; {@link #setDestination}, {@link #clearDestination} and {@link #wakeup} may come from any thread.
 */
public final class PacketSocket implements Closeable {
    /** Links are numbered {@code 0 .. MAX_LINKS-1}. */
    public static final int MAX_LINKS = 256;

    private static final int SOCKET_BUFFER_BYTES = 4 << 20;

    private final int etherType;
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
    private final SendCounters counters = new SendCounters();

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

    private PacketSocket(int fd, int etherType, int capacity) throws LinuxException {
        this.etherType = etherType;
        this.capacity = capacity;
        String proto = String.format("AF_PACKET, EtherType 0x%04x", etherType);
        this.sendCall = "sendmmsg(" + proto + ")";
        this.receiveCall = "recvmmsg(" + proto + ")";
        this.destinations = Structs.allocate(MAX_LINKS * Structs.SOCKADDR_LL_SIZE);
        this.destinationsAddress = Native.address(destinations);
        this.sendVector = new MessageVector(capacity);
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
        if (etherType < 0x0600 || etherType > 0xFFFF) {
            throw new IllegalArgumentException(String.format("EtherType 0x%04x: must be 0x0600 to 0xffff", etherType));
        }
        Sys.checkCapacity(batchCapacity);
        int fd = Sys.socket(Linux.AF_PACKET, Linux.SOCK_DGRAM | Linux.SOCK_NONBLOCK, Linux.htons(etherType),
                String.format("socket(AF_PACKET, SOCK_DGRAM, EtherType 0x%04x)", etherType));
        try {
            int errno = Sys.trySetInt(fd, Linux.SOL_PACKET, Linux.PACKET_IGNORE_OUTGOING, 1);
            if (errno != 0 && errno != LinuxException.ENOPROTOOPT) {
                throw new LinuxException("setsockopt(PACKET_IGNORE_OUTGOING)", errno);
            }
            Sys.setBuffers(fd, SOCKET_BUFFER_BYTES);
            return new PacketSocket(fd, etherType, batchCapacity);
        } catch (LinuxException | RuntimeException e) {
            Sys.close(fd);
            throw e;
        }
    }

    /** The EtherType this socket sends and receives. */
    public int etherType() {
        return etherType;
    }

    /** The socket's file descriptor, e.g. for a {@link Poller} over several sources. */
    public int fd() {
        return descriptor.fd();
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
     * Sends every frame of the batch to the destination of its {@link PacketBatch#link(int) link}, in one
     * sendmmsg (more only when the batch is larger than the socket's capacity). Frames of a link without a
     * destination are skipped. A frame the kernel refuses (full queue, interface down, too long) is counted in
     * {@link #sendRefused()} and the rest still go.
     *
     * @return how many frames left
     * @throws LinuxException only when the socket itself is broken
     */
    public int send(PacketBatch frames) throws LinuxException, ClosedChannelException {
        int fd = descriptor.checkOpen();
        long base = sendBatch.of(frames);
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
                    count++;
                }
                if (count > 0) {
                    sent += counters.sendAll(fd, sendVector, count, sendCall);
                }
            }
        }
        return sent;
    }

    /** Frames the kernel refused to send so far (EAGAIN, ENOBUFS, ENETDOWN, EMSGSIZE, ...). */
    public long sendRefused() {
        return counters.refused();
    }

    /** The errno of the last refused frame, or 0. */
    public int lastSendError() {
        return counters.lastErrno();
    }

    /**
     * Appends the frames that arrived, waiting at most {@code timeoutNanos} for the first: one recvmmsg into the
     * batch's free slots (after a wait, if nothing was there). Each frame is committed with link -1 and payload
     * {@code null} (the frame's own header names its payload); {@link #sourceIfindex(int)} and
     * {@link #sourceMac(int)} tell where it came from. A frame longer than a slot is discarded.
     *
     * @param timeoutNanos 0 to take only what is there, negative to wait without limit
     * @return how many frames were appended; 0 after a timeout or {@link #wakeup()}
     */
    public int receive(PacketBatch into, long timeoutNanos) throws LinuxException, ClosedChannelException {
        int fd = descriptor.checkOpen();
        receivedFirst = into.size();
        receivedCount = 0;
        int n = Math.min(into.capacity() - into.size(), capacity);
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

    /** Closes the socket. Stop the sending and receiving threads first ({@link #wakeup()} the receiver). */
    @Override
    public void close() {
        // under the lock send holds across sendmmsg: the number is not closed, and reused, under a send
        synchronized (destinationLock) {
            descriptor.close();
        }
    }
}
