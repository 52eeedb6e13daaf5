package org.alagg.interceptor.tun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;

import java.lang.reflect.Proxy;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.alagg.api.PacketBatch;
import org.alagg.api.PayloadType;
import org.alagg.linux.NetworkInterfaces;
import org.alagg.linux.NetworkNamespace;
import org.alagg.testing.OpenDescriptors;
import org.alagg.testing.RequiresRoot;
import org.alagg.testing.TestNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.service.log.Logger;

/** TUN and TAP capture and delivery on the real kernel, inside a namespace of the test's own. */
@RequiresRoot(tools = "ping")
class DeviceInterceptorRootTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private TestNetwork net;
    private String ns;

    @BeforeEach
    void network() throws Exception {
        net = TestNetwork.create();
        ns = net.namespace("tun");
    }

    @AfterEach
    void cleanUp() {
        net.close();
    }

    @Test
    void tunCapturesWhatIsRoutedIntoItAndDeliversWithTheOriginalSource() throws Exception {
        TunInterceptor tun = new TunInterceptor(config("tt0", "10.203.9.1/24", "10.203.8.0/24"), quiet());
        NetworkNamespace.call(ns, () -> {
            tun.open(1400);
            return null;
        });
        try {
            assertEquals(1400, (int) NetworkNamespace.call(ns, () -> NetworkInterfaces.mtu("tt0")), "MTU set for the links");
            assertEquals(DeviceInterceptor.TX_QUEUE_LENGTH,
                    (int) NetworkNamespace.call(ns, () -> NetworkInterfaces.txQueueLength("tt0")), "room for bursts");

            // capture: a datagram to a routed destination goes into the device, not onto a wire
            NetworkNamespace.call(ns, () -> {
                try (DatagramSocket s = new DatagramSocket()) {
                    byte[] hello = "to the peer".getBytes(StandardCharsets.US_ASCII);
                    s.send(new DatagramPacket(hello, hello.length, InetAddress.getByName("10.203.8.5"), 4000));
                }
                return null;
            });
            PacketBatch captured = new PacketBatch(8, 2048);
            long deadline = System.nanoTime() + 5 * SECOND;
            while (!hasUdpTo(captured, 4000) && System.nanoTime() < deadline) {
                tun.capture(captured, SECOND);
            }
            assertTrue(hasUdpTo(captured, 4000), "the UDP datagram was captured");

            // delivery: a packet from the peer's side arrives at a local socket with its own source address
            String received = NetworkNamespace.call(ns, () -> {
                try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("10.203.9.1", 5000))) {
                    s.setSoTimeout(5000);
                    PacketBatch delivered = new PacketBatch(1, 2048);
                    byte[] packet = udp4("10.203.8.5", "10.203.9.1", 6000, 5000, "from the peer");
                    delivered.slot(0).put(0, packet);
                    delivered.commit(packet.length, PayloadType.IPV4, -1);
                    assertEquals(1, tun.deliver(delivered));
                    DatagramPacket p = new DatagramPacket(new byte[100], 100);
                    s.receive(p);
                    return p.getAddress().getHostAddress() + ":" + p.getPort() + " "
                            + new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII);
                }
            });
            assertEquals("10.203.8.5:6000 from the peer", received);
        } finally {
            tun.close();
        }
    }

    @Test
    void tapCarriesWholeEthernetFramesSuchAsArp() throws Exception {
        TapInterceptor tap = new TapInterceptor(config("tp0", "10.203.7.1/24", ""), quiet());
        NetworkNamespace.call(ns, () -> {
            tap.open(1400);
            return null;
        });
        try {
            assertEquals(1386, (int) NetworkNamespace.call(ns, () -> NetworkInterfaces.mtu("tp0")), "room for the Ethernet header");
            NetworkNamespace.call(ns, () -> {
                try (DatagramSocket s = new DatagramSocket()) {
                    s.send(new DatagramPacket(new byte[1], 1, InetAddress.getByName("10.203.7.2"), 4000));
                }
                return null;
            });
            PacketBatch captured = new PacketBatch(8, 2048);
            long deadline = System.nanoTime() + 5 * SECOND;
            boolean arp = false;
            while (!arp && System.nanoTime() < deadline) {
                tap.capture(captured, SECOND);
                for (int i = 0; i < captured.size(); i++) {
                    assertEquals(PayloadType.ETHERNET, captured.payload(i));
                    arp |= (captured.packet(i).getShort(12) & 0xFFFF) == 0x0806;
                }
            }
            assertTrue(arp, "the kernel asked for its neighbour with ARP through the TAP device");
        } finally {
            tap.close();
        }
    }

    @Test
    void tunMtuFollowsTheLinksLimit() throws Exception {
        TunInterceptor tun = new TunInterceptor(config("tt0", "10.203.9.1/24", "10.203.8.0/24"), quiet());
        in(() -> tun.open(1480));
        try {
            assertEquals(1480, kernelMtu("tt0"));
            PacketBatch captured = new PacketBatch(8, 2048);
            assertTrue(ping(tun, captured, 1400).isEmpty(), "1428 bytes fit 1480");
            assertEquals(1428, icmpLength(captured), "captured whole");

            in(() -> tun.limitPacketLength(1280));
            assertEquals(1280, kernelMtu("tt0"), "the device's MTU in the kernel");
            String refused = ping(tun, captured, 1300);
            assertTrue(refused.contains("message too long"), "the kernel refuses 1328 bytes itself: " + refused);
            assertEquals(-1, icmpLength(captured), "nothing of 1328 bytes reached the device");
            assertTrue(ping(tun, captured, 1200).isEmpty());
            assertEquals(1228, icmpLength(captured), "1228 bytes still pass");
        } finally {
            tun.close();
        }
    }

    @Test
    void tapMtuFollowsTheLinksLimitLeavingRoomForTheEthernetHeader() throws Exception {
        TapInterceptor tap = new TapInterceptor(config("tp0", "10.203.7.1/24", ""), quiet());
        in(() -> tap.open(1480));
        try {
            assertEquals(1466, kernelMtu("tp0"));
            // a neighbour that needs no ARP, so the echo request itself goes into the device
            net.exec(ns, "ip", "neigh", "replace", "10.203.7.2", "lladdr", "02:00:00:00:07:02", "dev", "tp0", "nud", "permanent");
            in(() -> tap.limitPacketLength(1280));
            assertEquals(1266, kernelMtu("tp0"), "1280 less the Ethernet header");
            PacketBatch captured = new PacketBatch(8, 2048);
            String refused = ping(tap, "10.203.7.2", captured, 1300);
            assertTrue(refused.contains("message too long"), refused);
            assertEquals(-1, icmpLength(captured));
            assertTrue(ping(tap, "10.203.7.2", captured, 1200).isEmpty());
            assertEquals(1228, icmpLength(captured), "the echo request, in a frame of 1242 bytes");
        } finally {
            tap.close();
        }
    }

    @Test
    void ipv6AddressesAndRoutesComeBackWhenTheMtuRisesTo1280Again() throws Exception {
        TunInterceptor tun = new TunInterceptor(config("tt0", "fd09::1/64", "fd0a::/64"), quiet());
        in(() -> tun.open(1400));
        try {
            assertTrue(net.exec(ns, "ip", "-6", "addr", "show", "dev", "tt0").contains("fd09::1/64"));
            in(() -> tun.limitPacketLength(1200)); // the kernel switches IPv6 off on the device and forgets both
            assertFalse(net.exec(ns, "ip", "-6", "addr", "show", "dev", "tt0").contains("fd09::1/64"));
            in(() -> tun.limitPacketLength(1400));
            assertTrue(net.exec(ns, "ip", "-6", "addr", "show", "dev", "tt0").contains("fd09::1/64"), "address given again");
            assertTrue(net.exec(ns, "ip", "-6", "route", "show", "dev", "tt0").contains("fd0a::/64"), "route given again");
        } finally {
            tun.close();
        }
    }

    /** The ingress thread delivers while the control thread closes and opens the device, each open slow. */
    @Test
    void deliveryIsNeverHeldUpByASlowOpenOrClose() throws Exception {
        TunInterceptor tun = new TunInterceptor(config("tt0", "10.203.9.1/24", "10.203.8.0/24"), quiet());
        in(() -> tun.open(1400));
        DeviceInterceptor.IpCommand real = tun.ip;
        tun.ip = args -> {
            sleep(500);
            real.run(args);
        };
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong longest = new AtomicLong();
        AtomicLong delivered = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        List<Throwable> unexpected = Collections.synchronizedList(new ArrayList<>());
        byte[] packet = udp4("10.203.8.5", "10.203.9.1", 6000, 5999, "from the peer");
        Thread ingress = new Thread(() -> {
            try {
                NetworkNamespace.call(ns, () -> {
                    PacketBatch batch = new PacketBatch(1, 2048);
                    while (!stop.get()) {
                        batch.clear();
                        batch.slot(0).put(0, packet);
                        batch.commit(packet.length, PayloadType.IPV4, -1);
                        long start = System.nanoTime();
                        try {
                            delivered.addAndGet(tun.deliver(batch));
                        } catch (ClosedChannelException e) {
                            refused.incrementAndGet();
                        }
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
                in(() -> {
                    tun.close();
                    tun.open(1400);
                    tun.limitPacketLength(limit);
                });
            }
            sleep(200);
        } finally {
            stop.set(true);
            ingress.join(5000);
            tun.close();
        }
        assertEquals(List.of(), unexpected);
        assertTrue(delivered.get() > 0, "delivered " + delivered + ", refused while closed " + refused);
        assertTrue(longest.get() < 100_000_000L, "a delivery waited " + longest.get() / 1_000_000 + " ms");
    }

    @Test
    void deliverAfterCloseFailsCleanlyAndNoDescriptorLeaks() throws Exception {
        OpenDescriptors before = OpenDescriptors.now();
        for (int round = 0; round < 3; round++) {
            TunInterceptor tun = new TunInterceptor(config("tt0", "10.203.9.1/24", ""), quiet());
            in(() -> tun.open(1400));
            byte[] packet = udp4("10.203.8.5", "10.203.9.1", 6000, 5999, "from the peer");
            PacketBatch batch = new PacketBatch(1, 2048);
            batch.slot(0).put(0, packet);
            batch.commit(packet.length, PayloadType.IPV4, -1);
            assertEquals(1, tun.deliver(batch));
            tun.close();
            IOException e = assertThrows(IOException.class, () -> tun.deliver(batch));
            assertTrue(e.getMessage() != null && e.getMessage().contains("tt0"), String.valueOf(e.getMessage()));
            assertEquals(0, tun.capture(new PacketBatch(8, 2048), 0), "nothing to capture, no failure");
            tun.close(); // twice: nothing happens
        }
        assertEquals(List.of(), OpenDescriptors.now().openedSince(before), "descriptors opened and left open");
    }

    private interface Step {
        void run() throws Exception;
    }

    private void in(Step step) throws Exception {
        NetworkNamespace.call(ns, () -> {
            step.run();
            return null;
        });
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }


    private int kernelMtu(String device) throws IOException {
        String line = net.exec(ns, "ip", "-o", "link", "show", "dev", device);
        Matcher m = Pattern.compile(" mtu (\\d+) ").matcher(line);
        assertTrue(m.find(), line);
        return Integer.parseInt(m.group(1));
    }

    private String ping(DeviceInterceptor device, PacketBatch captured, int size) throws Exception {
        return ping(device, "10.203.8.5", captured, size);
    }

    /**
     * Pings {@code destination} once with {@code size} bytes of data and DF ({@code -M do}) while capturing from
     * the device into {@code captured} (cleared first).
     *
     * @return ping's local error ("message too long"), or "" when there was none
     */
    private String ping(DeviceInterceptor device, String destination, PacketBatch captured, int size) throws Exception {
        captured.clear();
        Process p = net.start(ns, new ProcessBuilder().redirectErrorStream(true),
                "ping", "-n", "-c", "1", "-W", "1", "-M", "do", "-s", String.valueOf(size), destination);
        long deadline = System.nanoTime() + 3 * SECOND;
        while (p.isAlive() && System.nanoTime() < deadline) {
            if (captured.isFull()) {
                captured.clear();
            }
            device.capture(captured, SECOND / 10);
        }
        assertTrue(p.waitFor(5, TimeUnit.SECONDS));
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        return output.contains("local error") ? output : "";
    }

    /** The length of the IPv4 ICMP echo request captured (in a TUN packet or a TAP frame), or -1. */
    private static int icmpLength(PacketBatch batch) {
        for (int i = 0; i < batch.size(); i++) {
            ByteBuffer p = batch.packet(i);
            int ip = 0;
            if (batch.payload(i) == PayloadType.ETHERNET) {
                if ((p.getShort(12) & 0xFFFF) != 0x0800) {
                    continue;
                }
                ip = 14;
            } else if (batch.payload(i) != PayloadType.IPV4) {
                continue;
            }
            if (p.get(ip + 9) == 1 && p.get(ip + (p.get(ip) & 0xF) * 4) == 8) {
                return p.getShort(ip + 2) & 0xFFFF;
            }
        }
        return -1;
    }

    private static boolean hasUdpTo(PacketBatch batch, int port) {
        for (int i = 0; i < batch.size(); i++) {
            ByteBuffer p = batch.packet(i);
            if (batch.payload(i) == PayloadType.IPV4 && p.get(9) == 17 && (p.getShort(((p.get(0) & 0xF) * 4) + 2) & 0xFFFF) == port) {
                return true;
            }
        }
        return false;
    }

    /** An IPv4 UDP packet with a correct header checksum (UDP checksum 0: none, which IPv4 allows). */
    static byte[] udp4(String source, String destination, int sourcePort, int destinationPort, String text) throws Exception {
        byte[] data = text.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer p = ByteBuffer.allocate(28 + data.length);
        p.put((byte) 0x45).put((byte) 0).putShort((short) p.capacity()).putShort((short) 1).putShort((short) 0)
                .put((byte) 64).put((byte) 17).putShort((short) 0)
                .put(InetAddress.getByName(source).getAddress()).put(InetAddress.getByName(destination).getAddress());
        int sum = 0;
        for (int i = 0; i < 20; i += 2) {
            sum += p.getShort(i) & 0xFFFF;
        }
        sum = (sum & 0xFFFF) + (sum >>> 16);
        sum = (sum & 0xFFFF) + (sum >>> 16);
        p.putShort(10, (short) ~sum);
        p.putShort((short) sourcePort).putShort((short) destinationPort).putShort((short) (8 + data.length)).putShort((short) 0)
                .put(data);
        return p.array();
    }

    private static DeviceConfig config(String name, String address, String route) {
        Map<String, Object> values = Map.of("name", name, "address", address, "route", route, "offload", true);
        return (DeviceConfig) Proxy.newProxyInstance(DeviceConfig.class.getClassLoader(), new Class<?>[] {DeviceConfig.class},
                (proxy, method, args) -> method.getName().equals("equals") ? proxy == args[0] : values.get(method.getName()));
    }

    private static Logger quiet() {
        return (Logger) Proxy.newProxyInstance(Logger.class.getClassLoader(), new Class<?>[] {Logger.class},
                (proxy, method, args) -> method.getReturnType() == boolean.class ? false : null);
    }
}
