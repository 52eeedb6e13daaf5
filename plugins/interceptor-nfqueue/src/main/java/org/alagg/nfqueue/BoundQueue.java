package org.alagg.nfqueue;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.alagg.api.PacketBatch;
import org.alagg.linux.NetlinkSocket;

/**
 * One netfilter queue, bound to a netlink socket of Alagg's own: set up with acknowledged requests, then
 * drained by the capture loop, one recvmmsg and one VERDICT_BATCH DROP per received batch (the packets now
 * belong to the engine), and released with UNBIND. The kernel drops whatever still waits in the queue then.
 *
 * <p>The engine's control thread binds, {@link #limit limits} and closes, the egress thread captures;
 * {@link #wakeup} may come from any thread. {@link NfqueueInterceptor} closes a queue only once no capture uses
 * it; close is locked against the verdict all the same, the only other send.
 */
final class BoundQueue implements Closeable {
    /** Datagrams per recvmmsg, as many as the engine's capture batch holds. */
    static final int BATCH = 64;
    /** A PACKET message with a whole packet (copy range 0xffff) and its attributes, so none is cut short. */
    static final int DATAGRAM_SLOT = NfqueueMessages.MAX_COPY_RANGE + 1024;
    static final long ACK_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(2);
    /**
     * Receive buffer per packet the kernel may queue: a queued packet costs its skb's truesize, about 2-4 KiB
     * for an Ethernet-sized packet. Too small a buffer and the kernel drops packets for want of room
     * ("user dropped"), however long the queue may be.
     */
    private static final long BUFFER_PER_PACKET = 4096;
    private static final long MIN_BUFFER = 4 << 20;
    private static final long MAX_BUFFER = 1 << 30;

    private final int queue;
    private final NetlinkSocket socket;
    private final PacketBatch datagrams = new PacketBatch(BATCH, DATAGRAM_SLOT);
    private final TooBigResponder tooBig;
    private final CaptureConverter converter;
    private final KernelQueueStatistics kernel;
    private final ByteBuffer verdict = ByteBuffer.allocateDirect(NfqueueMessages.VERDICT_LENGTH);
    private int verdictSequence;
    private long verdicts;
    private long verdictFailures;
    private volatile String lastVerdictFailure;
    private boolean closed;
    /** The longest packet the links carry: set by the control thread, read by each capture. */
    private volatile int limit;

    private BoundQueue(int queue, NetlinkSocket socket, TooBigResponder tooBig, int maxPacketLength) {
        this.limit = checkLimit(maxPacketLength);
        this.queue = queue;
        this.socket = socket;
        this.tooBig = tooBig;
        this.converter = new CaptureConverter(queue, maxPacketLength, tooBig);
        this.kernel = new KernelQueueStatistics(queue);
    }

    /**
     * Opens a netlink socket and binds {@code queue} to it, copying whole packets, with the given queue length
     * and fail-open flag. All four requests go out in one datagram (the kernel handles them in order and acks
     * each); the acks are awaited for at most 2 s.
     *
     * @param maxPacketLength the longest packet the links carry: longer ones are answered by {@link TooBigResponder}
     * @param mark            the mark of the ICMP answers Alagg sends
     * @throws IOException naming the cause for the operator, e.g. "another program owns NFQUEUE 7"
     */
    static BoundQueue bind(int queue, int maxLength, boolean failOpen, int maxPacketLength, int mark) throws IOException {
        NfqueueMessages.checkQueue(queue);
        NetlinkSocket socket = NetlinkSocket.open(NetlinkSocket.NETLINK_NETFILTER, BATCH);
        TooBigResponder tooBig = new TooBigResponder(maxPacketLength, mark);
        try {
            // an overflow must not end the capture with ENOBUFS: the kernel drops (or fails open) and counts it
            socket.setOption(NetlinkSocket.SOL_NETLINK, NetlinkSocket.NETLINK_NO_ENOBUFS, 1);
            socket.setOption(NetlinkSocket.SOL_SOCKET, NetlinkSocket.SO_RCVBUFFORCE,
                    (int) Math.max(MIN_BUFFER, Math.min(MAX_BUFFER, maxLength * BUFFER_PER_PACKET)));
            BoundQueue bound = new BoundQueue(queue, socket, tooBig, maxPacketLength);
            bound.configure(maxLength, failOpen);
            return bound;
        } catch (IOException | RuntimeException e) {
            tooBig.close();
            socket.close();
            throw e;
        }
    }

    private void configure(int maxLength, boolean failOpen) throws IOException {
        ByteBuffer requests = ByteBuffer.allocateDirect(4 * NfqueueMessages.MAX_LENGTH);
        for (int attempt = 1; ; attempt++) {
            PendingRequests pending = new PendingRequests(4, (int) System.nanoTime());
            int at = NfqueueMessages.bind(requests, 0, queue, pending.register(ConfigRequest.BIND, queue));
            at += NfqueueMessages.params(requests, at, queue, pending.register(ConfigRequest.PARAMS, queue),
                    NfqueueMessages.COPY_PACKET, NfqueueMessages.MAX_COPY_RANGE);
            at += NfqueueMessages.queueMaxLen(requests, at, queue, pending.register(ConfigRequest.QUEUE_MAXLEN, queue),
                    maxLength);
            at += NfqueueMessages.flags(requests, at, queue, pending.register(ConfigRequest.FLAGS, queue),
                    failOpen ? NfqueueMessages.F_FAIL_OPEN : 0, NfqueueMessages.F_FAIL_OPEN);
            requests.clear().limit(at);
            socket.send(requests);
            PendingRequests.Outcome failure = awaitAcks(pending);
            if (failure == null) {
                break;
            }
            if (Math.abs(failure.error()) != Errno.EAGAIN || attempt > 1) {
                throw new IOException(failure.message());
            }
            // EAGAIN: the kernel has just loaded nfnetlink_queue for the request; the second time it is there
        }
        if (datagrams.size() > 0) {
            converter.start(datagrams); // packets queued while the acks came: the first capture takes them
        }
    }

    /**
     * Receives until every request is answered, taking the acks out of the datagram batch; packets that were
     * queued in between stay in it.
     *
     * @return the first request that failed (the earliest sent: the later ones fail because of it), or null
     */
    private PendingRequests.Outcome awaitAcks(PendingRequests pending) throws IOException {
        NetlinkAck ack = new NetlinkAck();
        int[] kept = new int[BATCH];
        PendingRequests.Outcome failure = null;
        long deadline = System.nanoTime() + ACK_TIMEOUT_NANOS;
        while (!pending.isEmpty()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IOException("no answer from the kernel within 2 s to binding NFQUEUE " + queue
                        + " (is nfnetlink_queue available? see /proc/net/netfilter/nfnetlink_queue)");
            }
            if (datagrams.isFull()) {
                throw new IOException("binding NFQUEUE " + queue + ": more than " + BATCH
                        + " packets were queued before the kernel's answers; try again");
            }
            socket.receive(datagrams, left);
            ByteBuffer memory = datagrams.memory();
            int n = 0;
            for (int i = 0; i < datagrams.size(); i++) {
                int offset = datagrams.offset(i);
                int length = datagrams.length(i);
                if (PacketDecoder.decodeAck(memory, offset, length, ack) == Reject.NONE) {
                    PendingRequests.Outcome outcome = pending.complete(ack);
                    if (outcome != null) {
                        if (!outcome.ok() && (failure == null || outcome.sequence() - failure.sequence() < 0)) {
                            failure = outcome;
                        }
                        continue;
                    }
                }
                if (n != i) {
                    memory.put(datagrams.offset(n), memory, offset, length);
                }
                kept[n++] = length;
            }
            datagrams.clear();
            for (int i = 0; i < n; i++) {
                datagrams.commit(kept[i], null, -1);
            }
        }
        return failure;
    }

    int queue() {
        return queue;
    }

    /** The longest packet passed on whole. */
    int limit() {
        return limit;
    }

    /**
     * From the next capture on, packets longer than {@code maxPacketLength} are answered with ICMP too-big naming
     * it as the MTU (or dropped). Any thread, while a capture may run.
     *
     * @return the limit before
     */
    int limit(int maxPacketLength) {
        int previous = limit;
        limit = checkLimit(maxPacketLength);
        return previous;
    }

    private static int checkLimit(int maxPacketLength) {
        if (maxPacketLength <= 0) {
            throw new IllegalArgumentException("maximum packet length must be positive: " + maxPacketLength);
        }
        return maxPacketLength;
    }

    /**
     * The capture loop body: once the datagrams received last time are drained, releases their packets with one
     * VERDICT_BATCH DROP and receives the next batch; appends their packets to {@code out} and sends the ICMP
     * answers for packets too long. The verdict waits for the next call, which the engine makes once it has sent
     * the packets on: a verdict costs a system call and frees the packets in the kernel, time that would
     * otherwise delay every packet of the batch. A verdict that fails stays due: the next one covers its ids
     * too. The packets of one call are measured against the limit as it was when the call began. Allocates
     * nothing.
     */
    int capture(PacketBatch out, long timeoutNanos) throws IOException {
        int limit = this.limit;
        converter.maxPacketLength(limit);
        tooBig.mtu(limit);
        if (!converter.hasPending()) {
            if (converter.verdictDue()) {
                sendVerdict();
            }
            datagrams.clear();
            if (socket.receive(datagrams, timeoutNanos) > 0) {
                converter.start(datagrams);
            }
        }
        int appended = converter.drain(out);
        tooBig.flush();
        return appended;
    }

    private synchronized void sendVerdict() {
        if (closed) {
            return;
        }
        verdict.clear();
        int length = converter.encodeVerdict(verdict, 0, verdictSequence++);
        verdict.limit(length);
        try {
            socket.send(verdict);
            converter.verdictSent();
            verdicts++;
        } catch (IOException e) {
            // the packets are the engine's already: failing the capture would lose them
            verdictFailures++;
            lastVerdictFailure = e.getMessage();
        }
    }

    void wakeup() {
        socket.wakeup();
    }

    /** Adds the counters of this queue (names as in docs/nfqueue.md). */
    void counters(Map<String, Long> into) {
        into.put("captured", converter.packets());
        into.put("verdicts", verdicts);
        into.put("verdict_failures", verdictFailures);
        into.put("too_big", converter.rejects(Reject.TOO_BIG));
        tooBig.counters(into);
        for (Reject reason : Reject.values()) {
            if (reason != Reject.NONE && reason != Reject.TOO_BIG) {
                into.put("rejected_" + reason.counterName(), converter.rejects(reason));
            }
        }
        into.put("netlink_truncated", socket.discarded());
        kernel.counters(into);
    }

    /** The latest failure worth a log line (a verdict or ICMP answer that could not be sent), or null. */
    String lastFailure() {
        String v = lastVerdictFailure;
        return v != null ? "verdict: " + v : tooBig.lastFailure() != null ? "ICMP answer: " + tooBig.lastFailure() : null;
    }

    /** Sends UNBIND and closes the socket (closing alone would release the queue too, a little later). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        socket.wakeup();
        ByteBuffer unbind = ByteBuffer.allocateDirect(NfqueueMessages.CMD_LENGTH);
        try {
            NfqueueMessages.unbind(unbind, 0, queue, verdictSequence++);
            socket.send(unbind);
        } catch (IOException e) {
            // closing the socket below unbinds it all the same
        }
        socket.close();
        tooBig.close();
        kernel.close();
    }
}
