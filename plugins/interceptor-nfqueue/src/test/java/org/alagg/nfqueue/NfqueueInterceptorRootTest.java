package org.alagg.nfqueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import org.alagg.api.PacketBatch;
import org.alagg.api.PayloadType;
import org.alagg.linux.NetworkNamespace;
import org.alagg.testing.OpenDescriptors;
import org.alagg.testing.RequiresRoot;
import org.alagg.testing.TestNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.service.log.Logger;

/**
 * The nfqueue capture mode on the real kernel: namespace "nfq" (10.203.5.1/24, fd00:203::1/64 on l1a) holds the
 * iptables rules and the interceptor, namespace "peer" (10.203.5.2/24, fd00:203::2/64 on l1b) is the other end
 * of a veth. Everything the interceptor does (bind, capture, the ICMP answers, delivery) runs on threads inside
 * "nfq", as the engine's threads would; the rules go with the namespace when the test ends.
 */
@RequiresRoot(tools = {"iptables", "iptables-save"})
class NfqueueInterceptorRootTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final int QUEUE = 7;
    private static final String MARK = "0xa1a9";

    private TestNetwork net;
    private String nfq;
    private String peer;
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private final List<NfqueueInterceptor> opened = new ArrayList<>();

    @BeforeEach
    void network() throws Exception {
        net = TestNetwork.create();
        nfq = net.namespace("nfq");
        peer = net.namespace("peer");
        net.veth(nfq, "l1a", peer, "l1b");
        net.address(nfq, "l1a", "10.203.5.1/24");
        net.address(peer, "l1b", "10.203.5.2/24");
    }

    @AfterEach
    void cleanUp() {
        for (NfqueueInterceptor i : opened) {
            i.deactivate();
        }
        net.close();
    }

    @Test
    void capturesWhatTheRuleQueuesAndTheOriginalNeverArrives() throws Exception {
        queueTo("iptables", "10.203.5.2");
        NfqueueInterceptor interceptor = open(1400);
        assertTrue(log.contains("info: NFQUEUE 7 is fed by: iptables -t filter -A OUTPUT -d 10.203.5.2/32 -m mark ! --mark "
                + MARK + " -j NFQUEUE --queue-num 7"), log.toString());

        try (DatagramSocket listener = in(peer, () -> new DatagramSocket(new InetSocketAddress("10.203.5.2", 4000)))) {
            in(nfq, () -> send("10.203.5.2", 4000, "to the peer"));
            List<Captured> captured = capture(interceptor, c -> c.udpPort() == 4000, 5);
            Captured c = captured.get(captured.size() - 1);
            assertEquals(PayloadType.IPV4, c.type());
            assertEquals("to the peer", c.udpText());

            listener.setSoTimeout(1000);
            DatagramPacket p = new DatagramPacket(new byte[100], 100);
            assertThrows(SocketTimeoutException.class, () -> listener.receive(p), "the original was dropped");
        }
        // the verdict goes out with the next capture, once the engine has sent the packets on
        in(nfq, () -> interceptor.capture(new PacketBatch(64, 2048), 0));
        Map<String, Long> counters = interceptor.counters();
        assertTrue(counters.get("captured") >= 1, counters.toString());
        assertTrue(counters.get("verdicts") >= 1, counters.toString());
        assertEquals(0L, counters.get("kernel_waiting"), "the verdict released it: " + counters);
        assertEquals(0L, counters.get("kernel_dropped_queue_full"), counters.toString());
    }

    @Test
    void aSecondBindOfTheQueueIsRefusedInWords() throws Exception {
        queueTo("iptables", "10.203.5.2");
        open(1400);
        NfqueueInterceptor second = new NfqueueInterceptor(config(), logger());
        IOException e = assertThrows(IOException.class, () -> in(nfq, () -> {
            second.open(1400);
            return null;
        }));
        assertTrue(e.getMessage().contains("another program owns NFQUEUE 7"), e.getMessage());
    }

    @Test
    void withoutARuleTheStartUpCheckWarnsWithTheRuleToAdd() throws Exception {
        open(1400);
        assertTrue(log.stream().anyMatch(l -> l.startsWith("warn: No firewall rule sends packets to NFQUEUE 7 was found")
                && l.contains("iptables -A OUTPUT -d <destination> -m mark ! --mark " + MARK + " -j NFQUEUE --queue-num 7")),
                log.toString());
    }

    @Test
    void packetsForAnotherHostAreCountedAndNotSentOn() throws Exception {
        // were it sent, the packet for 10.203.6.9 would leave towards the peer: its listener must not see it
        net.exec(nfq, "ip", "route", "add", "10.203.6.0/24", "via", "10.203.5.2");
        net.exec(peer, "ip", "addr", "add", "10.203.6.9/32", "dev", "l1b");
        NfqueueInterceptor interceptor = open(1400);
        try (DatagramSocket relayed = in(peer, () -> new DatagramSocket(new InetSocketAddress("10.203.6.9", 5000)));
                DatagramSocket local = in(nfq, () -> new DatagramSocket(new InetSocketAddress("10.203.5.1", 5000)))) {
            relayed.setSoTimeout(300);
            byte[] elsewhere = udp4("10.203.5.2", "10.203.6.9", 6000, 5000, "relay me");
            assertEquals(0, (int) in(nfq, () -> interceptor.deliver(batch(PayloadType.IPV4, elsewhere))));
            assertThrows(SocketTimeoutException.class, () -> relayed.receive(new DatagramPacket(new byte[64], 64)));
            assertEquals(1L, interceptor.counters().get("delivery_not_local"));

            // an address this host gets later is its own at once
            net.exec(nfq, "ip", "addr", "add", "10.203.7.1/32", "dev", "lo");
            try (DatagramSocket added = in(nfq, () -> new DatagramSocket(new InetSocketAddress("10.203.7.1", 5000)))) {
                Thread.sleep(1100); // past the one-second limit on re-reading the addresses
                byte[] toAdded = udp4("10.203.5.2", "10.203.7.1", 6000, 5000, "new address");
                assertEquals(1, (int) in(nfq, () -> interceptor.deliver(batch(PayloadType.IPV4, toAdded))));
                assertEquals("10.203.5.2:6000 new address", receive(added));
            }
        }
    }

    @Test
    void deliveredPacketsKeepTheirSourceAndAreNotCapturedAgain() throws Exception {
        // a rule broad enough to match this host's own address: only the mark keeps delivered packets out
        queueTo("iptables", "10.203.5.1");
        net.exec(nfq, "ip", "route", "add", "10.203.6.0/24", "via", "10.203.5.2");
        NfqueueInterceptor interceptor = open(1400);
        try (DatagramSocket local = in(nfq, () -> new DatagramSocket(new InetSocketAddress("10.203.5.1", 5000)))) {
            byte[] packet = udp4("10.203.6.9", "10.203.5.1", 6000, 5000, "from the peer");
            assertEquals(1, (int) in(nfq, () -> interceptor.deliver(batch(PayloadType.IPV4, packet))));
            assertEquals("10.203.6.9:6000 from the peer", receive(local));
            assertEquals(List.of(), capture(interceptor, c -> false, 1), "the delivered packet was not queued");

            // the control: the same destination, unmarked, is queued
            in(nfq, () -> send("10.203.5.1", 5000, "local, unmarked"));
            List<Captured> captured = capture(interceptor, c -> c.udpPort() == 5000, 5);
            assertEquals("local, unmarked", captured.get(captured.size() - 1).udpText());
        }
        assertEquals(1L, interceptor.counters().get("delivered"));
    }

    @Test
    @RequiresRoot(tools = {"ip6tables", "ip6tables-save"})
    void ipv6CaptureAndDelivery() throws Exception {
        net.address(nfq, "l1a", "fd00:203::1/64");
        net.address(peer, "l1b", "fd00:203::2/64");
        queueTo("ip6tables", "fd00:203::2");
        queueTo("ip6tables", "fd00:203::1");
        NfqueueInterceptor interceptor = open(1400);
        assertTrue(log.contains("info: NFQUEUE 7 is fed by: ip6tables -t filter -A OUTPUT -d fd00:203::2/128 -m mark ! --mark "
                + MARK + " -j NFQUEUE --queue-num 7"), log.toString());

        try (DatagramSocket listener = in(peer, () -> new DatagramSocket(new InetSocketAddress("fd00:203::2", 4000)));
             DatagramSocket local = in(nfq, () -> new DatagramSocket(new InetSocketAddress("fd00:203::1", 5000)))) {
            in(nfq, () -> send("fd00:203::2", 4000, "to the peer over IPv6"));
            List<Captured> captured = capture(interceptor, c -> c.udpPort() == 4000, 5);
            Captured c = captured.get(captured.size() - 1);
            assertEquals(PayloadType.IPV6, c.type());
            assertEquals("to the peer over IPv6", c.udpText());
            listener.setSoTimeout(1000);
            assertThrows(SocketTimeoutException.class, () -> listener.receive(new DatagramPacket(new byte[100], 100)));

            byte[] packet = udp6("fd00:206::9", "fd00:203::1", 6000, 5000, "from the peer over IPv6");
            assertEquals(1, (int) in(nfq, () -> interceptor.deliver(batch(PayloadType.IPV6, packet))));
            assertEquals("fd00:206:0:0:0:0:0:9:6000 from the peer over IPv6", receive(local));
            assertEquals(List.of(), capture(interceptor, x -> false, 1), "the delivered packet was not queued");
        }
    }

    @Test
    void aPacketTooLongWithDfIsAnsweredSoTheSenderShrinksItsPackets() throws Exception {
        queueTo("iptables", "10.203.5.2");
        NfqueueInterceptor interceptor = open(1000);
        try (DatagramSocket sender = in(nfq, () -> new DatagramSocket())) {
            String big = "x".repeat(1200); // 1228 bytes with DF (the kernel's default: path MTU discovery)
            in(nfq, () -> send(sender, "10.203.5.2", 4000, big));
            assertEquals(List.of(), capture(interceptor, c -> false, 1), "not handed to the engine");
            Map<String, Long> counters = interceptor.counters();
            assertEquals(1L, counters.get("too_big"), counters.toString());
            assertEquals(1L, counters.get("too_big_icmp_sent"), counters.toString());

            // the kernel took the ICMP to heart: the path MTU to the peer is now the links' limit
            String route = "";
            for (long deadline = System.nanoTime() + 3 * SECOND; System.nanoTime() < deadline && !route.contains("mtu 1000"); ) {
                route = net.exec(nfq, "ip", "route", "get", "10.203.5.2");
            }
            assertTrue(route.contains("mtu 1000"), route);

            // what fits the new path MTU passes; a datagram still longer now leaves without DF (the kernel would
            // fragment it only after the OUTPUT hook): Alagg does not fragment, so it is dropped and counted
            in(nfq, () -> send(sender, "10.203.5.2", 4000, "z".repeat(900)));
            List<Captured> captured = capture(interceptor, c -> c.udpPort() == 4000, 5);
            assertEquals(928, captured.get(captured.size() - 1).bytes().length);
            in(nfq, () -> send(sender, "10.203.5.2", 4000, big));
            assertEquals(List.of(), capture(interceptor, c -> false, 1));
            counters = interceptor.counters();
            assertEquals(1L, counters.get("too_big_without_df"), counters.toString());
            assertEquals(1L, counters.get("too_big_icmp_sent"), "no answer to a packet without DF: " + counters);
        }
    }

    @Test
    @RequiresRoot(tools = {"ip6tables", "ip6tables-save"})
    void anIpv6PacketTooLongIsAnsweredWithPacketTooBig() throws Exception {
        net.address(nfq, "l1a", "fd00:203::1/64");
        net.address(peer, "l1b", "fd00:203::2/64");
        queueTo("ip6tables", "fd00:203::2");
        NfqueueInterceptor interceptor = open(1300);
        try (DatagramSocket sender = in(nfq, () -> new DatagramSocket(new InetSocketAddress("fd00:203::1", 0)))) {
            String big = "y".repeat(1400);
            in(nfq, () -> send(sender, "fd00:203::2", 4000, big));
            assertEquals(List.of(), capture(interceptor, c -> false, 1));
            assertEquals(1L, interceptor.counters().get("too_big_icmp6_sent"), interceptor.counters().toString());
            String route = "";
            for (long deadline = System.nanoTime() + 3 * SECOND; System.nanoTime() < deadline && !route.contains("mtu 1300"); ) {
                route = net.exec(nfq, "ip", "-6", "route", "get", "fd00:203::2");
            }
            assertTrue(route.contains("mtu 1300"), route);
        }
    }

    @Test
    void captureAllocatesNothingPerPacket() throws Exception {
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        org.junit.jupiter.api.Assumptions.assumeTrue(threads.isThreadAllocatedMemorySupported());
        queueTo("iptables", "10.203.5.2");
        NfqueueInterceptor interceptor = open(1400);
        long[] result = in(nfq, () -> {
            PacketBatch batch = new PacketBatch(64, 2048);
            byte[] data = new byte[100];
            long allocated = 0;
            long packets = 0;
            try (DatagramSocket s = new DatagramSocket()) {
                DatagramPacket datagram = new DatagramPacket(data, data.length, InetAddress.getByName("10.203.5.2"), 4000);
                for (int round = 0; round < 300; round++) {
                    for (int i = 0; i < 50; i++) {
                        s.send(datagram);
                    }
                    boolean measured = round >= 100; // the first rounds warm the JIT up
                    for (int got = 0; got < 50; ) {
                        batch.clear();
                        long before = threads.getCurrentThreadAllocatedBytes();
                        int n = interceptor.capture(batch, SECOND);
                        long after = threads.getCurrentThreadAllocatedBytes();
                        if (n == 0) {
                            break;
                        }
                        got += n;
                        if (measured) {
                            allocated += after - before;
                            packets += n;
                        }
                    }
                }
            }
            return new long[] {allocated, packets};
        });
        assertTrue(result[1] >= 9000, "captured " + result[1]);
        assertTrue(result[0] < result[1], "allocated " + result[0] + " bytes for " + result[1] + " packets");
    }

    @Test
    void afterTheLimitDropsAPacketOverItIsAnsweredWithTheNewMtu() throws Exception {
        queueTo("iptables", "10.203.5.2");
        NfqueueInterceptor interceptor = open(1480);
        try (DatagramSocket sender = in(nfq, () -> new DatagramSocket())) {
            String payload = "x".repeat(1400 - 28); // a 1400-byte packet, with DF
            in(nfq, () -> send(sender, "10.203.5.2", 4000, payload));
            List<Captured> captured = capture(interceptor, c -> c.udpPort() == 4000, 5);
            assertEquals(1400, captured.get(captured.size() - 1).bytes().length, "under 1480: captured");

            in(nfq, () -> {
                interceptor.limitPacketLength(1300);
                return null;
            });
            assertTrue(log.contains("info: NFQUEUE 7: packets over 1300 bytes are answered with ICMP too-big from now on"
                    + " (was 1480): the links' packet limit changed"), log.toString());
            in(nfq, () -> send(sender, "10.203.5.2", 4000, payload));
            assertEquals(List.of(), capture(interceptor, c -> false, 1), "over 1300: not handed to the engine");
            Map<String, Long> counters = interceptor.counters();
            assertEquals(1L, counters.get("too_big"), counters.toString());
            assertEquals(1L, counters.get("too_big_icmp_sent"), counters.toString());
            String route = "";
            for (long deadline = System.nanoTime() + 3 * SECOND; System.nanoTime() < deadline && !route.contains("mtu 1300"); ) {
                route = net.exec(nfq, "ip", "route", "get", "10.203.5.2");
            }
            assertTrue(route.contains("mtu 1300"), "the fragmentation-needed message carried 1300: " + route);
        }
    }

    @Test
    @RequiresRoot(tools = {"ip6tables", "ip6tables-save"})
    void afterTheLimitDropsAnIpv6PacketOverItIsAnsweredWithPacketTooBigAndTheNewMtu() throws Exception {
        net.address(nfq, "l1a", "fd00:203::1/64");
        net.address(peer, "l1b", "fd00:203::2/64");
        queueTo("ip6tables", "fd00:203::2");
        NfqueueInterceptor interceptor = open(1480);
        try (DatagramSocket sender = in(nfq, () -> new DatagramSocket(new InetSocketAddress("fd00:203::1", 0)))) {
            String payload = "y".repeat(1400 - 48);
            in(nfq, () -> send(sender, "fd00:203::2", 4000, payload));
            List<Captured> captured = capture(interceptor, c -> c.udpPort() == 4000, 5);
            assertEquals(1400, captured.get(captured.size() - 1).bytes().length);

            in(nfq, () -> {
                interceptor.limitPacketLength(1300);
                return null;
            });
            in(nfq, () -> send(sender, "fd00:203::2", 4000, payload));
            assertEquals(List.of(), capture(interceptor, c -> false, 1));
            assertEquals(1L, interceptor.counters().get("too_big_icmp6_sent"), interceptor.counters().toString());
            String route = "";
            for (long deadline = System.nanoTime() + 3 * SECOND; System.nanoTime() < deadline && !route.contains("mtu 1300"); ) {
                route = net.exec(nfq, "ip", "-6", "route", "get", "fd00:203::2");
            }
            assertTrue(route.contains("mtu 1300"), route);
        }
    }

    /** The ingress thread delivers while the control thread unbinds and binds the queue, each bind slow. */
    @Test
    void deliveryIsNeverHeldUpByASlowOpenOrClose() throws Exception {
        NfqueueInterceptor interceptor = open(1400);
        NfqueueInterceptor.RuleCheck real = interceptor.ruleCheck;
        interceptor.ruleCheck = (queue, mark, logger) -> {
            sleep(500);
            real.check(queue, mark, logger);
        };
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong longest = new AtomicLong();
        AtomicLong delivered = new AtomicLong();
        List<Throwable> unexpected = Collections.synchronizedList(new ArrayList<>());
        byte[] packet = udp4("10.203.5.2", "10.203.5.1", 6000, 5999, "from the peer");
        Thread ingress = new Thread(() -> {
            try {
                in(nfq, () -> {
                    PacketBatch batch = batch(PayloadType.IPV4, packet);
                    while (!stop.get()) {
                        long start = System.nanoTime();
                        delivered.addAndGet(interceptor.deliver(batch));
                        longest.accumulateAndGet(System.nanoTime() - start, Math::max);
                        Thread.sleep(1);
                    }
                    return null;
                });
            } catch (Throwable t) {
                unexpected.add(t);
            }
        }, "ingress");
        ingress.start();
        try {
            sleep(200);
            for (int round = 0; round < 2; round++) {
                int limit = 1300 + round;
                in(nfq, () -> {
                    interceptor.close();
                    interceptor.open(1400);
                    interceptor.limitPacketLength(limit);
                    return null;
                });
            }
            sleep(200);
        } finally {
            stop.set(true);
            ingress.join(5000);
        }
        assertEquals(List.of(), unexpected);
        assertTrue(delivered.get() > 0, "delivered " + delivered);
        assertTrue(longest.get() < 100_000_000L, "a delivery waited " + longest.get() / 1_000_000 + " ms");
    }

    @Test
    void deliveryAfterDeactivationFailsCleanlyAndNoDescriptorLeaks() throws Exception {
        OpenDescriptors before = OpenDescriptors.now();
        byte[] packet = udp4("10.203.5.2", "10.203.5.1", 6000, 5999, "from the peer");
        for (int round = 0; round < 3; round++) {
            NfqueueInterceptor interceptor = new NfqueueInterceptor(config(), logger());
            in(nfq, () -> {
                interceptor.open(1400);
                assertEquals(1, interceptor.deliver(batch(PayloadType.IPV4, packet)));
                interceptor.close();
                assertEquals(1, interceptor.deliver(batch(PayloadType.IPV4, packet)), "delivery does not need the queue");
                interceptor.open(1400);
                interceptor.close();
                interceptor.deactivate();
                ClosedChannelException e = assertThrows(ClosedChannelException.class,
                        () -> interceptor.deliver(batch(PayloadType.IPV4, packet)));
                assertTrue(String.valueOf(e.getMessage()).contains("deactivated"), String.valueOf(e.getMessage()));
                assertEquals(0, interceptor.capture(new PacketBatch(8, 2048), 0));
                return null;
            });
        }
        assertEquals(List.of(), OpenDescriptors.now().openedSince(before), "descriptors opened and left open");
    }

    // ---- helpers ----

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }


    /** The documented rule: queue what goes to {@code destination}, except what Alagg marked. */
    private void queueTo(String tool, String destination) throws IOException {
        net.exec(nfq, tool, "-A", "OUTPUT", "-d", destination, "-m", "mark", "!", "--mark", MARK,
                "-j", "NFQUEUE", "--queue-num", String.valueOf(QUEUE));
    }

    private NfqueueInterceptor open(int maxPacketLength) throws Exception {
        NfqueueInterceptor interceptor = new NfqueueInterceptor(config(), logger());
        opened.add(interceptor);
        in(nfq, () -> {
            interceptor.open(maxPacketLength);
            return null;
        });
        return interceptor;
    }

    private static <T> T in(String namespace, Callable<T> task) throws Exception {
        return NetworkNamespace.call(namespace, task);
    }

    /** Captures in the namespace until a packet matches or {@code seconds} pass; returns all captured. */
    private List<Captured> capture(NfqueueInterceptor interceptor, Predicate<Captured> until, int seconds) throws Exception {
        return in(nfq, () -> {
            List<Captured> all = new ArrayList<>();
            PacketBatch batch = new PacketBatch(64, 2048);
            long deadline = System.nanoTime() + seconds * SECOND;
            while (System.nanoTime() < deadline) {
                batch.clear();
                interceptor.capture(batch, SECOND / 5);
                for (int i = 0; i < batch.size(); i++) {
                    ByteBuffer p = batch.packet(i);
                    byte[] bytes = new byte[p.remaining()];
                    p.get(0, bytes);
                    assertEquals(-1, batch.link(i));
                    Captured c = new Captured(batch.payload(i), bytes);
                    all.add(c);
                    if (until.test(c)) {
                        return all;
                    }
                }
            }
            return all;
        });
    }

    private static Void send(String destination, int port, String text) throws IOException {
        try (DatagramSocket s = new DatagramSocket()) {
            return send(s, destination, port, text);
        }
    }

    private static Void send(DatagramSocket s, String destination, int port, String text) throws IOException {
        byte[] data = text.getBytes(StandardCharsets.US_ASCII);
        s.send(new DatagramPacket(data, data.length, InetAddress.getByName(destination), port));
        return null;
    }

    private static String receive(DatagramSocket s) throws IOException {
        s.setSoTimeout(5000);
        DatagramPacket p = new DatagramPacket(new byte[200], 200);
        s.receive(p);
        return p.getAddress().getHostAddress() + ":" + p.getPort() + " "
                + new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII);
    }

    private static PacketBatch batch(PayloadType type, byte[] packet) {
        PacketBatch b = new PacketBatch(4, 2048);
        b.slot(0).put(0, packet);
        b.commit(packet.length, type, -1);
        return b;
    }

    /** A captured packet; UDP fields read for IPv4 (any header length) and IPv6 (no extension headers). */
    record Captured(PayloadType type, byte[] bytes) {
        private int udpOffset() {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            if (type == PayloadType.IPV4) {
                boolean firstFragment = (b.getShort(6) & 0x1FFF) == 0;
                return b.get(9) == 17 && firstFragment ? (b.get(0) & 0xF) * 4 : -1;
            }
            return b.get(6) == 17 ? 40 : -1;
        }

        int udpPort() {
            int at = udpOffset();
            return at < 0 ? -1 : ByteBuffer.wrap(bytes).getShort(at + 2) & 0xFFFF;
        }

        String udpText() {
            int at = udpOffset() + 8;
            return new String(bytes, at, bytes.length - at, StandardCharsets.US_ASCII);
        }

        @Override
        public String toString() {
            return type + " " + bytes.length + " bytes";
        }
    }

    /** An IPv4 UDP packet with a correct header checksum (UDP checksum 0: none, which IPv4 allows). */
    static byte[] udp4(String source, String destination, int sourcePort, int destinationPort, String text) throws Exception {
        byte[] data = text.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer p = ByteBuffer.allocate(28 + data.length);
        p.put((byte) 0x45).put((byte) 0).putShort((short) p.capacity()).putShort((short) 1).putShort((short) 0)
                .put((byte) 64).put((byte) 17).putShort((short) 0)
                .put(InetAddress.getByName(source).getAddress()).put(InetAddress.getByName(destination).getAddress());
        p.putShort(10, (short) TooBigMessages.checksum(p, 0, 20, 0));
        p.putShort((short) sourcePort).putShort((short) destinationPort).putShort((short) (8 + data.length)).putShort((short) 0)
                .put(data);
        return p.array();
    }

    /** An IPv6 UDP packet with its checksum (mandatory in IPv6) over the pseudo-header. */
    static byte[] udp6(String source, String destination, int sourcePort, int destinationPort, String text) throws Exception {
        byte[] data = text.getBytes(StandardCharsets.US_ASCII);
        int udpLength = 8 + data.length;
        ByteBuffer p = ByteBuffer.allocate(40 + udpLength);
        p.putInt(0x60000000).putShort((short) udpLength).put((byte) 17).put((byte) 64)
                .put(InetAddress.getByName(source).getAddress()).put(InetAddress.getByName(destination).getAddress())
                .putShort((short) sourcePort).putShort((short) destinationPort).putShort((short) udpLength).putShort((short) 0)
                .put(data);
        ByteBuffer pseudo = ByteBuffer.allocate(40 + udpLength);
        pseudo.put(p.array(), 8, 32).putInt(udpLength).putInt(17).put(p.array(), 40, udpLength);
        p.putShort(46, (short) TooBigMessages.checksum(pseudo, 0, pseudo.capacity(), 0));
        return p.array();
    }

    private static NfqueueConfig config() {
        Map<String, Object> values = Map.of("queue", QUEUE, "queue_maxlen", 4096, "mark", 0xA1A9, "fail_open", false);
        return (NfqueueConfig) Proxy.newProxyInstance(NfqueueConfig.class.getClassLoader(), new Class<?>[] {NfqueueConfig.class},
                (proxy, method, args) -> method.getName().equals("equals") ? proxy == args[0]
                        : values.getOrDefault(method.getName(), method.getDefaultValue())); // as DS fills in the rest
    }

    /** A Logger that records "level: message" with {} filled in. */
    private Logger logger() {
        return (Logger) Proxy.newProxyInstance(Logger.class.getClassLoader(), new Class<?>[] {Logger.class},
                (proxy, method, args) -> {
                    if (method.getReturnType() == boolean.class) {
                        return true;
                    }
                    if (args != null && args.length > 0 && args[0] instanceof String) {
                        String text = (String) args[0];
                        Object[] rest = args.length > 1 && args[1] instanceof Object[] ? (Object[]) args[1]
                                : java.util.Arrays.copyOfRange(args, 1, args.length);
                        for (Object o : rest) {
                            text = text.replaceFirst("\\{\\}", java.util.regex.Matcher.quoteReplacement(String.valueOf(o)));
                        }
                        log.add(method.getName() + ": " + text);
                    }
                    return null;
                });
    }
}
