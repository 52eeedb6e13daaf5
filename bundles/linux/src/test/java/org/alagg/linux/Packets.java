package org.alagg.linux;

import java.net.InetAddress;
import java.nio.ByteBuffer;

import org.alagg.testing.ReferenceChecksum;

/** Hand-made IP packets for the root tests. */
final class Packets {
    private Packets() {
    }

    /** Writes an IPv4 header (20 bytes) at 0 of a big-endian slot, checksum included. */
    static void ipv4Header(ByteBuffer slot, int totalLength, int protocol, String source, String destination) throws Exception {
        slot.put(0, (byte) 0x45).put(1, (byte) 0).putShort(2, (short) totalLength).putShort(4, (short) 0x1234)
                .putShort(6, (short) 0x4000).put(8, (byte) 64).put(9, (byte) protocol).putShort(10, (short) 0);
        slot.put(12, InetAddress.getByName(source).getAddress());
        slot.put(16, InetAddress.getByName(destination).getAddress());
        slot.putShort(10, (short) ReferenceChecksum.of(slot, 0, 20, 0));
    }

    /** An ICMP echo request: IPv4 header, type 8, id, sequence, payload. Returns its length. */
    static int icmpEcho(ByteBuffer slot, String source, String destination, int id, int sequence, byte[] payload) throws Exception {
        int length = 20 + 8 + payload.length;
        ipv4Header(slot, length, 1, source, destination);
        slot.put(20, (byte) 8).put(21, (byte) 0).putShort(22, (short) 0).putShort(24, (short) id).putShort(26, (short) sequence);
        slot.put(28, payload);
        slot.putShort(22, (short) ReferenceChecksum.of(slot, 20, 8 + payload.length, 0));
        return length;
    }

    /** A UDP datagram over IPv4, UDP checksum 0 (none). Returns its length. */
    static int udp4(ByteBuffer slot, String source, int sourcePort, String destination, int port, byte[] payload) throws Exception {
        int length = 20 + 8 + payload.length;
        ipv4Header(slot, length, 17, source, destination);
        slot.putShort(20, (short) sourcePort).putShort(22, (short) port).putShort(24, (short) (8 + payload.length))
                .putShort(26, (short) 0);
        slot.put(28, payload);
        return length;
    }

    /** A UDP datagram over IPv6 with its (mandatory) checksum. Returns its length. */
    static int udp6(ByteBuffer slot, String source, int sourcePort, String destination, int port, byte[] payload) throws Exception {
        int udpLength = 8 + payload.length;
        slot.putInt(0, 0x60000000).putShort(4, (short) udpLength).put(6, (byte) 17).put(7, (byte) 64);
        slot.put(8, InetAddress.getByName(source).getAddress());
        slot.put(24, InetAddress.getByName(destination).getAddress());
        slot.putShort(40, (short) sourcePort).putShort(42, (short) port).putShort(44, (short) udpLength).putShort(46, (short) 0);
        slot.put(48, payload);
        long pseudo = 0;
        for (int i = 8; i < 40; i += 2) {
            pseudo += slot.getShort(i) & 0xFFFF;
        }
        pseudo += udpLength + 17;
        int sum = ReferenceChecksum.of(slot, 40, udpLength, pseudo);
        slot.putShort(46, (short) (sum == 0 ? 0xFFFF : sum));
        return 40 + udpLength;
    }

    /** An ARP request "who has {@code target}, tell {@code sender}" in an Ethernet frame. Returns its length. */
    static int arpRequest(ByteBuffer slot, byte[] senderMac, String sender, String target) throws Exception {
        for (int i = 0; i < 6; i++) {
            slot.put(i, (byte) 0xFF);
        }
        slot.put(6, senderMac).putShort(12, (short) 0x0806);
        slot.putShort(14, (short) 1).putShort(16, (short) 0x0800).put(18, (byte) 6).put(19, (byte) 4).putShort(20, (short) 1);
        slot.put(22, senderMac).put(28, InetAddress.getByName(sender).getAddress());
        slot.put(32, new byte[6]).put(38, InetAddress.getByName(target).getAddress());
        return 42;
    }
}
