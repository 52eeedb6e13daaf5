package org.alagg.nfqueue;

import static org.alagg.nfqueue.Fixtures.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

/**
 * ICMP "too big" answers, byte for byte. The expected bytes, checksums included, were computed by a separate
 * Python implementation of RFC 792/1191/1071 and RFC 4443/8200 (struct.pack and a plain ones' complement sum),
 * not by this code.
 */
class TooBigMessagesTest {
    /** IPv4 UDP 10.203.5.1:40000 -> 10.203.5.2:4000, 1400 bytes, DF, id 0x1234, TTL 64; data bytes (i * 7). */
    private static final String IPV4_HEAD = "45000578 1234 4000 40 11 03a9 0acb0501 0acb0502 | 9c40 0fa0 0564 abcd";
    /** The same with a 4-byte option (router alert, IHL 6). */
    private static final String IPV4_OPTION_HEAD = "46000578 1234 4000 40 11 6ea4 0acb0501 0acb0502 94040000 | 9c40 0fa0 0560 abcd";
    /** IPv6 UDP fd00:203::1 -> fd00:203::2, payload length 1460 (1500 bytes), hop limit 64; payload bytes (i * 13 + 5). */
    private static final String IPV6_HEAD = "60000000 05b4 11 40 fd000203000000000000000000000001 fd000203000000000000000000000002";

    private static byte[] ipv4(String head) {
        byte[] h = hex(head);
        byte[] p = Arrays.copyOf(h, 1400);
        for (int i = h.length; i < p.length; i++) {
            p[i] = (byte) ((i - h.length) * 7);
        }
        return p;
    }

    private static byte[] ipv6(String head, int length) {
        byte[] h = hex(head);
        ByteBuffer.wrap(h).putShort(4, (short) (length - 40));
        byte[] p = Arrays.copyOf(h, length);
        for (int i = 40; i < length; i++) {
            p[i] = (byte) ((i - 40) * 13 + 5);
        }
        return p;
    }

    /** The packet at offset 3 of a little-endian direct buffer: the builders must use neither. */
    private static ByteBuffer at3(byte[] packet) {
        return Fixtures.direct(packet, 3, ByteOrder.LITTLE_ENDIAN);
    }

    private static byte[] answer(ByteBuffer into, int length) {
        byte[] b = new byte[length];
        into.get(0, b);
        return b;
    }

    @Test
    void fragmentationNeededQuotesTheHeaderAndEightBytes() {
        byte[] packet = ipv4(IPV4_HEAD);
        ByteBuffer src = at3(packet);
        assertTrue(TooBigMessages.mayAnswerIpv4(src, 3, packet.length));
        assertTrue(TooBigMessages.dontFragment(src, 3));
        ByteBuffer into = ByteBuffer.allocateDirect(TooBigMessages.MAX_FRAGMENTATION_NEEDED).order(ByteOrder.LITTLE_ENDIAN);
        int length = TooBigMessages.fragmentationNeeded(src, 3, packet.length, 1000, into);
        assertEquals(56, length);
        assertHex(
                "45c00038 0000 0000 40 01 5a6d 0acb0502 0acb0501" // from the destination back to the source
              + "03 04 9c01 0000 03e8"                             // dest unreachable, frag needed, MTU 1000
              + "4500057812344000401103a90acb05010acb0502 9c400fa00564abcd", answer(into, length));
    }

    @Test
    void fragmentationNeededQuotesOptionsToo() {
        byte[] packet = ipv4(IPV4_OPTION_HEAD);
        ByteBuffer into = ByteBuffer.allocate(TooBigMessages.MAX_FRAGMENTATION_NEEDED);
        int length = TooBigMessages.fragmentationNeeded(at3(packet), 3, packet.length, 1000, into);
        assertEquals(60, length);
        assertHex("45c0003c0000000040015a690acb05020acb0501 03049c05000003e8"
                + "460005781234400040116ea40acb05010acb050294040000 9c400fa00560abcd", answer(into, length));
    }

    @Test
    void packetTooBigQuotesAsMuchAsFitsIn1280() {
        byte[] packet = ipv6(IPV6_HEAD, 1500);
        ByteBuffer src = at3(packet);
        assertTrue(TooBigMessages.mayAnswerIpv6(src, 3, packet.length));
        ByteBuffer into = ByteBuffer.allocateDirect(TooBigMessages.IPV6_MIN_MTU).order(ByteOrder.LITTLE_ENDIAN);
        int length = TooBigMessages.packetTooBig(src, 3, packet.length, 1400, into);
        assertEquals(1280, length);
        byte[] answer = answer(into, length);
        assertHex("6000000004d83a40 fd000203000000000000000000000002 fd000203000000000000000000000001" // payload 1240, ICMPv6, hop 64
                + "02 00 a84d 00000578", // packet too big, checksum over the pseudo-header, MTU 1400
                Arrays.copyOf(answer, 48));
        assertArrayEquals(Arrays.copyOf(packet, 1232), Arrays.copyOfRange(answer, 48, 1280));
    }

    @Test
    void packetTooBigQuotesAShorterPacketWhole() {
        byte[] packet = ipv6(IPV6_HEAD, 600);
        ByteBuffer into = ByteBuffer.allocate(TooBigMessages.IPV6_MIN_MTU);
        int length = TooBigMessages.packetTooBig(at3(packet), 3, packet.length, 500, into);
        assertEquals(648, length);
        byte[] answer = answer(into, length);
        assertHex("6000000002603a40fd000203000000000000000000000002fd000203000000000000000000000001"
                + "02007fa8000001f4", Arrays.copyOf(answer, 48));
        assertArrayEquals(packet, Arrays.copyOfRange(answer, 48, 648));
    }

    @Test
    void checksumsOfTheAnswersVerify() {
        byte[] packet = ipv4(IPV4_HEAD);
        ByteBuffer into = ByteBuffer.allocate(TooBigMessages.MAX_FRAGMENTATION_NEEDED);
        int length = TooBigMessages.fragmentationNeeded(ByteBuffer.wrap(packet), 0, packet.length, 1000, into);
        assertEquals(0, TooBigMessages.checksum(into, 0, 20, 0), "IP header sums to 0xffff");
        assertEquals(0, TooBigMessages.checksum(into, 20, length - 20, 0), "ICMP message sums to 0xffff");
        assertEquals(0, TooBigMessages.checksum(ByteBuffer.wrap(hex("0001 f203 f4f5 f6f7")), 0, 8, 0x220d),
                "RFC 1071's example: 0001 f203 f4f5 f6f7 sums to 0xddf2");
    }

    @Test
    void noAnswerToErrorsFragmentsOrGroups() {
        byte[] packet = ipv4(IPV4_HEAD);
        ByteBuffer b = ByteBuffer.wrap(packet);
        assertTrue(TooBigMessages.mayAnswerIpv4(b, 0, packet.length));

        b.putShort(6, (short) 0x0010); // a later fragment
        assertFalse(TooBigMessages.mayAnswerIpv4(b, 0, packet.length));
        b.putShort(6, (short) 0x0000); // no DF: answerable in principle, but not asked for
        assertTrue(TooBigMessages.mayAnswerIpv4(b, 0, packet.length));
        assertFalse(TooBigMessages.dontFragment(b, 0));
        b.putShort(6, (short) 0x4000);

        b.put(9, (byte) 1);
        b.put(20, (byte) 3); // an ICMP destination unreachable
        assertFalse(TooBigMessages.mayAnswerIpv4(b, 0, packet.length));
        b.put(20, (byte) 8); // an echo request
        assertTrue(TooBigMessages.mayAnswerIpv4(b, 0, packet.length));

        b.putInt(16, 0xE0000001); // to a multicast group
        assertFalse(TooBigMessages.mayAnswerIpv4(b, 0, packet.length));
        b.putInt(16, 0x0ACB0502);
        b.putInt(12, 0); // from 0.0.0.0
        assertFalse(TooBigMessages.mayAnswerIpv4(b, 0, packet.length));
        assertFalse(TooBigMessages.mayAnswerIpv4(ByteBuffer.wrap(hex("4600001400")), 0, 5), "too short");

        byte[] v6 = ipv6(IPV6_HEAD, 1500);
        ByteBuffer c = ByteBuffer.wrap(v6);
        c.put(6, (byte) 58);
        c.put(40, (byte) 1); // an ICMPv6 destination unreachable
        assertFalse(TooBigMessages.mayAnswerIpv6(c, 0, v6.length));
        c.put(40, (byte) 128); // an echo request
        assertTrue(TooBigMessages.mayAnswerIpv6(c, 0, v6.length));
        c.put(8, (byte) 0xFF); // from a multicast address
        assertFalse(TooBigMessages.mayAnswerIpv6(c, 0, v6.length));
        c.put(8, new byte[16]); // from ::
        assertFalse(TooBigMessages.mayAnswerIpv6(c, 0, v6.length));
    }

    /** Compares with hex digits written with blanks and '|' for reading. */
    private static void assertHex(String expected, byte[] actual) {
        assertEquals(expected.replaceAll("[\\s|]", ""), Fixtures.hex(actual));
    }
}
