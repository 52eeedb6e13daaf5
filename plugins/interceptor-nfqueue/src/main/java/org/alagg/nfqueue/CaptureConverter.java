package org.alagg.nfqueue;

import java.nio.ByteBuffer;
import java.util.Objects;
import org.alagg.api.PacketBatch;
import org.alagg.api.PayloadType;

/**
 * The body of the NFQUEUE capture loop: turns a received batch of netlink datagrams (one per slot, as
 * {@code recvmmsg} fills them) into a batch of IP packets for the engine, and remembers the highest packet
 * id taken so that one VERDICT_BATCH DROP per received batch releases them all in the kernel.
 *
 * <pre>
 *   if (!converter.hasPending()) { datagrams.clear(); socket.receive(datagrams, timeout); converter.start(datagrams); }
 *   int n = converter.drain(out);
 *   if (converter.verdictDue()) { int len = converter.encodeVerdict(verdictBuffer, 0, seq++); socket.send(...); converter.verdictSent(); }
 * </pre>
 *
 * <p>Each payload is copied into its own output slot with its {@link org.alagg.api.PayloadType} and link -1,
 * so the datagram batch can be reused at once (it must not be the output batch). Rejected messages are counted per {@link Reject}; a
 * packet rejected after its id was read (truncated, too large, unknown payload) is still covered by the
 * verdict, i.e. dropped. If the output batch fills up, the rest of the datagrams wait for the next
 * {@link #drain}; their ids are not in the verdict yet. A packet longer than the links carry (the
 * {@code maxPacketLength} given, changed with {@link #maxPacketLength(int)}) goes to the {@link Oversize} handler
 * instead of the output batch. Allocates
 * nothing per packet. Not thread-safe (counters may be read racily from another thread for statistics).
 */
final class CaptureConverter {
    private static final Reject[] REJECTS = Reject.values();

    /** Takes the packets too long for the links, while they still lie in the datagram batch. */
    interface Oversize {
        /**
         * A packet of {@code length} bytes at {@code offset} in {@code memory}, valid during the call only.
         * It is rejected as {@link Reject#TOO_BIG} and dropped with the verdict whatever the handler does.
         */
        void tooBig(ByteBuffer memory, int offset, int length, PayloadType type);
    }

    private final int queue;
    private int maxPacketLength;
    private final Oversize oversize;
    private final PacketMessage message = new PacketMessage();
    private final long[] rejects = new long[REJECTS.length];

    private PacketBatch datagrams;
    private int index;
    private int offset;

    private boolean verdictDue;
    private boolean anyId;
    private int maxId;

    private long packets;
    private int lastError;

    /** A converter without a length limit of its own: only the output batch's slot size limits packets. */
    CaptureConverter(int queue) {
        this(queue, Integer.MAX_VALUE, (memory, offset, length, type) -> { });
    }

    /**
     * @param queue           the queue number this socket bound; packets of other queues are rejected
     * @param maxPacketLength the longest packet the links carry once wrapped; longer ones go to {@code oversize}
     */
    CaptureConverter(int queue, int maxPacketLength, Oversize oversize) {
        this.queue = NfqueueMessages.checkQueue(queue);
        if (maxPacketLength <= 0) {
            throw new IllegalArgumentException("maximum packet length must be positive: " + maxPacketLength);
        }
        this.maxPacketLength = maxPacketLength;
        this.oversize = Objects.requireNonNull(oversize, "oversize");
    }

    int queue() {
        return queue;
    }

    /** From the next packet on, packets longer than {@code maxPacketLength} go to the {@link Oversize} handler. */
    void maxPacketLength(int maxPacketLength) {
        this.maxPacketLength = maxPacketLength;
    }

    /**
     * Begins a newly received batch of datagrams.
     *
     * @throws IllegalStateException if the previous batch still holds unconverted packets
     */
    void start(PacketBatch received) {
        if (hasPending()) {
            throw new IllegalStateException("the previous datagram batch is not drained yet");
        }
        this.datagrams = received;
        this.index = 0;
        this.offset = 0;
    }

    /** Whether datagrams given to {@link #start} remain to be drained (the output batch filled up). */
    boolean hasPending() {
        return datagrams != null && index < datagrams.size();
    }

    /**
     * Appends the packets of the current datagram batch to {@code out}, as many as fit.
     *
     * @return how many packets were appended
     */
    int drain(PacketBatch out) {
        int appended = 0;
        while (hasPending()) {
            ByteBuffer memory = datagrams.memory();
            int base = datagrams.offset(index);
            int length = datagrams.length(index);
            while (offset < length) {
                Reject reject = PacketDecoder.decode(memory, base + offset, length - offset, message);
                boolean ours = message.queue() == queue;
                if (reject == Reject.NONE) {
                    if (!ours) {
                        reject = Reject.WRONG_QUEUE;
                    } else if (message.truncated()) {
                        reject = Reject.TRUNCATED_PAYLOAD;
                    } else if (message.payloadLength() > maxPacketLength) {
                        reject = Reject.TOO_BIG;
                        oversize.tooBig(memory, message.payloadOffset(), message.payloadLength(), message.payloadType());
                    } else if (message.payloadLength() > out.slotSize()) {
                        reject = Reject.PAYLOAD_TOO_LARGE;
                    } else if (out.isFull()) {
                        return appended; // resume at this message next time
                    } else {
                        out.slot(out.size()).put(0, memory, message.payloadOffset(), message.payloadLength());
                        out.commit(message.payloadLength(), message.payloadType(), -1);
                        appended++;
                        packets++;
                    }
                }
                if (reject != Reject.NONE) {
                    rejects[reject.ordinal()]++;
                    if (reject == Reject.NETLINK_ERROR) {
                        lastError = message.error();
                    }
                }
                if (ours && message.hasPacketId()) {
                    noteId(message.packetId());
                }
                int messageLength = message.messageLength();
                if (messageLength == 0) {
                    break; // framing lost: the rest of this datagram cannot be trusted
                }
                offset += Netlink.align(messageLength);
            }
            index++;
            offset = 0;
        }
        datagrams = null;
        return appended;
    }

    private void noteId(int id) {
        // serial order, as the kernel's nfq_id_after: ids wrap at 2^32
        if (!anyId || id - maxId > 0) {
            maxId = id;
            anyId = true;
        }
        verdictDue = true;
    }

    /** Whether packets were taken since the last {@link #verdictSent}: a VERDICT_BATCH must release them. */
    boolean verdictDue() {
        return verdictDue;
    }

    /** The highest packet id taken so far (serial order); meaningful once any packet was seen. */
    int verdictId() {
        return maxId;
    }

    /**
     * Writes VERDICT_BATCH DROP up to {@link #verdictId()} on this queue: the packets now belong to the
     * engine, which sends them on the links.
     *
     * @return the message length
     * @throws IllegalStateException if no verdict is due
     */
    int encodeVerdict(ByteBuffer dst, int offset, int seq) {
        if (!verdictDue) {
            throw new IllegalStateException("no packet awaits a verdict");
        }
        return NfqueueMessages.verdictBatch(dst, offset, queue, seq, NfqueueMessages.NF_DROP, maxId);
    }

    /**
     * The verdict went out. If sending failed, do not call this: the verdict stays due and the next one
     * encoded covers these ids and any later ones.
     */
    void verdictSent() {
        verdictDue = false;
    }

    /** Packets handed to the engine so far. */
    long packets() {
        return packets;
    }

    /** Messages rejected for {@code reason} so far. */
    long rejects(Reject reason) {
        return rejects[reason.ordinal()];
    }

    /** The error (negative errno) of the last NLMSG_ERROR message counted as {@link Reject#NETLINK_ERROR}. */
    int lastError() {
        return lastError;
    }
}
