package org.alagg.linux;

import java.io.Closeable;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.function.IntPredicate;

import org.alagg.api.PacketBatch;
import org.alagg.linux.internal.Native;

/**
 * Delivers whole IP packets as they are, header included (IP_HDRINCL / IPV6_HDRINCL): the kernel routes each
 * to the destination in its own header and keeps its original source address. Used to deliver received
 * packets locally; a packet to a local address loops back, where rp_filter does not apply.
 *
 * <p>One thread sends. IPv6 packets to link-local destinations cannot be sent (no scope is known).
 */
public final class RawIpSocket implements Closeable {
    private static final IntPredicate EVERY_PACKET = i -> true;

    private static final int SOCKET_BUFFER_BYTES = 4 << 20;
    private static final int DEFAULT_CAPACITY = 256;

    private final boolean ipv6;
    private final int capacity;
    private final int nameSize;
    private final String sendCall;
    private final MessageVector vector;
    private final ByteBuffer names;
    private final long namesAddress;
    private final Sys.BatchAddress batchAddress = new Sys.BatchAddress();
    private final SendCounters counters = new SendCounters();
    private final Descriptor descriptor;
    private volatile long notIp;

    private RawIpSocket(int fd, boolean ipv6, int capacity) {
        this.descriptor = new Descriptor(fd);
        this.ipv6 = ipv6;
        this.capacity = capacity;
        this.nameSize = ipv6 ? Structs.SOCKADDR_IN6_SIZE : Structs.SOCKADDR_IN_SIZE;
        this.sendCall = "sendmmsg(" + (ipv6 ? "AF_INET6" : "AF_INET") + ", SOCK_RAW)";
        this.vector = new MessageVector(capacity);
        this.names = Structs.allocate(capacity * nameSize);
        this.namesAddress = Native.address(names);
        for (int j = 0; j < capacity; j++) {
            names.putShort(j * nameSize, (short) (ipv6 ? Linux.AF_INET6 : Linux.AF_INET));
            vector.setName(j, namesAddress + (long) j * nameSize, nameSize);
        }
    }

    /** A socket for IPv4 packets: socket(AF_INET, SOCK_RAW, IPPROTO_RAW), which implies IP_HDRINCL. */
    public static RawIpSocket ipv4() throws LinuxException {
        return ipv4(DEFAULT_CAPACITY);
    }

    /** As {@link #ipv4()}, sending at most {@code batchCapacity} packets per sendmmsg (1 to 1024). */
    public static RawIpSocket ipv4(int batchCapacity) throws LinuxException {
        Sys.checkCapacity(batchCapacity);
        int fd = Sys.socket(Linux.AF_INET, Linux.SOCK_RAW | Linux.SOCK_NONBLOCK, Linux.IPPROTO_RAW,
                "socket(AF_INET, SOCK_RAW, IPPROTO_RAW)");
        Sys.setBuffers(fd, SOCKET_BUFFER_BYTES);
        return new RawIpSocket(fd, false, batchCapacity);
    }

    /** A socket for IPv6 packets: socket(AF_INET6, SOCK_RAW, IPPROTO_RAW) with IPV6_HDRINCL. */
    public static RawIpSocket ipv6() throws LinuxException {
        return ipv6(DEFAULT_CAPACITY);
    }

    /** As {@link #ipv6()}, sending at most {@code batchCapacity} packets per sendmmsg (1 to 1024). */
    public static RawIpSocket ipv6(int batchCapacity) throws LinuxException {
        Sys.checkCapacity(batchCapacity);
        int fd = Sys.socket(Linux.AF_INET6, Linux.SOCK_RAW | Linux.SOCK_NONBLOCK, Linux.IPPROTO_RAW,
                "socket(AF_INET6, SOCK_RAW, IPPROTO_RAW)");
        try {
            Sys.setInt(fd, Linux.IPPROTO_IPV6, Linux.IPV6_HDRINCL, 1, "setsockopt(IPV6_HDRINCL)");
        } catch (LinuxException e) {
            Sys.close(fd);
            throw e;
        }
        Sys.setBuffers(fd, SOCKET_BUFFER_BYTES);
        return new RawIpSocket(fd, true, batchCapacity);
    }

    /** Whether this socket sends IPv6 (else IPv4) packets. */
    public boolean isIpv6() {
        return ipv6;
    }

    /**
     * Marks every packet sent from now on (SO_MARK, needs CAP_NET_ADMIN), so that firewall rules (e.g. the
     * NFQUEUE capture rule: {@code -m mark ! --mark N}) can tell delivered packets from local traffic.
     */
    public void setMark(int mark) throws LinuxException, ClosedChannelException {
        Sys.setInt(descriptor.checkOpen(), Linux.SOL_SOCKET, Linux.SO_MARK, mark, "setsockopt(SO_MARK)");
    }

    /**
     * Sends every packet of the batch, unchanged, to the destination in its header, with one sendmmsg (more
     * only when the batch is larger than the socket's capacity). Packets of the other IP version, or too short
     * for a header, are skipped and counted in {@link #notIp()}; packets the kernel refuses are counted in
     * {@link #sendRefused()}.
     *
     * @return how many packets left
     */
    public int send(PacketBatch packets) throws LinuxException, ClosedChannelException {
        return send(packets, EVERY_PACKET);
    }

    /**
     * Like {@link #send(PacketBatch)}, but only the packets whose index {@code accept} accepts; the others are
     * skipped without being counted. {@code accept} sees only packets of this socket's IP version.
     */
    public int send(PacketBatch packets, IntPredicate accept) throws LinuxException, ClosedChannelException {
        int fd = descriptor.checkOpen();
        long base = batchAddress.of(packets);
        ByteBuffer memory = packets.memory();
        int n = packets.size();
        int sent = 0;
        int i = 0;
        while (i < n) {
            int count = 0;
            for (; i < n && count < capacity; i++) {
                int offset = packets.offset(i);
                int length = packets.length(i);
                if (ipv6 ? length < 40 || (memory.get(offset) & 0xF0) != 0x60
                         : length < 20 || (memory.get(offset) & 0xF0) != 0x40) {
                    notIp++;
                    continue;
                }
                if (!accept.test(i)) {
                    continue;
                }
                int name = count * nameSize;
                if (ipv6) {
                    for (int k = 0; k < 16; k++) {
                        names.put(name + Structs.SIN6_ADDR + k, memory.get(offset + 24 + k));
                    }
                } else {
                    for (int k = 0; k < 4; k++) {
                        names.put(name + Structs.SIN_ADDR + k, memory.get(offset + 16 + k));
                    }
                }
                vector.setBuffer(count, base + offset, length);
                count++;
            }
            if (count > 0) {
                sent += vector.sendAll(fd, count, false, counters, sendCall);
            }
        }
        return sent;
    }

    /** Packets the kernel refused so far (EAGAIN, ENOBUFS, EPERM from a firewall, EINVAL, ...). */
    public long sendRefused() {
        return counters.refused();
    }

    /** The errno of the last refused packet, or 0. */
    public int lastSendError() {
        return counters.lastErrno();
    }

    /** Packets skipped so far because they were not packets of this socket's IP version. */
    public long notIp() {
        return notIp;
    }

    /** Closes the socket. Stop the sending thread first. */
    @Override
    public void close() {
        descriptor.close();
    }
}
