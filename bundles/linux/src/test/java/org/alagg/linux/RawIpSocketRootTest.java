package org.alagg.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import org.alagg.api.PacketBatch;
import org.alagg.api.PayloadType;
import org.alagg.testing.RequiresRoot;
import org.alagg.testing.TestNetwork;
import org.junit.jupiter.api.Test;

/**
 * A raw IP socket delivers packets with a foreign source address to a local UDP socket, which sees that source:
 * what local delivery of NFQUEUE-captured packets needs.
 */
@RequiresRoot
class RawIpSocketRootTest {
    @Test
    void deliversIpv4WithItsOriginalSource() throws Exception {
        try (TestNetwork net = TestNetwork.create()) {
            String a = net.namespace("a");
            String b = net.namespace("b");
            net.veth(a, "l1a", b, "l1b");
            net.address(a, "l1a", "10.203.7.1/24");
            try (DatagramSocket receiver = NetworkNamespace.call(a, () -> new DatagramSocket(new InetSocketAddress("10.203.7.1", 0)));
                 RawIpSocket raw = NetworkNamespace.call(a, RawIpSocket::ipv4)) {
                receiver.setSoTimeout(5000);
                raw.setMark(0x7A);
                PacketBatch batch = new PacketBatch(8, 2048);
                for (int n = 0; n < 3; n++) {
                    byte[] payload = ("datagram " + n).getBytes(StandardCharsets.US_ASCII);
                    int length = Packets.udp4(batch.slot(batch.size()), "10.203.99." + (9 + n), 4000 + n,
                            "10.203.7.1", receiver.getLocalPort(), payload);
                    batch.commit(length, PayloadType.IPV4, -1);
                }
                Packets.udp6(batch.slot(batch.size()), "fd00::1", 1, "fd00::2", 2, new byte[1]);
                batch.commit(49, PayloadType.IPV6, -1);
                assertEquals(3, raw.send(batch));
                assertEquals(1, raw.notIp(), "the IPv6 packet is not for an IPv4 socket");

                for (int n = 0; n < 3; n++) {
                    DatagramPacket got = new DatagramPacket(new byte[2048], 2048);
                    receiver.receive(got);
                    String text = new String(got.getData(), 0, got.getLength(), StandardCharsets.US_ASCII);
                    int k = text.charAt(text.length() - 1) - '0';
                    assertEquals("datagram " + k, text);
                    assertEquals(InetAddress.getByName("10.203.99." + (9 + k)), got.getAddress(), "the original source");
                    assertEquals(4000 + k, got.getPort());
                }
            }
        }
    }

    @Test
    void deliversIpv6WithItsOriginalSource() throws Exception {
        try (TestNetwork net = TestNetwork.create()) {
            String a = net.namespace("a");
            String b = net.namespace("b");
            net.veth(a, "l1a", b, "l1b");
            net.address(a, "l1a", "fd00:203:7::1/64");
            try (DatagramSocket receiver = NetworkNamespace.call(a, () -> new DatagramSocket(new InetSocketAddress("fd00:203:7::1", 0)));
                 RawIpSocket raw = NetworkNamespace.call(a, RawIpSocket::ipv6)) {
                receiver.setSoTimeout(5000);
                PacketBatch batch = new PacketBatch(4, 2048);
                byte[] payload = "over IPv6".getBytes(StandardCharsets.US_ASCII);
                int length = Packets.udp6(batch.slot(0), "fd00:203:99::9", 4006, "fd00:203:7::1", receiver.getLocalPort(), payload);
                batch.commit(length, PayloadType.IPV6, -1);
                assertEquals(1, raw.send(batch));

                DatagramPacket got = new DatagramPacket(new byte[2048], 2048);
                receiver.receive(got);
                assertEquals("over IPv6", new String(got.getData(), 0, got.getLength(), StandardCharsets.US_ASCII));
                assertEquals(InetAddress.getByName("fd00:203:99::9"), got.getAddress(), "the original source");
                assertEquals(4006, got.getPort());
            }
        }
    }
}
