package org.alagg.nfqueue;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;

import org.alagg.api.PacketBatch;
import org.alagg.api.PayloadType;

/**
 * What happens to a captured packet longer than the links carry once wrapped: Alagg does not fragment, so
 * the packet is dropped and, where the sender can shrink its packets, told so. An IPv4 packet with DF set and
 * any IPv6 packet are answered with an ICMP "fragmentation needed" / ICMPv6 "packet too big" naming the
 * links' limit as the MTU, delivered through marked raw sockets to the packet's source, so its path MTU
 * discovery adapts. An IPv4 packet without DF (its sender allows routers to fragment, and expects no answer)
 * and packets no ICMP error may answer are only counted.
 *
 * <p>Answers are collected while the converter drains and sent with one sendmmsg per {@link #flush}.
 * Egress thread only; nothing allocated per packet. Counters may be read racily from other threads.
 */
final class TooBigResponder implements CaptureConverter.Oversize, Closeable {
    private static final int BATCH = 16;

    private int mtu;
    private final MarkedRawSockets sockets;
    private final PacketBatch ipv4 = new PacketBatch(BATCH, TooBigMessages.MAX_FRAGMENTATION_NEEDED);
    private final PacketBatch ipv6 = new PacketBatch(BATCH, TooBigMessages.IPV6_MIN_MTU);

    private long fragmentationNeeded;
    private long packetTooBig;
    private long withoutDontFragment;
    private long unanswerable;
    private long unsent;
    private volatile String lastFailure;

    /**
     * @param mtu  the longest packet the links carry, announced as the MTU
     * @param mark the mark of the answers, so the capture rule does not queue them
     */
    TooBigResponder(int mtu, int mark) {
        this.mtu = mtu;
        this.sockets = new MarkedRawSockets(mark);
    }

    /** The MTU the answers announce from now on: the links' new limit. Egress thread. */
    void mtu(int mtu) {
        this.mtu = mtu;
    }

    @Override
    public void tooBig(ByteBuffer memory, int offset, int length, PayloadType type) {
        if (type == PayloadType.IPV4) {
            if (!TooBigMessages.mayAnswerIpv4(memory, offset, length)) {
                unanswerable++;
            } else if (!TooBigMessages.dontFragment(memory, offset)) {
                withoutDontFragment++;
            } else {
                if (ipv4.isFull()) {
                    flush(ipv4, PayloadType.IPV4);
                }
                int n = TooBigMessages.fragmentationNeeded(memory, offset, length, mtu, ipv4.slot(ipv4.size()));
                ipv4.commit(n, PayloadType.IPV4, -1);
            }
        } else if (type == PayloadType.IPV6 && TooBigMessages.mayAnswerIpv6(memory, offset, length)) {
            if (ipv6.isFull()) {
                flush(ipv6, PayloadType.IPV6);
            }
            int n = TooBigMessages.packetTooBig(memory, offset, length, mtu, ipv6.slot(ipv6.size()));
            ipv6.commit(n, PayloadType.IPV6, -1);
        } else {
            unanswerable++;
        }
    }

    /** Sends the answers collected since the last flush. */
    void flush() {
        flush(ipv4, PayloadType.IPV4);
        flush(ipv6, PayloadType.IPV6);
    }

    private void flush(PacketBatch answers, PayloadType version) {
        int n = answers.size();
        if (n == 0) {
            return;
        }
        int sent = 0;
        try {
            sent = sockets.send(answers, version);
        } catch (IOException e) {
            lastFailure = e.getMessage();
        }
        if (version == PayloadType.IPV4) {
            fragmentationNeeded += sent;
        } else {
            packetTooBig += sent;
        }
        unsent += n - sent;
        answers.clear();
    }

    /** Adds this responder's counters (names as in docs/nfqueue.md). */
    void counters(Map<String, Long> into) {
        into.put("too_big_icmp_sent", fragmentationNeeded);
        into.put("too_big_icmp6_sent", packetTooBig);
        into.put("too_big_without_df", withoutDontFragment);
        into.put("too_big_unanswerable", unanswerable);
        into.put("too_big_icmp_unsent", unsent);
    }

    /** Why answers could not be sent last (a socket that would not open), or null. */
    String lastFailure() {
        return lastFailure;
    }

    @Override
    public void close() {
        sockets.close();
    }
}
