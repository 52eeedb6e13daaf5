package org.alagg.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.alagg.api.Link;
import org.alagg.api.LinkTransport;
import org.alagg.api.MacAddress;
import org.alagg.api.PacketBatch;
import org.alagg.api.ReorderSettings;
import org.alagg.protocol.FrameAuth;
import org.alagg.reorder.windowed.WindowedOrder;
import org.junit.jupiter.api.Test;

/**
 * The probes allocate nothing on the hot threads: a data path that is its own peer over two looped links that
 * allocate nothing either, idle but for its probes (every 10 ms, signed and verified with a key), their replies with
 * the link report, the round-trip times and the state; the JVM's per-thread counters of allocated bytes.
 */
class ProbeAllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** One ring of frames from the egress thread to the ingress thread; no lock, no allocation. */
    static final class Loop implements LinkTransport {
        private static final int CAPACITY = 256;
        private static final int SLOT = 2048;
        private final ByteBuffer ring = ByteBuffer.allocateDirect(CAPACITY * SLOT);
        private final int[] lengths = new int[CAPACITY];
        private final int[] links = new int[CAPACITY];
        private volatile long written;
        private volatile long read;

        @Override
        public Link open(int id, String interfaceName, MacAddress peer, int etherType) {
            return new TestLink(id, interfaceName, peer, peer, link -> false);
        }

        @Override
        public int send(PacketBatch frames) {
            for (int i = 0; i < frames.size(); i++) {
                if (written - read >= CAPACITY) {
                    frames.refuse(i, 105);
                    continue;
                }
                int slot = (int) (written & (CAPACITY - 1));
                ring.put(slot * SLOT, frames.packet(i), 0, frames.length(i));
                lengths[slot] = frames.length(i);
                links[slot] = frames.link(i);
                written = written + 1;
            }
            return frames.size();
        }

        @Override
        public int receive(PacketBatch frames, long timeoutNanos) {
            long deadline = System.nanoTime() + timeoutNanos;
            while (read == written && System.nanoTime() - deadline < 0) {
                LockSupport.parkNanos(20_000);
            }
            while (read != written && !frames.isFull()) {
                int slot = (int) (read & (CAPACITY - 1));
                frames.slot(frames.size()).put(0, ring, slot * SLOT, lengths[slot]);
                frames.commit(lengths[slot], null, links[slot]);
                read = read + 1;
            }
            return frames.size();
        }

        @Override
        public void wakeup() {
        }
    }

    @Test
    void probesRepliesAndTheirFiguresAllocateNothingOnTheHotThreads() throws Exception {
        byte[] key = new byte[FrameAuth.KEY_LENGTH];
        new SecureRandom().nextBytes(key);
        Loop loop = new Loop();
        DataPath path = DataPathTest.onePeer(Reordering.of(new ReorderSettings(256, TimeUnit.MILLISECONDS.toNanos(5)), null),
                problem -> { });
        path.probeIntervalNanos = TimeUnit.MILLISECONDS.toNanos(10);
        DataPathTest.peer(path).strategy = new WindowedOrder();
        path.transport = loop;
        DataPathTest.links(path, 2, id -> loop.open(id, "loop" + id, MacAddress.parse("02:00:00:00:0" + id + ":01"), 0x88B5));
        DataPathTest.trustOnly(path, new Trust(key, null, List.of()));
        path.start();
        try {
            DataPathTest.await("its own epoch confirmed", () -> DataPathTest.peer(path).receive.peerEpochKnown);
            Thread.sleep(3000); // the turns compiled
            long[] threads = {path.egress.thread().getId(), path.ingress.thread().getId()};
            long[] before = THREADS.getThreadAllocatedBytes(threads);
            long answeredBefore = path.links[0].received.snapshot().get("probes_answered");
            Thread.sleep(2000);
            long[] after = THREADS.getThreadAllocatedBytes(threads);
            long answered = path.links[0].received.snapshot().get("probes_answered") - answeredBefore;
            assertTrue(answered > 100, "probes answered on link 0 in 2 s: " + answered);
            for (OpenLink l : path.links) {
                assertTrue(l.isUp() && l.health.rttCount > 0, "UP, with round trips");
            }
            long egress = after[0] - before[0];
            long ingress = after[1] - before[1];
            System.out.printf("probes: %d answered on link 0 in 2 s; allocated: egress %d B, ingress %d B%n", answered,
                    egress, ingress);
            // per probe: two links, a probe and a reply each, so some 4 * answered frames made and taken
            assertTrue(egress < 1024 && ingress < 1024, "bytes allocated in 2 s while " + answered + " probes a link were"
                    + " sent, answered and measured: egress " + egress + ", ingress " + ingress);
        } finally {
            path.stop();
        }
    }
}
