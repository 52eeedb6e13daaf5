package org.alagg.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.alagg.api.PacketBatch;
import org.alagg.testing.RequiresRoot;
import org.alagg.testing.TestNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Two namespaces joined by two TUN devices and a wire of this test's (read from one device, write into the other):
 * the kernel's TCP on both ends judges what the offloads cut and join. A transfer arrives intact (SHA-256), no
 * segment has a bad checksum in the receiver's eyes, and with offloads the wire really carried super-packets and
 * joined writes; a device with offloads talks to one without.
 */
@RequiresRoot
class TunOffloadRootTest {
    private static final int MTU = 1400;
    private static final int BYTES = 16 << 20;

    /**
     * With {@code forwarded}, b routes to a third namespace c over a veth without offloads: b's kernel cuts the
     * joined packets again in software, from the partial checksum the coalescer left, and c's TCP checks every one.
     */
    @ParameterizedTest(name = "IPv{0}, offloads a={1} b={2}, forwarded by b={3}")
    @CsvSource({"4, true, true, false", "6, true, true, false", "4, true, false, false", "6, false, true, false",
        "4, true, true, true", "6, true, true, true"})
    void tcpTransferArrivesIntact(int version, boolean offloadA, boolean offloadB, boolean forwarded)
            throws Exception {
        try (TestNetwork net = TestNetwork.create()) {
            String a = net.namespace("a");
            String b = net.namespace("b");
            String c = forwarded ? net.namespace("c") : b;
            if (forwarded) {
                net.veth(b, "vbc", c, "vcb");
                for (String[] end : new String[][] {{b, "vbc", "10.203.8.1/24", "fd08::1/64"},
                    {c, "vcb", "10.203.8.2/24", "fd08::2/64"}}) {
                    net.exec(end[0], "ethtool", "-K", end[1], "tso", "off", "gso", "off", "gro", "off", "tx", "off",
                            "rx", "off");
                    net.address(end[0], end[1], end[2]);
                    net.exec(end[0], "ip", "addr", "add", end[3], "dev", end[1], "nodad");
                }
                net.exec(b, "sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1");
                net.exec(c, "ip", "route", "add", "10.203.7.0/24", "via", "10.203.8.1");
                net.exec(c, "ip", "route", "add", "fd07::/64", "via", "fd08::1");
            }
            try (TunDevice ta = device(net, a, "ota0", offloadA, "10.203.7.1/24", "fd07::1/64");
                    TunDevice tb = device(net, b, "otb0", offloadB, "10.203.7.2/24", "fd07::2/64");
                    Wire wire = new Wire(ta, tb)) {
                if (forwarded) {
                    net.exec(a, "ip", "route", "add", "10.203.8.0/24", "dev", "ota0");
                    net.exec(a, "ip", "route", "add", "fd08::/64", "dev", "ota0");
                }
                String server = forwarded ? (version == 4 ? "10.203.8.2" : "fd08::2")
                        : version == 4 ? "10.203.7.2" : "fd07::2";
                byte[] sent = new byte[BYTES];
                new Random(version).nextBytes(sent);
                ServerSocket listener = NetworkNamespace.call(c, () -> new ServerSocket(5201, 1,
                        InetAddress.getByName(server)));
                CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> receive(listener));
                Socket client = NetworkNamespace.call(a, () -> {
                    Socket s = new Socket();
                    s.connect(new InetSocketAddress(server, 5201), 5000);
                    return s;
                });
                try (client; listener) {
                    CompletableFuture.runAsync(() -> {
                        try (OutputStream out = client.getOutputStream()) {
                            for (int i = 0; i < sent.length; i += 1 << 20) {
                                out.write(sent, i, 1 << 20);
                            }
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    });
                    // a transfer the receiver refuses segments of stalls: closing the sockets ends both sides
                    assertArrayEquals(sha256(sent), received.get(60, TimeUnit.SECONDS), "SHA-256 of what arrived");
                }
                assertEquals(0, tcpChecksumErrors(net, c), "segments with a bad TCP checksum at the receiver");
                assertEquals(0, tcpChecksumErrors(net, a), "segments with a bad TCP checksum at a");
                if (offloadA) {
                    assertTrue(ta.superPackets() > 0, "a's sender handed over super-packets");
                }
                if (offloadB) {
                    assertTrue(tb.joinedWrites() > 0, "segments were joined for b's receiver");
                }
                assertEquals(0, ta.discarded() + tb.discarded(), "nothing refused as malformed");
                assertEquals(0, ta.writeRefused() + tb.writeRefused(), "the kernel refused no write");
            }
        }
    }

    @ParameterizedTest(name = "IPv{0}")
    @CsvSource({"4", "6"})
    void udpDatagramsWithPartialChecksumsArriveWhole(int version) throws Exception {
        try (TestNetwork net = TestNetwork.create()) {
            String a = net.namespace("a");
            String b = net.namespace("b");
            try (TunDevice ta = device(net, a, "ota0", true, "10.203.7.1/24", "fd07::1/64");
                    TunDevice tb = device(net, b, "otb0", false, "10.203.7.2/24", "fd07::2/64");
                    Wire wire = new Wire(ta, tb)) {
                String server = version == 4 ? "10.203.7.2" : "fd07::2";
                DatagramSocket receiver = NetworkNamespace.call(b, () -> new DatagramSocket(
                        new InetSocketAddress(server, 5301)));
                receiver.setSoTimeout(5000);
                DatagramSocket sender = NetworkNamespace.call(a, DatagramSocket::new);
                try (receiver; sender) {
                    for (int size : new int[] {1, 100, 1000, MTU - (version == 4 ? 28 : 48)}) {
                        byte[] data = new byte[size];
                        new Random(size).nextBytes(data);
                        sender.send(new DatagramPacket(data, size, new InetSocketAddress(server, 5301)));
                        DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
                        receiver.receive(p);
                        assertEquals(size, p.getLength());
                        assertArrayEquals(data, java.util.Arrays.copyOf(p.getData(), size));
                    }
                }
            }
        }
    }

    /**
     * A burst of datagrams of one flow through devices with offloads on both ends: the wire's batches are joined
     * into UDP GSO writes (where the kernel takes USO), which the kernel cuts again for the receiving socket: every
     * datagram arrives whole, in order.
     */
    @ParameterizedTest(name = "IPv{0}")
    @CsvSource({"4", "6"})
    void aBurstOfDatagramsIsJoinedAndArrivesDatagramByDatagram(int version) throws Exception {
        try (TestNetwork net = TestNetwork.create()) {
            String a = net.namespace("a");
            String b = net.namespace("b");
            try (TunDevice ta = device(net, a, "ota0", true, "10.203.7.1/24", "fd07::1/64");
                    TunDevice tb = device(net, b, "otb0", true, "10.203.7.2/24", "fd07::2/64");
                    Wire wire = new Wire(ta, tb)) {
                String server = version == 4 ? "10.203.7.2" : "fd07::2";
                DatagramSocket receiver = NetworkNamespace.call(b, () -> new DatagramSocket(
                        new InetSocketAddress(server, 5302)));
                receiver.setSoTimeout(5000);
                receiver.setReceiveBufferSize(4 << 20);
                DatagramSocket sender = NetworkNamespace.call(a, DatagramSocket::new);
                int count = 2_000;
                try (receiver; sender) {
                    byte[] data = new byte[1_000];
                    for (int i = 0; i < count; i++) {
                        ByteBuffer.wrap(data).putInt(0, i);
                        sender.send(new DatagramPacket(data, data.length, new InetSocketAddress(server, 5302)));
                    }
                    DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
                    int expected = 0;
                    for (int i = 0; i < count; i++) {
                        receiver.receive(p);
                        assertEquals(1_000, p.getLength(), "datagram " + i);
                        int number = ByteBuffer.wrap(p.getData()).getInt(0);
                        assertTrue(number >= expected, "datagram " + number + " after " + (expected - 1));
                        expected = number + 1;
                        if (expected == count) {
                            break;
                        }
                    }
                    assertEquals(count, expected, "the last datagram arrived");
                }
                if (tb.offloads().contains("uso4")) {
                    assertTrue(tb.joinedWrites() > 0, "datagrams were joined for b's receiver");
                }
                assertEquals(0, ta.discarded() + tb.discarded() + ta.writeRefused() + tb.writeRefused());
            }
        }
    }

    // ---- the bed ----

    private static TunDevice device(TestNetwork net, String ns, String name, boolean offloads, String address4,
            String address6) throws Exception {
        TunDevice d = NetworkNamespace.call(ns, () -> TunDevice.open(name, TunDevice.Mode.TUN, offloads));
        try {
            assertEquals(offloads, !d.offloads().isEmpty(), d.offloads());
            net.exec(ns, "ip", "link", "set", name, "mtu", String.valueOf(MTU), "up");
            net.address(ns, name, address4);
            net.exec(ns, "ip", "addr", "add", address6, "dev", name, "nodad");
            return d;
        } catch (Exception | AssertionError e) {
            d.close();
            throw e;
        }
    }

    /** Copies packets both ways between two devices, one thread each way, until closed. */
    private static final class Wire implements AutoCloseable {
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread[] threads;

        Wire(TunDevice a, TunDevice b) {
            threads = new Thread[] {copy(a, b), copy(b, a)};
        }

        private Thread copy(TunDevice from, TunDevice to) {
            Thread t = new Thread(() -> {
                PacketBatch batch = new PacketBatch(64, 2048);
                try {
                    while (!stop.get()) {
                        batch.clear();
                        if (from.read(batch, 100_000_000L) > 0) {
                            to.write(batch);
                        }
                    }
                } catch (Exception e) {
                    if (!stop.get()) {
                        throw new IllegalStateException(e);
                    }
                }
            }, "wire " + from.name() + " -> " + to.name());
            t.start();
            return t;
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            for (Thread t : threads) {
                t.join(5000);
            }
        }
    }

    private static byte[] receive(ServerSocket listener) {
        try (Socket s = listener.accept(); InputStream in = s.getInputStream()) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0;) {
                sha.update(buffer, 0, n);
            }
            return sha.digest();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] sha256(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }

    /** TCP's InCsumErrors in the namespace (/proc/net/snmp). */
    private static long tcpChecksumErrors(TestNetwork net, String ns) throws Exception {
        String snmp = net.exec(ns, "cat", "/proc/net/snmp");
        Matcher names = Pattern.compile("(?m)^Tcp: ([A-Za-z ]+)$").matcher(snmp);
        Matcher values = Pattern.compile("(?m)^Tcp: ([-0-9 ]+)$").matcher(snmp);
        assertTrue(names.find() && values.find(), snmp);
        String[] n = names.group(1).split(" ");
        String[] v = values.group(1).split(" ");
        for (int i = 0; i < n.length; i++) {
            if (n[i].equals("InCsumErrors")) {
                return Long.parseLong(v[i]);
            }
        }
        throw new AssertionError("no InCsumErrors in " + snmp);
    }
}
