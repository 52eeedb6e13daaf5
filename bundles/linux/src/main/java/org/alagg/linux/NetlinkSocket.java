package org.alagg.linux;

import java.io.Closeable;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;

import org.alagg.api.PacketBatch;
import org.alagg.linux.internal.Native;

/**
 * A netlink socket to the kernel (AF_NETLINK, SOCK_RAW) for one protocol, e.g. {@link #NETLINK_NETFILTER} for
 * NFQUEUE. Bound with port id 0 (the kernel picks one). {@link #send} writes one datagram; {@link #receive}
 * reads many with one recvmmsg, each datagram in its own slot of the batch.
 *
 * <p>One thread sends, one thread receives; {@link #wakeup} may come from any thread.
 */
public final class NetlinkSocket implements Closeable {
    /** The netlink protocol of nfnetlink (NFQUEUE, conntrack, ...). */
    public static final int NETLINK_NETFILTER = 12;
    /** The netlink protocol of rtnetlink (links, addresses, routes). */
    public static final int NETLINK_ROUTE = 0;
    /** {@link #setOption} level of netlink options. */
    public static final int SOL_NETLINK = 270;
    /** Do not report ENOBUFS when the receive queue overflowed (NFQUEUE: the kernel then fails open or drops). */
    public static final int NETLINK_NO_ENOBUFS = 5;
    /** Ask the kernel to acknowledge with extended error messages. */
    public static final int NETLINK_EXT_ACK = 11;
    /** {@link #setOption} level of socket options. */
    public static final int SOL_SOCKET = Linux.SOL_SOCKET;
    /** A receive buffer beyond net.core.rmem_max (needs CAP_NET_ADMIN). */
    public static final int SO_RCVBUFFORCE = Linux.SO_RCVBUFFORCE;

    private final int protocol;
    private final int capacity;
    private final String sendCall;
    private final String receiveCall;
    private final Descriptor descriptor;

    private final MessageVector receiveVector;
    private final Sys.BatchAddress receiveBatch = new Sys.BatchAddress();
    private long discarded;
    private long overruns;

    private ByteBuffer sendScratch = Structs.allocate(4096);
    private long sendScratchAddress = Native.address(sendScratch);
    private ByteBuffer lastSent;
    private long lastSentAddress;

    private NetlinkSocket(int fd, int protocol, int capacity) throws LinuxException {
        this.protocol = protocol;
        this.capacity = capacity;
        this.sendCall = "send(AF_NETLINK, protocol " + protocol + ")";
        this.receiveCall = "recvmmsg(AF_NETLINK, protocol " + protocol + ")";
        this.receiveVector = new MessageVector(capacity);
        this.descriptor = Descriptor.polled(fd);
    }

    /**
     * Opens and binds a netlink socket.
     *
     * @param protocol e.g. {@link #NETLINK_NETFILTER}
     * @param batchCapacity the most datagrams one {@link #receive} reads (1 to 1024)
     */
    public static NetlinkSocket open(int protocol, int batchCapacity) throws LinuxException {
        Sys.checkCapacity(batchCapacity);
        int fd = Sys.socket(Linux.AF_NETLINK, Linux.SOCK_RAW | Linux.SOCK_NONBLOCK, protocol,
                "socket(AF_NETLINK, SOCK_RAW, protocol " + protocol + ")");
        try {
            ByteBuffer address = Structs.allocate(Structs.SOCKADDR_NL_SIZE);
            address.putShort(Structs.NL_FAMILY, (short) Linux.AF_NETLINK);
            address.putInt(Structs.NL_PID, 0);
            address.putInt(Structs.NL_GROUPS, 0);
            if (Sys.libc().bind(fd, Native.address(address), Structs.SOCKADDR_NL_SIZE) < 0) {
                throw new LinuxException("bind(AF_NETLINK, protocol " + protocol + ")", Native.errno());
            }
            return new NetlinkSocket(fd, protocol, batchCapacity);
        } catch (LinuxException | RuntimeException e) {
            Sys.close(fd);
            throw e;
        }
    }

    /** The netlink protocol. */
    public int protocol() {
        return protocol;
    }

    /** The socket's file descriptor. */
    public int fd() {
        return descriptor.fd();
    }

    /**
     * Sets an int socket option (native byte order), e.g. {@code setOption(SOL_NETLINK, NETLINK_NO_ENOBUFS, 1)}
     * or {@code setOption(SOL_SOCKET, SO_RCVBUFFORCE, 8 << 20)}.
     */
    public void setOption(int level, int name, int value) throws LinuxException, ClosedChannelException {
        Sys.setInt(descriptor.checkOpen(), level, name, value,
                "setsockopt(AF_NETLINK, level " + level + ", option " + name + ")");
    }

    /**
     * Sends the buffer's remaining bytes as one datagram to the kernel. A direct buffer is sent in place (its
     * address is looked up once per buffer instance); a heap buffer is copied first. The position is not moved.
     */
    public void send(ByteBuffer message) throws LinuxException, ClosedChannelException {
        int fd = descriptor.checkOpen();
        int length = message.remaining();
        long address;
        if (message.isDirect()) {
            if (message != lastSent) {
                lastSentAddress = Native.address(message);
                lastSent = message;
            }
            address = lastSentAddress + message.position();
        } else {
            if (sendScratch.capacity() < length) {
                sendScratch = Structs.allocate(Math.max(length, 2 * sendScratch.capacity()));
                sendScratchAddress = Native.address(sendScratch);
            }
            sendScratch.put(0, message, message.position(), length);
            address = sendScratchAddress;
        }
        while (true) {
            long r = Sys.libc().send(fd, address, length, 0);
            if (r >= 0) {
                return;
            }
            int errno = Native.errno();
            if (errno != LinuxException.EINTR) {
                throw new LinuxException(sendCall, errno);
            }
        }
    }

    /**
     * Appends the datagrams that arrived, waiting at most {@code timeoutNanos} for the first: one recvmmsg into
     * the batch's free slots. Each datagram (one netlink message, or several for a multipart reply) is committed
     * with link -1 and payload {@code null}. A datagram longer than a slot is discarded; an overrun reported by
     * the kernel (ENOBUFS, without NETLINK_NO_ENOBUFS) is counted in {@link #overruns()}.
     *
     * @param timeoutNanos 0 to take only what is there, negative to wait without limit
     * @return how many datagrams were appended; 0 after a timeout or {@link #wakeup()}
     */
    public int receive(PacketBatch into, long timeoutNanos) throws LinuxException, ClosedChannelException {
        int fd = descriptor.checkOpen();
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
            if ((receiveVector.flags(j) & Linux.MSG_TRUNC) != 0) {
                discarded++;
                continue;
            }
            if (committed != j) {
                memory.put(into.offset(first + committed), memory, into.offset(first + j), length);
            }
            into.commit(length, null, -1);
            committed++;
        }
        return committed;
    }

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
            case LinuxException.ENOBUFS:
                overruns++;
                return 0;
            default:
                throw new LinuxException(receiveCall, errno);
        }
    }

    /** Datagrams longer than a slot, discarded so far. Receiving thread. */
    public long discarded() {
        return discarded;
    }

    /** Times the kernel reported that its queue to this socket overflowed (ENOBUFS). Receiving thread. */
    public long overruns() {
        return overruns;
    }

    /** Makes a {@link #receive} blocked in another thread return. Any thread. */
    public void wakeup() {
        descriptor.wakeup();
    }

    /** Closes the socket. Stop the sending and receiving threads first ({@link #wakeup()} the receiver). */
    @Override
    public void close() {
        descriptor.close();
    }
}
