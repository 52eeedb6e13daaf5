package org.alagg.transport.afpacket;

import static org.alagg.transport.afpacket.Frames.frame;
import static org.alagg.transport.afpacket.Frames.numbers;
import static org.alagg.transport.afpacket.Frames.receive;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import org.alagg.api.Link;
import org.alagg.api.LinkState;
import org.alagg.api.MacAddress;
import org.alagg.api.PacketBatch;
import org.alagg.linux.LinuxException;
import org.alagg.linux.NetworkInterfaces;
import org.alagg.linux.NetworkNamespace;
import org.alagg.testing.Await;
import org.alagg.testing.OpenDescriptors;
import org.alagg.testing.RequiresRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;


/**
 * The transport on two links of the real kernel: what one link's trouble does (and does not do) to the other,
 * how refused frames are marked, and that links and the transport leave nothing open behind.
 *
 * <pre>
 *   ns a: l1a ----- l1b :ns b     link 0
 *         l2a ----- l2b           link 1
 * </pre>
 */
@RequiresRoot(tools = {"tc"})
class AfPacketTwoLinksRootTest {
    private static final int ETHERTYPE = 0x88B5;
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final int SLOW = 0;
    private static final int FAST = 1;

    private TwoHosts hosts;
    private MacAddress mac1a;
    private MacAddress mac2a;
    private MacAddress mac1b;
    private MacAddress mac2b;
    private final List<Link> linksA = new ArrayList<>();
    private final List<Link> linksB = new ArrayList<>();

    @BeforeEach
    void network() throws Exception {
        hosts = new TwoHosts((net, a, b) -> {
            net.veth(a, "l1a", b, "l1b");
            net.veth(a, "l2a", b, "l2b");
        });
        mac1a = NetworkNamespace.call(hosts.a, () -> NetworkInterfaces.mac("l1a"));
        mac2a = NetworkNamespace.call(hosts.a, () -> NetworkInterfaces.mac("l2a"));
        mac1b = NetworkNamespace.call(hosts.b, () -> NetworkInterfaces.mac("l1b"));
        mac2b = NetworkNamespace.call(hosts.b, () -> NetworkInterfaces.mac("l2b"));
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (hosts != null) {
            hosts.close();
        }
    }

    private void openLinks(int etherType) throws Exception {
        linksA.add(NetworkNamespace.call(hosts.a, () -> hosts.inA.open(SLOW, "l1a", mac1b, etherType)));
        linksA.add(NetworkNamespace.call(hosts.a, () -> hosts.inA.open(FAST, "l2a", mac2b, etherType)));
        linksB.add(NetworkNamespace.call(hosts.b, () -> hosts.inB.open(SLOW, "l1b", mac1a, etherType)));
        linksB.add(NetworkNamespace.call(hosts.b, () -> hosts.inB.open(FAST, "l2b", mac2a, etherType)));
        await("all links UP", () -> Stream.concat(linksA.stream(), linksB.stream()).allMatch(l -> l.state() == LinkState.UP));
    }

    private void closeLinks() {
        linksA.forEach(Link::close);
        linksB.forEach(Link::close);
        linksA.clear();
        linksB.clear();
    }

    /**
     * Link 0 is slow (a token bucket of 1 Mbit/s holds what it cannot send yet), link 1 is fast, and frames for
     * both alternate in every batch, sent as fast as the sender can. The slow link's queue fills: its frames are
     * refused and marked as such. The fast link must not notice: none of its frames refused, all arrive.
     * Two ways to be full: the token bucket's own queue (400 ms of traffic: the kernel answers ENOBUFS), or
     * the sending socket's buffer (a queue too long to fill first: EAGAIN, which on a socket shared by all
     * links also stopped the fast link's frames).
     */
    @ParameterizedTest
    @ValueSource(strings = {"latency 400ms", "limit 64mb"})
    void aSlowLinkDoesNotHoldUpAFastOne(String queue) throws Exception {
        List<String> tbf = new ArrayList<>(List.of("tc", "qdisc", "add", "dev", "l1a", "root", "tbf", "rate", "1mbit",
                "burst", "4kbit"));
        tbf.addAll(List.of(queue.split(" ")));
        hosts.net.exec(hosts.a, tbf.toArray(String[]::new));
        openLinks(ETHERTYPE);

        ReceiverThread receiver = new ReceiverThread(hosts.inB);
        int batches = 4000;
        int perBatch = 32;
        long fastSent = 0;
        long slowSent = 0;
        Map<Integer, Integer> slowRefusals = new TreeMap<>();
        PacketBatch out = new PacketBatch(perBatch, 2048);
        long start = System.nanoTime();
        try {
            for (int k = 0; k < batches; k++) {
                out.clear();
                for (int n = 0; n < perBatch; n++) {
                    frame(out, 100, n % 2 == 0 ? SLOW : FAST, k * perBatch + n);
                }
                int sent = hosts.inA.send(out);
                int left = 0;
                for (int i = 0; i < out.size(); i++) {
                    int refusal = out.refusal(i);
                    if (out.link(i) == FAST) {
                        if (refusal != 0) {
                            fail("batch " + k + ": a frame of the fast link was refused with errno " + refusal
                                    + " (slow link's refusals so far: " + slowRefusals + ")");
                        }
                        fastSent++;
                    } else if (refusal == 0) {
                        slowSent++;
                    } else {
                        slowRefusals.merge(refusal, 1, Integer::sum);
                    }
                    left += refusal == 0 ? 1 : 0;
                }
                assertEquals(left, sent, "send counts the frames not refused");
            }
            long nanos = System.nanoTime() - start;
            System.out.printf("slow link (%s): %d sent, refused %s; fast link: %d sent; %.0f frames/s offered%n",
                    queue, slowSent, slowRefusals, fastSent, batches * perBatch * 1e9 / nanos);
            long expected = fastSent;
            await("the fast link's " + expected + " frames arrive", () -> receiver.frames(FAST) >= expected);
            assertEquals(expected, receiver.frames(FAST), "each fast frame once");
        } finally {
            receiver.stop();
        }
        assertTrue(!slowRefusals.isEmpty(), "the slow link's queue filled up");
        for (int errno : slowRefusals.keySet()) {
            assertTrue(errno == LinuxException.EAGAIN || errno == LinuxException.ENOBUFS,
                    "a full queue is EAGAIN or ENOBUFS: " + slowRefusals);
        }
        assertTrue(receiver.frames(SLOW) <= slowSent, "the slow link delivers at most what left");
    }

    @Test
    void aFrameLongerThanTheMtuIsRefusedAndTheRestGo() throws Exception {
        openLinks(ETHERTYPE);
        hosts.net.exec(hosts.a, "ip", "link", "set", "l1a", "mtu", "1000");
        await("the link follows the MTU", () -> linksA.get(SLOW).mtu() == 1000);

        PacketBatch out = new PacketBatch(8, 2048);
        frame(out, 100, SLOW, 1);
        frame(out, 1200, SLOW, 2);
        frame(out, 100, FAST, 3);
        frame(out, 1000, SLOW, 4);
        frame(out, 1200, FAST, 5);
        frame(out, 1300, SLOW, 6);
        frame(out, 100, SLOW, 7);
        assertEquals(5, hosts.inA.send(out));
        for (int i = 0; i < out.size(); i++) {
            int expected = i == 1 || i == 5 ? LinuxException.EMSGSIZE : 0;
            assertEquals(expected, out.refusal(i), "refusal of frame " + (i + 1));
        }
        PacketBatch in = new PacketBatch(16, 2048);
        receive(hosts.inB, in, 5);
        assertEquals(List.of(1, 3, 4, 5, 7), numbers(in));
    }

    @Test
    void framesForALinkThatIsDownOrMissingAreRefusedEnetdown() throws Exception {
        openLinks(ETHERTYPE);
        PacketBatch out = new PacketBatch(8, 2048);

        // at once: the kernel refuses them before the transport's watcher has seen the interface go down
        hosts.net.down(hosts.a, "l1a");
        fourFrames(out);
        assertEquals(2, hosts.inA.send(out));
        assertRefusals(out, LinuxException.ENETDOWN, 0, LinuxException.ENETDOWN, 0);

        // once the link is DOWN the transport refuses them itself
        await("link 0 DOWN", () -> linksA.get(SLOW).state() == LinkState.DOWN);
        fourFrames(out);
        assertEquals(2, hosts.inA.send(out));
        assertRefusals(out, LinuxException.ENETDOWN, 0, LinuxException.ENETDOWN, 0);

        // back up: all go again, none refused for an error the kernel kept from the time it was down
        hosts.net.up(hosts.a, "l1a");
        await("link 0 UP", () -> linksA.get(SLOW).state() == LinkState.UP);
        fourFrames(out);
        assertEquals(4, hosts.inA.send(out));
        assertRefusals(out, 0, 0, 0, 0);

        // frames for a link nobody opened, or one closed
        out.clear();
        frame(out, 60, 7, 1);
        frame(out, 60, -1, 2);
        frame(out, 60, FAST, 3);
        assertEquals(1, hosts.inA.send(out));
        assertRefusals(out, LinuxException.ENETDOWN, LinuxException.ENETDOWN, 0);
        linksA.get(FAST).close();
        fourFrames(out);
        assertEquals(2, hosts.inA.send(out));
        assertRefusals(out, 0, LinuxException.ENETDOWN, 0, LinuxException.ENETDOWN);

        PacketBatch in = new PacketBatch(32, 2048);
        receive(hosts.inB, in, 11);
        assertEquals(11, in.size(), "the frames not refused arrive");
    }

    @Test
    void anEtherTypeChangeReopensEveryLink() throws Exception {
        openLinks(ETHERTYPE);
        PacketBatch out = new PacketBatch(8, 2048);
        fourFrames(out);
        assertEquals(4, hosts.inA.send(out));
        PacketBatch in = new PacketBatch(16, 2048);
        receive(hosts.inB, in, 4);
        assertEquals(4, in.size());

        // as the engine does it: every link closed, then opened again with the new EtherType
        closeLinks();
        openLinks(0x88B6);
        fourFrames(out);
        assertEquals(4, hosts.inA.send(out));
        in.clear();
        receive(hosts.inB, in, 4);
        assertEquals(List.of(1, 2, 3, 4), numbers(in));
        for (int i = 0; i < 4; i++) {
            int number = in.packet(i).getInt(0);
            assertEquals(number % 2 == 1 ? SLOW : FAST, in.link(i), "link of frame " + number);
        }
        // nothing of the old EtherType is left: a frame of it is not received any more
        NetworkNamespace.call(hosts.a, () -> {
            try (org.alagg.linux.PacketSocket old = org.alagg.linux.PacketSocket.open(ETHERTYPE, 4)) {
                old.setDestination(0, NetworkInterfaces.index("l2a"), mac2b);
                PacketBatch stray = new PacketBatch(1, 256);
                frame(stray, 60, 0, 9);
                assertEquals(1, old.send(stray), "refused: " + stray.refusal(0));
            }
            return null;
        });
        in.clear();
        assertEquals(0, hosts.inB.receive(in, 300_000_000L));
    }

    @Test
    void closingEverythingLeavesNoDescriptorOpen() throws Exception {
        // a first round loads every class (the JVM opens jar files for that) before counting
        AfPacketTransport warm = NetworkNamespace.call(hosts.a, () -> new AfPacketTransport(QuietLogger.create()));
        Link warmLink = NetworkNamespace.call(hosts.a, () -> warm.open(0, "l1a", mac1b, ETHERTYPE));
        warm.send(new PacketBatch(1, 64));
        warmLink.close();
        warm.stop();

        OpenDescriptors before = OpenDescriptors.now();
        AfPacketTransport t = NetworkNamespace.call(hosts.a, () -> new AfPacketTransport(QuietLogger.create()));
        OpenDescriptors transport = OpenDescriptors.now();
        Link l1 = NetworkNamespace.call(hosts.a, () -> t.open(0, "l1a", mac1b, ETHERTYPE));
        Link l2 = NetworkNamespace.call(hosts.a, () -> t.open(1, "l2a", mac2b, ETHERTYPE));
        await("UP", () -> l1.state() == LinkState.UP && l2.state() == LinkState.UP);
        PacketBatch out = new PacketBatch(4, 256);
        frame(out, 60, 0, 1);
        frame(out, 60, 1, 2);
        assertEquals(2, t.send(out));
        assertFalse(OpenDescriptors.now().openedSince(transport).isEmpty(), "the links opened sockets");
        l1.close();
        l2.close();
        assertEquals(List.of(), OpenDescriptors.now().openedSince(transport), "the links' sockets are closed with them");
        t.stop();
        assertEquals(List.of(), OpenDescriptors.now().openedSince(before),
                "the transport's own descriptors are closed when it stops");
        assertThrows(ClosedChannelException.class, () -> t.send(out));
        assertThrows(ClosedChannelException.class, () -> t.receive(new PacketBatch(4, 256), 0));
    }

    /**
     * The interface of a link is deleted and made again (with a new index, or the same one) while frames flow
     * both ways: the transport reopens the link's socket on the new interface, and the threads sending and
     * receiving meanwhile see only refusals, never a failure (a closed or reused descriptor).
     */
    @Test
    void aLinkFollowsItsInterfaceMadeAgainWhileFramesFlow() throws Exception {
        openLinks(ETHERTYPE);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Map<Integer, Integer> refusals = new ConcurrentHashMap<>();
        ReceiverThread receiverA = new ReceiverThread(hosts.inA);
        CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
            PacketBatch out = new PacketBatch(16, 2048);
            try {
                for (int k = 0; running.get(); k++) {
                    out.clear();
                    for (int n = 0; n < 16; n++) {
                        frame(out, 100, n % 2, k);
                    }
                    hosts.inB.send(out);
                    for (int i = 0; i < out.size(); i++) {
                        if (out.refusal(i) != 0) {
                            refusals.merge(out.refusal(i), 1, Integer::sum);
                        }
                    }
                    Thread.sleep(0, 200_000);
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        try {
            for (int round = 0; round < 4; round++) {
                Thread.sleep(300);
                int before = NetworkNamespace.call(hosts.a, () -> NetworkInterfaces.index("l1a"));
                if (round == 1) {
                    // made again with the very same index, while the watcher waits for the transport's lock (it
                    // never sees the interface missing): only the socket can tell that it is another interface
                    synchronized (hosts.inA) {
                        hosts.net.exec(hosts.a, "ip", "link", "del", "l1a");
                        hosts.net.exec(hosts.a, "ip", "link", "add", "l1a", "index", String.valueOf(before),
                                "type", "veth", "peer", "name", "l1b", "netns", hosts.b);
                    }
                } else {
                    hosts.net.exec(hosts.a, "ip", "link", "del", "l1a");
                    if (round == 0) {
                        await("link 0 DOWN", () -> linksA.get(SLOW).state() == LinkState.DOWN);
                    }
                    hosts.net.veth(hosts.a, "l1a", hosts.b, "l1b");
                }
                // the same MACs as before, so that the peers the links name stay right
                for (String[] end : new String[][] {{hosts.a, "l1a", mac1a.toString()},
                        {hosts.b, "l1b", mac1b.toString()}}) {
                    hosts.net.down(end[0], end[1]);
                    hosts.net.exec(end[0], "ip", "link", "set", end[1], "address", end[2]);
                    hosts.net.up(end[0], end[1]);
                }
                await("both ends of link 0 UP", () -> linksA.get(SLOW).state() == LinkState.UP
                        && linksB.get(SLOW).state() == LinkState.UP);
                int index = NetworkNamespace.call(hosts.a, () -> NetworkInterfaces.index("l1a"));
                assertEquals(round == 1, index == before, "round " + round + ": index " + index + ", before " + before);
                long received = receiverA.frames(SLOW);
                await("round " + round + ": frames arrive on the new l1a", () -> receiverA.frames(SLOW) > received + 100);
            }
        } finally {
            running.set(false);
            sender.get(10, TimeUnit.SECONDS);
            receiverA.stop();
        }
        if (failure.get() != null) {
            throw new AssertionError("the sender failed", failure.get());
        }
        if (receiverA.failure() != null) {
            throw new AssertionError("the receiver failed", receiverA.failure());
        }
        System.out.println("refusals while l1a came and went: " + refusals);
        for (int errno : refusals.keySet()) {
            // ENOBUFS: the veth drops what it cannot hand to a peer that is down (before the watcher sees no carrier)
            assertTrue(errno == LinuxException.ENETDOWN || errno == LinuxException.ENXIO || errno == LinuxException.ENOBUFS,
                    "refusals: " + refusals);
        }
    }

    /** A send and a receive racing with stop() end with ClosedChannelException, nothing else. */
    @Test
    void sendAndReceiveRacingStopFailCleanly() throws Exception {
        openLinks(ETHERTYPE);
        AtomicReference<Throwable> sendEnd = new AtomicReference<>();
        CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
            PacketBatch out = new PacketBatch(16, 2048);
            try {
                while (true) {
                    out.clear();
                    for (int n = 0; n < 16; n++) {
                        frame(out, 100, n % 2, n);
                    }
                    hosts.inA.send(out);
                }
            } catch (Throwable e) {
                sendEnd.set(e);
            }
        });
        ReceiverThread receiver = new ReceiverThread(hosts.inA);
        Thread.sleep(300);
        hosts.inA.stop();
        sender.get(10, TimeUnit.SECONDS);
        receiver.join();
        assertTrue(sendEnd.get() instanceof ClosedChannelException, "send ends with " + sendEnd.get());
        assertTrue(receiver.failure() instanceof ClosedChannelException, "receive ends with " + receiver.failure());
    }

    /**
     * Frames per second through the transport, two links, batches of 64 alternating the links, a receiver thread
     * on the other side. Printed, for comparison between versions; asserts only that frames arrived.
     */
    @Test
    void throughputOverTwoLinks() throws Exception {
        openLinks(ETHERTYPE);
        ReceiverThread receiver = new ReceiverThread(hosts.inB);
        PacketBatch out = new PacketBatch(64, 2048);
        long sent = 0;
        try {
            for (int round = 0; round < 2; round++) {
                long start = System.nanoTime();
                long received = receiver.frames(SLOW) + receiver.frames(FAST);
                int batches = 0;
                while (System.nanoTime() - start < 2 * SECOND) {
                    out.clear();
                    for (int n = 0; n < 64; n++) {
                        frame(out, 100, n % 2, n);
                    }
                    sent += hosts.inA.send(out);
                    batches++;
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                long got = receiver.frames(SLOW) + receiver.frames(FAST) - received;
                if (round == 1) {
                    System.out.printf("throughput: %.0f frames/s sent, %.0f frames/s received (%d batches of 64)%n",
                            batches * 64 / seconds, got / seconds, batches);
                }
            }
        } finally {
            receiver.stop();
        }
        assertTrue(sent > 0);
    }

    /** Send and receive through the transport allocate nothing per batch, refusals included. */
    @Test
    void steadyStateAllocatesNothing() throws Exception {
        openLinks(ETHERTYPE);
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        PacketBatch out = new PacketBatch(32, 2048);
        PacketBatch in = new PacketBatch(64, 2048);
        long received = 0;
        long allocated = 0;
        for (int round = 0; round < 2; round++) {
            // round 0 warms up (class loading, JIT); round 1 is measured
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int k = 0; k < 2000; k++) {
                out.clear();
                for (int n = 0; n < 32; n++) {
                    // every 8th frame for a link that is not open: refused
                    frame(out, 100, n % 8 == 7 ? 5 : n % 2, n);
                }
                hosts.inA.send(out);
                in.clear();
                received += hosts.inB.receive(in, 0);
            }
            allocated = threads.getCurrentThreadAllocatedBytes() - before;
        }
        System.out.println("steady state: " + received + " frames received, " + allocated + " bytes allocated in 2000 rounds");
        assertTrue(received > 2000, "frames arrived: " + received);
        assertTrue(allocated < 2000 * 8, "2000 send+receive of 32 frames allocated " + allocated + " bytes");
    }

    private void fourFrames(PacketBatch out) {
        out.clear();
        for (int n = 1; n <= 4; n++) {
            frame(out, 60, n % 2 == 1 ? SLOW : FAST, n);
        }
    }

    private static void assertRefusals(PacketBatch out, int... expected) {
        int[] actual = new int[out.size()];
        for (int i = 0; i < actual.length; i++) {
            actual[i] = out.refusal(i);
        }
        assertEquals(java.util.Arrays.toString(expected), java.util.Arrays.toString(actual), "refusals of the batch");
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        Await.until(what, Duration.ofSeconds(10), condition);
    }
}
