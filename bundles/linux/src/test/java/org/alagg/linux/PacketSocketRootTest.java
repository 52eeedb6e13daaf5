package org.alagg.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.alagg.api.MacAddress;
import org.alagg.api.PacketBatch;
import org.alagg.api.PayloadType;
import org.alagg.testing.RequiresRoot;
import org.alagg.testing.TestNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two namespaces joined by two veth pairs (two links): a PacketSocket in each, frames across both links.
 *
 * <pre>
 *   ns a: l1a ----- l1b :ns b
 *         l2a ----- l2b
 * </pre>
 */
@RequiresRoot
class PacketSocketRootTest {
    static final int ETHERTYPE = 0x88B5;
    static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    TestNetwork net;
    String a;
    String b;
    PacketSocket sa;
    PacketSocket sb;
    int l1a;
    int l2a;
    int l1b;
    int l2b;
    MacAddress mac1a;
    MacAddress mac2a;
    MacAddress mac1b;
    MacAddress mac2b;

    @BeforeEach
    void network() throws Exception {
        net = TestNetwork.create();
        a = net.namespace("a");
        b = net.namespace("b");
        net.veth(a, "l1a", b, "l1b");
        net.veth(a, "l2a", b, "l2b");
        sa = NetworkNamespace.call(a, () -> PacketSocket.open(ETHERTYPE, 64));
        sb = NetworkNamespace.call(b, () -> PacketSocket.open(ETHERTYPE, 64));
        l1a = NetworkNamespace.call(a, () -> NetworkInterfaces.index("l1a"));
        l2a = NetworkNamespace.call(a, () -> NetworkInterfaces.index("l2a"));
        l1b = NetworkNamespace.call(b, () -> NetworkInterfaces.index("l1b"));
        l2b = NetworkNamespace.call(b, () -> NetworkInterfaces.index("l2b"));
        mac1a = NetworkNamespace.call(a, () -> NetworkInterfaces.mac("l1a"));
        mac2a = NetworkNamespace.call(a, () -> NetworkInterfaces.mac("l2a"));
        mac1b = NetworkNamespace.call(b, () -> NetworkInterfaces.mac("l1b"));
        mac2b = NetworkNamespace.call(b, () -> NetworkInterfaces.mac("l2b"));
        sa.setDestination(0, l1a, mac1b);
        sa.setDestination(1, l2a, mac2b);
        sb.setDestination(0, l1b, mac1a);
        sb.setDestination(1, l2b, mac2a);
    }

    @AfterEach
    void removeNetwork() {
        // sockets first: an open socket keeps its namespace (and the veths in it) alive
        if (sa != null) {
            sa.close();
        }
        if (sb != null) {
            sb.close();
        }
        net.close();
    }

    /** A frame whose bytes tell its number: length 60 + n, byte k = n + k. */
    static void frame(PacketBatch batch, int n, int link) {
        ByteBuffer slot = batch.slot(batch.size());
        int length = 60 + n;
        for (int k = 0; k < length; k++) {
            slot.put(k, (byte) (n + k));
        }
        batch.commit(length, PayloadType.IPV4, link);
    }

    /** The number of a frame made by {@link #frame}, after checking every byte. */
    static int number(PacketBatch batch, int i) {
        ByteBuffer p = batch.packet(i);
        int n = p.get(0) & 0xFF;
        assertEquals(60 + n, p.remaining(), "length of frame " + n);
        for (int k = 0; k < p.remaining(); k++) {
            assertEquals((byte) (n + k), p.get(k), "byte " + k + " of frame " + n);
        }
        return n;
    }

    /** Receives until {@code expected} frames are in the batch or 5 s passed. */
    static void receiveAll(PacketSocket socket, PacketBatch into, int expected) throws Exception {
        long deadline = System.nanoTime() + 5 * SECOND;
        while (into.size() < expected && System.nanoTime() < deadline) {
            socket.receive(into, 100_000_000L);
        }
        assertEquals(expected, into.size(), "frames received");
    }

    @Test
    void framesCrossBothLinksIntactAndTellWhereTheyCameFrom() throws Exception {
        PacketBatch out = new PacketBatch(64, 2048);
        for (int n = 0; n < 40; n++) {
            frame(out, n, n % 2);
        }
        assertEquals(40, sa.send(out));

        PacketBatch in = new PacketBatch(64, 2048);
        receiveAll(sb, in, 40);
        Map<Integer, Integer> seen = new HashMap<>();
        for (int i = 0; i < in.size(); i++) {
            int n = number(in, i);
            seen.merge(n, 1, Integer::sum);
            assertEquals(-1, in.link(i), "the transport maps the origin to a link");
            assertNull(in.payload(i));
            if (n % 2 == 0) {
                assertEquals(l1b, sb.sourceIfindex(i), "frame " + n + " came in on l1b");
                assertEquals(mac1a.toLong(), sb.sourceMac(i), "frame " + n + " came from l1a");
            } else {
                assertEquals(l2b, sb.sourceIfindex(i), "frame " + n + " came in on l2b");
                assertEquals(mac2a.toLong(), sb.sourceMac(i), "frame " + n + " came from l2a");
            }
        }
        assertEquals(40, seen.size(), "each frame once: " + seen);

        PacketBatch own = new PacketBatch(64, 2048);
        assertEquals(0, sa.receive(own, 100_000_000L), "own outgoing frames are not received");

        // and back
        PacketBatch reply = new PacketBatch(8, 2048);
        frame(reply, 7, 1);
        assertEquals(1, sb.send(reply));
        PacketBatch back = new PacketBatch(8, 2048);
        receiveAll(sa, back, 1);
        assertEquals(7, number(back, 0));
        assertEquals(l2a, sa.sourceIfindex(0));
        assertEquals(mac2b.toLong(), sa.sourceMac(0));
        assertThrows(IndexOutOfBoundsException.class, () -> sa.sourceMac(1));
    }

    @Test
    void receiveAppendsAfterWhatTheBatchHolds() throws Exception {
        PacketBatch out = new PacketBatch(8, 2048);
        frame(out, 5, 0);
        frame(out, 6, 1);
        assertEquals(2, sa.send(out));
        PacketBatch in = new PacketBatch(8, 2048);
        frame(in, 1, 3);
        frame(in, 2, 3);
        receiveAll(sb, in, 4);
        assertEquals(1, number(in, 0));
        assertEquals(3, in.link(1));
        int n2 = number(in, 2);
        assertEquals(n2 == 5 ? l1b : l2b, sb.sourceIfindex(2));
        assertThrows(IndexOutOfBoundsException.class, () -> sb.sourceIfindex(1));
    }

    @Test
    void framesWithoutDestinationAreSkipped() throws Exception {
        sa.clearDestination(1);
        PacketBatch out = new PacketBatch(8, 2048);
        frame(out, 1, 0);
        frame(out, 2, 1);
        frame(out, 3, -1);
        frame(out, 4, 200);
        frame(out, 5, 0);
        assertEquals(2, sa.send(out));
        PacketBatch in = new PacketBatch(8, 2048);
        receiveAll(sb, in, 2);
        assertEquals(0, sb.receive(in, 50_000_000L));
        assertEquals(1, number(in, 0));
        assertEquals(5, number(in, 1));
        for (int i = 0; i < out.size(); i++) {
            assertEquals(0, out.refusal(i), "a frame without a destination here is left alone, not refused");
        }
        assertThrows(IllegalArgumentException.class, () -> sa.setDestination(256, l1a, mac1b));
    }

    @Test
    void foreignMacsAreTold() throws Exception {
        // to a foreign MAC: the frame reaches l1b but is for another host, so it is not returned
        sa.setDestination(2, l1a, MacAddress.parse("02:00:00:00:99:99"));
        PacketBatch out = new PacketBatch(8, 2048);
        frame(out, 1, 2);
        assertEquals(1, sa.send(out));
        PacketBatch in = new PacketBatch(8, 2048);
        assertEquals(0, sb.receive(in, 200_000_000L));
        assertEquals(1, sb.discarded());

        // from a foreign MAC: l2a takes another address; the receiver sees it as the source
        net.exec(a, "ip", "link", "set", "l2a", "address", "02:00:00:00:be:ef");
        out.clear();
        frame(out, 2, 1);
        frame(out, 3, 0);
        assertEquals(2, sa.send(out));
        receiveAll(sb, in, 2);
        for (int i = 0; i < 2; i++) {
            long expected = number(in, i) == 2 ? 0x02000000BEEFL : mac1a.toLong();
            assertEquals(expected, sb.sourceMac(i));
        }
    }

    @Test
    void aLinkDownRefusesItsFramesOnly() throws Exception {
        net.down(a, "l1a");
        PacketBatch out = new PacketBatch(8, 2048);
        frame(out, 1, 0);
        frame(out, 2, 1);
        frame(out, 3, 0);
        frame(out, 4, 1);
        assertEquals(2, sa.send(out));
        assertEquals(LinuxException.ENETDOWN, out.refusal(0));
        assertEquals(0, out.refusal(1));
        assertEquals(LinuxException.ENETDOWN, out.refusal(2));
        assertEquals(0, out.refusal(3));
        PacketBatch in = new PacketBatch(8, 2048);
        receiveAll(sb, in, 2);
        assertEquals(2, number(in, 0));
        assertEquals(4, number(in, 1));
    }

    @Test
    void aFrameLongerThanASlotIsDiscarded() throws Exception {
        PacketBatch out = new PacketBatch(8, 2048);
        frame(out, 100, 0);
        frame(out, 1, 0);
        assertEquals(2, sa.send(out));
        PacketBatch in = new PacketBatch(8, 100);
        receiveAll(sb, in, 1);
        assertEquals(1, number(in, 0));
        assertEquals(1, sb.discarded());
    }

    @Test
    void wakeupEndsAReceive() throws Exception {
        PacketBatch in = new PacketBatch(8, 2048);
        long start = System.nanoTime();
        CompletableFuture<Integer> received = CompletableFuture.supplyAsync(() -> {
            try {
                return sb.receive(in, 20 * SECOND);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(100);
        sb.wakeup();
        assertEquals(0, received.get(10, TimeUnit.SECONDS));
        assertTrue(System.nanoTime() - start < 10 * SECOND);
    }

    @Test
    void steadyStateAllocatesNothing() throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        PacketBatch out = new PacketBatch(32, 2048);
        for (int n = 0; n < 32; n++) {
            frame(out, n, n % 2);
        }
        PacketBatch in = new PacketBatch(64, 2048);
        int received = 0;
        long allocated = 0;
        for (int round = 0; round < 2; round++) {
            // round 0 warms up (class loading, JIT); round 1 is measured
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int k = 0; k < 2000; k++) {
                sa.send(out);
                in.clear();
                received += sb.receive(in, 0);
            }
            allocated = threads.getCurrentThreadAllocatedBytes() - before;
        }
        System.out.println("steady state: " + received + " frames received, " + allocated + " bytes allocated in 2000 rounds");
        assertTrue(received > 2000, "frames arrived: " + received);
        assertTrue(allocated < 2000 * 8, "2000 send+receive of 32 frames allocated " + allocated + " bytes");
    }
}
