package org.alagg.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.alagg.api.PacketBatch;
import org.alagg.api.PayloadType;
import org.alagg.testing.RequiresRoot;
import org.alagg.testing.TestNetwork;
import org.junit.jupiter.api.Test;

/** TUN and TAP devices in a namespace of their own: the kernel answers what is written into them. */
@RequiresRoot
class TunDeviceRootTest {
    static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @Test
    void tunCarriesIpPacketsBothWays() throws Exception {
        try (TestNetwork net = TestNetwork.create()) {
            String a = net.namespace("a");
            try (TunDevice tun = NetworkNamespace.call(a, () -> TunDevice.open("alt0", TunDevice.Mode.TUN))) {
                assertEquals("alt0", tun.name());
                assertEquals(TunDevice.Mode.TUN, tun.mode());
                net.address(a, "alt0", "10.203.5.1/24");
                NetworkNamespace.call(a, () -> {
                    NetworkInterfaces.setUp("alt0");
                    return null;
                });

                // an echo request from 10.203.5.2 (a host behind the TUN) to the TUN's own address
                PacketBatch out = new PacketBatch(4, 2048);
                byte[] payload = "alagg tun echo".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                int length = Packets.icmpEcho(out.slot(0), "10.203.5.2", "10.203.5.1", 0x4A4A, 1, payload);
                out.commit(length, PayloadType.IPV4, -1);
                assertEquals(1, tun.write(out));

                ByteBuffer reply = readUntil(tun, p -> p.get(0) == 0x45 && p.get(9) == 1 && p.get(20) == 0);
                assertEquals(28 + payload.length, reply.remaining());
                byte[] source = new byte[4];
                reply.get(12, source);
                assertEquals(InetAddress.getByName("10.203.5.1"), InetAddress.getByAddress(source));
                assertEquals(0x4A4A, reply.getShort(24) & 0xFFFF);
                byte[] echoed = new byte[payload.length];
                reply.get(28, echoed);
                assertEquals(new String(payload), new String(echoed));
            }
        }
    }

    @Test
    void tapCarriesEthernetFrames() throws Exception {
        try (TestNetwork net = TestNetwork.create()) {
            String a = net.namespace("a");
            try (TunDevice tap = NetworkNamespace.call(a, () -> TunDevice.open("alp%d", TunDevice.Mode.TAP))) {
                assertEquals("alp0", tap.name(), "the kernel numbered the device");
                net.address(a, tap.name(), "10.203.6.1/24");
                NetworkNamespace.call(a, () -> {
                    NetworkInterfaces.setUp(tap.name());
                    return null;
                });
                byte[] me = {0x02, 0, 0, 0, 0x06, 0x02};
                PacketBatch out = new PacketBatch(4, 2048);
                out.commit(Packets.arpRequest(out.slot(0), me, "10.203.6.2", "10.203.6.1"), PayloadType.ETHERNET, -1);
                assertEquals(1, tap.write(out));

                // the ARP reply, to our MAC
                ByteBuffer reply = readUntil(tap, p -> p.getShort(12) == 0x0806 && p.getShort(20) == 2);
                byte[] to = new byte[6];
                reply.get(0, to);
                assertEquals(java.util.Arrays.toString(me), java.util.Arrays.toString(to));
                byte[] tapMac = NetworkNamespace.call(a, () -> NetworkInterfaces.mac(tap.name())).octets();
                byte[] from = new byte[6];
                reply.get(6, from);
                assertEquals(java.util.Arrays.toString(tapMac), java.util.Arrays.toString(from));
            }
        }
    }

    @Test
    void namesAndWakeup() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> TunDevice.open("much-too-long-name0", TunDevice.Mode.TUN));
        try (TestNetwork net = TestNetwork.create()) {
            String a = net.namespace("a");
            try (TunDevice tun = NetworkNamespace.call(a, () -> TunDevice.open("", TunDevice.Mode.TUN))) {
                assertTrue(tun.name().startsWith("tun"), tun.name());
                LinuxException busy = assertThrows(LinuxException.class,
                        () -> NetworkNamespace.call(a, () -> TunDevice.open(tun.name(), TunDevice.Mode.TAP)));
                assertTrue(busy.getMessage().startsWith("ioctl(TUNSETIFF, TAP " + tun.name() + ") failed"), busy.getMessage());

                PacketBatch in = new PacketBatch(4, 2048);
                assertEquals(0, tun.read(in, 0));
                CompletableFuture<Integer> read = CompletableFuture.supplyAsync(() -> {
                    try {
                        return tun.read(in, 20 * SECOND);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                Thread.sleep(100);
                tun.wakeup();
                assertEquals(0, read.get(10, TimeUnit.SECONDS));
            }
        }
    }

    interface Match {
        boolean test(ByteBuffer packet);
    }

    /** Reads packets for up to 5 s until one matches (the kernel may send others, e.g. IPv6 router solicitations). */
    static ByteBuffer readUntil(TunDevice device, Match match) throws Exception {
        PacketBatch in = new PacketBatch(16, 2048);
        long deadline = System.nanoTime() + 5 * SECOND;
        while (System.nanoTime() < deadline) {
            in.clear();
            device.read(in, 200_000_000L);
            for (int i = 0; i < in.size(); i++) {
                ByteBuffer p = in.packet(i);
                if (match.test(p)) {
                    ByteBuffer copy = ByteBuffer.allocate(p.remaining());
                    copy.put(p).flip();
                    assertEquals(device.mode() == TunDevice.Mode.TAP ? PayloadType.ETHERNET : PayloadType.IPV4, in.payload(i));
                    return copy;
                }
            }
        }
        throw new AssertionError("nothing matching came out of " + device.name());
    }
}
