package org.alagg.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

import org.alagg.api.LinkScheduler;
import org.alagg.api.LinkTransport;
import org.alagg.api.PacketBatch;
import org.alagg.api.PacketInterceptor;
import org.alagg.protocol.FrameCodec;
import org.alagg.protocol.FrameHeader;
import org.alagg.protocol.FrameType;

/**
 * The egress thread: captured packets get the next global sequence number and leave as one frame on every
 * link that is up (redundant sending), or on the links a {@link LinkScheduler} plugin chooses. One capture,
 * one send per batch; nothing is allocated per packet.
 */
final class Egress implements Runnable {
    static final List<String> COUNTERS = List.of("captured", "sent", "unsent", "too_big", "send_errors");
    private static final int CAPTURED = 0;
    private static final int SENT = 1;
    private static final int UNSENT = 2;
    private static final int TOO_BIG = 3;
    private static final int SEND_ERRORS = 4;

    private static final long OPEN_RETRY_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);

    private final DataPath path;
    private final PacketBatch captured = new PacketBatch(DataPath.BATCH, DataPath.MAX_PACKET);
    private final PacketBatch frames = new PacketBatch(DataPath.BATCH * 4, FrameCodec.HEADER_LENGTH + DataPath.MAX_PACKET);
    private final FrameHeader header = new FrameHeader().frameType(FrameType.DATA);
    /** The links up for this batch, and a scheduler's choice among them. */
    private final int[] up = new int[DataPath.MAX_LINKS];
    private final int[] chosen = new int[DataPath.MAX_LINKS];
    final Counters counters = new Counters(COUNTERS);
    /** Never restarts while the process runs, whatever is swapped. */
    private int nextSequence;
    final PathError error;
    /** The interceptor this thread has opened; only this thread opens and closes interceptors. */
    private PacketInterceptor open;
    private long nextOpenAttempt;

    Egress(DataPath path, PathError error) {
        this.path = path;
        this.error = error;
    }

    @Override
    public void run() {
        try {
            loop();
        } finally {
            follow(null);
        }
    }

    private void loop() {
        while (path.running) {
            turn();
        }
    }

    /**
     * One capture and its send. A method of its own because HotSpot compiles a method after a few hundred
     * calls, but a loop body only after tens of thousands of iterations (on-stack replacement): at a few hundred
     * packets a second the whole turn would run in the interpreter for minutes, tens of microseconds a packet.
     */
    private void turn() {
        PacketInterceptor interceptor = follow(path.interceptor);
        if (interceptor == null) {
            DataPath.idle();
            return;
        }
        captured.clear();
        try {
            if (interceptor.capture(captured, DataPath.TURN_NANOS) == 0) {
                return;
            }
        } catch (IOException | RuntimeException e) {
            error.report("capture", e);
            DataPath.idle();
            return;
        }
        counters.add(CAPTURED, captured.size());
        LinkTransport transport = path.transport;
        if (transport == null) {
            counters.add(UNSENT, captured.size());
        } else {
            send(transport);
        }
        counters.publish();
    }

    /**
     * Closes the interceptor that is no longer wanted and opens the wanted one; a failed open is retried
     * once a second. Returns the interceptor to capture from, or null.
     */
    private PacketInterceptor follow(PacketInterceptor wanted) {
        if (wanted == open) {
            return open;
        }
        if (open != null) {
            open.close();
            open = null;
        }
        if (wanted == null || System.nanoTime() < nextOpenAttempt) {
            return null;
        }
        try {
            wanted.open(path.maxPacketLength);
            open = wanted;
            error.clear();
        } catch (IOException | RuntimeException e) {
            error.report("opening the interceptor", e);
            nextOpenAttempt = System.nanoTime() + OPEN_RETRY_NANOS;
        }
        return open;
    }

    private void send(LinkTransport transport) {
        OpenLink[] links = path.links;
        LinkScheduler scheduler = path.scheduler;
        int upCount = 0;
        for (OpenLink link : links) {
            if (link != null && link.isUp()) {
                up[upCount++] = link.id();
            }
        }
        frames.clear();
        for (int i = 0; i < captured.size(); i++) {
            int length = captured.length(i);
            if (FrameCodec.HEADER_LENGTH + length > frames.slotSize()) {
                counters.add(TOO_BIG, 1);
                continue;
            }
            int sequence = nextSequence++;
            ByteBuffer packet = captured.packet(i);
            header.payloadProtocol(Payloads.onWire(captured.payload(i))).innerLength(length)
                    .epoch(path.epoch).globalSequence(sequence);
            int count = upCount;
            int[] targets = up;
            if (scheduler != null) {
                count = scheduler.choose(sequence, length, up, upCount, chosen);
                targets = chosen;
            }
            boolean sentAnywhere = false;
            for (int t = 0; t < count; t++) {
                OpenLink link = links[targets[t]];
                if (frames.isFull()) {
                    flush(transport, links);
                }
                ByteBuffer slot = frames.slot(frames.size());
                header.linkId(link.id()).linkSequence(link.nextLinkSequence++);
                FrameCodec.encode(header, slot, 0);
                slot.put(FrameCodec.HEADER_LENGTH, packet, 0, length);
                frames.commit(FrameCodec.HEADER_LENGTH + length, captured.payload(i), link.id());
                sentAnywhere = true;
            }
            counters.add(sentAnywhere ? SENT : UNSENT, 1);
        }
        flush(transport, links);
    }

    private void flush(LinkTransport transport, OpenLink[] links) {
        if (frames.size() == 0) {
            return;
        }
        try {
            transport.send(frames);
            for (int i = 0; i < frames.size(); i++) {
                OpenLink link = links[frames.link(i)];
                link.sent.add(OpenLink.FRAMES_SENT, 1);
                link.sent.add(OpenLink.BYTES_SENT, frames.length(i));
            }
        } catch (IOException | RuntimeException e) {
            counters.add(SEND_ERRORS, 1);
            error.report("send", e);
        }
        for (OpenLink link : links) {
            if (link != null) {
                link.sent.publish();
            }
        }
        frames.clear();
    }
}
