package org.alagg.transport.afpacket;

import java.util.concurrent.atomic.AtomicReference;

import org.alagg.api.PacketBatch;

/**
 * Sends from a transport in a thread of its own, as the engine's egress thread does (one thread sends): every 5 ms
 * one batch with a 60-byte frame for each of its links, numbered, until stopped. The links can change meanwhile.
 */
final class SenderThread {
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Thread thread;
    private volatile int[] links;
    private volatile boolean running = true;

    SenderThread(AfPacketTransport transport, int... links) {
        this.links = links.clone();
        thread = new Thread(() -> {
            PacketBatch out = new PacketBatch(16, 256);
            try {
                for (int n = 0; running; n++) {
                    out.clear();
                    for (int link : this.links) {
                        out.slot(out.size()).putInt(0, n);
                        out.commit(60, null, link);
                    }
                    transport.send(out);
                    Thread.sleep(5);
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "sender");
        thread.start();
    }

    /** From the next batch on, sends on these links (none: sends nothing). */
    void links(int... links) {
        this.links = links.clone();
    }

    /** Ends the loop, waits for it, and fails if sending failed. */
    void stop() throws InterruptedException {
        running = false;
        thread.join(10_000);
        if (failure.get() != null) {
            throw new AssertionError("the sender failed", failure.get());
        }
    }
}
