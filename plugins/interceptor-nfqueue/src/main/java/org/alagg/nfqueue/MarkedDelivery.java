package org.alagg.nfqueue;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.function.IntPredicate;

import org.alagg.api.PacketBatch;
import org.alagg.api.PayloadType;

/**
 * Local delivery of the nfqueue mode: received packets leave through marked raw sockets, as they are, to the
 * destination in their header and with their original source. Only packets addressed to this host are
 * delivered ({@link LocalAddresses}): a raw socket would send any other destination on, to a third host. A delivered packet passes OUTPUT
 * again; the mark is what keeps the capture rule ({@code -m mark ! --mark <mark>}) from queueing it a second
 * time, even a rule broad enough to match this host's own addresses.
 *
 * <p>Ingress thread only ({@link #close} may come from another); counters may be read from any thread.
 */
final class MarkedDelivery implements Closeable {
    private static final PayloadType[] VERSIONS = {PayloadType.IPV4, PayloadType.IPV6};

    private final MarkedRawSockets sockets;
    private final LocalAddresses local = new LocalAddresses();
    /** The batch {@link #isLocal} looks at, during one {@link #deliver}. */
    private PacketBatch checking;
    private final IntPredicate forThisHost = this::isLocal;
    private volatile long delivered;
    private volatile long notLocal;
    private volatile long notIp;
    private volatile long failed;
    private volatile String lastFailure;

    MarkedDelivery(int mark) {
        this.sockets = new MarkedRawSockets(mark);
    }

    /**
     * Delivers the IPv4 packets of the batch with one sendmmsg, then the IPv6 ones with another.
     *
     * @return how many were delivered
     * @throws IOException when none could be, because a socket could not be opened
     */
    int deliver(PacketBatch packets) throws IOException {
        int ipv4 = 0;
        int ipv6 = 0;
        for (int i = 0; i < packets.size(); i++) {
            PayloadType type = packets.payload(i);
            if (type == PayloadType.IPV4) {
                ipv4++;
            } else if (type == PayloadType.IPV6) {
                ipv6++;
            }
        }
        notIp += packets.size() - ipv4 - ipv6;
        IOException failure = null;
        int sent = 0;
        for (PayloadType version : VERSIONS) {
            int count = version == PayloadType.IPV4 ? ipv4 : ipv6;
            if (count == 0) {
                continue;
            }
            try {
                checking = packets;
                sent += sockets.send(packets, version, forThisHost);
            } catch (IOException e) {
                failed += count;
                lastFailure = e.getMessage();
                failure = e;
            }
        }
        delivered += sent;
        if (sent == 0 && failure != null) {
            throw failure;
        }
        return sent;
    }

    /**
     * Whether packet {@code i} of the batch being delivered is for this host; the others are counted and dropped.
     * When this host's addresses cannot be read, nothing is delivered (a relay is worse than a loss).
     */
    private boolean isLocal(int i) {
        ByteBuffer memory = checking.memory();
        int offset = checking.offset(i);
        try {
            if (local.isLocal(memory, offset, (memory.get(offset) & 0xF0) == 0x60)) {
                return true;
            }
        } catch (IOException e) {
            lastFailure = "reading this host's addresses: " + e.getMessage();
        }
        notLocal++;
        return false;
    }

    /** Adds the delivery counters (names as in docs/nfqueue.md). */
    void counters(Map<String, Long> into) {
        into.put("delivered", delivered);
        into.put("delivery_refused", sockets.refused());
        into.put("delivery_not_ip", notIp);
        into.put("delivery_not_local", notLocal);
        into.put("delivery_failed", failed);
    }

    /** Why packets could not be delivered last, or null. */
    String lastFailure() {
        return lastFailure;
    }

    @Override
    public void close() {
        sockets.close();
        local.close();
    }
}
