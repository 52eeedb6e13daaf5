package org.alagg.nfqueue;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.function.IntPredicate;

import org.alagg.api.PacketBatch;
import org.alagg.api.PayloadType;
import org.alagg.linux.LinuxException;
import org.alagg.linux.RawIpSocket;

/**
 * An IPv4 and an IPv6 raw socket that send whole packets with their original source, every packet carrying
 * the configured mark (SO_MARK) so that the documented capture rule ({@code -m mark ! --mark <mark>}) never
 * queues what Alagg itself sends. Each socket is opened on first use, by the sending thread, so it belongs
 * to that thread's network namespace and a host without IPv6 still delivers IPv4.
 *
 * <p>One sending thread; {@link #close} may come from another (the methods are synchronized, uncontended
 * on the data path).
 */
final class MarkedRawSockets implements Closeable {
    private final int mark;
    private RawIpSocket ipv4;
    private RawIpSocket ipv6;
    private long refusedBefore;

    MarkedRawSockets(int mark) {
        this.mark = mark;
    }

    /**
     * Sends the batch's packets of one IP version (the others are skipped) to the destinations in their headers.
     *
     * @return how many left
     * @throws IOException when the socket cannot be opened or has failed
     */
    synchronized int send(PacketBatch packets, PayloadType version) throws IOException {
        return socket(version).send(packets);
    }

    /** Like {@link #send(PacketBatch, PayloadType)}, only the packets {@code accept} accepts (by index). */
    synchronized int send(PacketBatch packets, PayloadType version, IntPredicate accept) throws IOException {
        return socket(version).send(packets, accept);
    }

    private RawIpSocket socket(PayloadType version) throws LinuxException, ClosedChannelException {
        if (version == PayloadType.IPV6) {
            if (ipv6 == null) {
                ipv6 = marked(RawIpSocket.ipv6());
            }
            return ipv6;
        }
        if (ipv4 == null) {
            ipv4 = marked(RawIpSocket.ipv4());
        }
        return ipv4;
    }

    private RawIpSocket marked(RawIpSocket socket) throws LinuxException, ClosedChannelException {
        try {
            socket.setMark(mark);
            return socket;
        } catch (LinuxException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Packets the kernel refused on either socket (no route, firewall, buffer full), this one's and closed ones'. */
    synchronized long refused() {
        return refusedBefore + (ipv4 == null ? 0 : ipv4.sendRefused()) + (ipv6 == null ? 0 : ipv6.sendRefused());
    }

    /** Closes both sockets; the next {@link #send} opens them again. */
    @Override
    public synchronized void close() {
        refusedBefore = refused();
        if (ipv4 != null) {
            ipv4.close();
            ipv4 = null;
        }
        if (ipv6 != null) {
            ipv6.close();
            ipv6 = null;
        }
    }
}
