package org.alagg.transport.afpacket;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;

import org.alagg.api.PacketBatch;

/**
 * Receives from a transport in a thread of its own, as the engine's ingress thread does, counting the frames of each
 * link and those of no link (link -1: a source no link has), until stopped or the transport is closed.
 */
final class ReceiverThread {
    private final AtomicLongArray frames = new AtomicLongArray(256);
    private final AtomicLong unknown = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Thread thread;
    private volatile boolean running = true;

    ReceiverThread(AfPacketTransport transport) {
        thread = new Thread(() -> {
            PacketBatch in = new PacketBatch(64, 2048);
            try {
                while (running) {
                    in.clear();
                    transport.receive(in, 50_000_000L);
                    for (int i = 0; i < in.size(); i++) {
                        int link = in.link(i);
                        if (link >= 0 && link < frames.length()) {
                            frames.incrementAndGet(link);
                        } else {
                            unknown.incrementAndGet();
                        }
                    }
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "receiver");
        thread.start();
    }

    /** Frames received for link {@code id}. */
    long frames(int id) {
        return frames.get(id);
    }

    /** Frames received from a source no link has. */
    long unknown() {
        return unknown.get();
    }

    /** What ended the receive loop, or null. */
    Throwable failure() {
        return failure.get();
    }

    /** Waits up to 10 s for the loop to end by itself (the transport closed). */
    void join() throws InterruptedException {
        thread.join(10_000);
    }

    /** Ends the loop and waits for it. */
    void stop() throws InterruptedException {
        running = false;
        join();
    }

    /** Ends the loop, waits for it, and fails if receiving failed. */
    void stopWithoutFailure() throws InterruptedException {
        stop();
        if (failure.get() != null) {
            throw new AssertionError("the receiver failed", failure.get());
        }
    }
}
