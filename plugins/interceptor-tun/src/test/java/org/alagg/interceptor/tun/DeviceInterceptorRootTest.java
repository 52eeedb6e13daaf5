package org.alagg.interceptor.tun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.alagg.api.PacketBatch;
import org.alagg.api.PayloadType;
import org.alagg.linux.NetworkInterfaces;
import org.alagg.linux.NetworkNamespace;
import org.alagg.testing.RequiresRoot;
import org.alagg.testing.TestNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.service.log.Logger;

/** TUN and TAP capture and delivery on the real kernel, inside a namespace of the test's own. */
@RequiresRoot
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
        Map<String, Object> values = Map.of("name", name, "address", address, "route", route);
        return (DeviceConfig) Proxy.newProxyInstance(DeviceConfig.class.getClassLoader(), new Class<?>[] {DeviceConfig.class},
                (proxy, method, args) -> method.getName().equals("equals") ? proxy == args[0] : values.get(method.getName()));
    }

    private static Logger quiet() {
        return (Logger) Proxy.newProxyInstance(Logger.class.getClassLoader(), new Class<?>[] {Logger.class},
                (proxy, method, args) -> method.getReturnType() == boolean.class ? false : null);
    }
}
