package org.alagg.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

import org.alagg.api.PacketBatch;
import org.alagg.testing.ReferenceChecksum;
import org.junit.jupiter.api.Test;

/**
 * The TUN device's offloads without a kernel: super-packets cut into segments that are each a valid packet (checked
 * with a byte-by-byte checksum of this test's own), segments joined back into the super-packet, and what must not
 * be cut or joined left alone.
 */
class TcpOffloadTest {
    private static final int HEADER = VirtioNetHeader.LENGTH;
    private static final int ACK = IpHeaders.TCP_ACK;
    private static final int PSH = IpHeaders.TCP_PSH;
    private static final int FIN = IpHeaders.TCP_FIN;
    private static final int CWR = IpHeaders.TCP_CWR;

    private final Random random = new Random(14);

    @Test
    void checksumMatchesTheBytewiseOneForEveryLengthAndOffset() {
        ByteBuffer big = ByteBuffer.allocate(300);
        ByteBuffer little = ByteBuffer.allocate(300).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 300; i++) {
            big.put(i, (byte) random.nextInt());
            little.put(i, big.get(i));
        }
        for (int offset = 0; offset < 9; offset++) {
            for (int length = 0; length < 200; length++) {
                int expected = ReferenceChecksum.of(big, offset, length, 0x1234);
                assertEquals(expected, InternetChecksum.finish(InternetChecksum.sum(big, offset, length, 0x1234)));
                assertEquals(expected, InternetChecksum.finish(InternetChecksum.sum(little, offset, length, 0x1234)),
                        "little-endian buffer, offset " + offset + " length " + length);
            }
        }
    }

    @Test
    void tcp4SuperPacketIsCutIntoValidSegments() throws Exception {
        byte[] payload = bytes(5_500);
        ByteBuffer b = superPacket(4, PSH | FIN | ACK | CWR, 1_000, payload, true);
        PacketBatch into = new PacketBatch(64, 2048);
        OffloadSegmenter segmenter = new OffloadSegmenter();
        assertTrue(segmenter.take(b, 0, HEADER, b.limit() - HEADER, into));
        assertEquals(6, segmenter.next(into));
        assertFalse(segmenter.pending());
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        for (int i = 0; i < 6; i++) {
            ByteBuffer p = into.packet(i);
            int length = into.length(i);
            assertEquals(i < 5 ? 20 + 32 + 1_000 : 20 + 32 + 500, length);
            assertEquals(length, p.getShort(2) & 0xFFFF, "total length");
            assertEquals(0x1234 + i, p.getShort(4) & 0xFFFF, "identification");
            assertEquals(0, ReferenceChecksum.of(p, 0, 20, 0), "IPv4 header checksum");
            assertEquals(0, tcpChecksum(p, 20, length), "TCP checksum of segment " + i);
            assertEquals(1_000_000 + i * 1_000, p.getInt(24), "sequence");
            int flags = p.get(33) & 0xFF;
            assertEquals(i == 5 ? PSH | FIN | ACK : i == 0 ? ACK | CWR : ACK, flags, "flags of segment " + i);
            byte[] data = new byte[length - 52];
            p.get(52, data);
            joined.write(data);
        }
        assertArrayEquals(payload, joined.toByteArray());
    }

    @Test
    void tcp6SuperPacketIsCutAndWaitsForRoomInTheBatch() throws Exception {
        byte[] payload = bytes(3 * 1_200 + 1);
        ByteBuffer b = superPacket(6, ACK, 1_200, payload, true);
        PacketBatch into = new PacketBatch(2, 2048);
        OffloadSegmenter segmenter = new OffloadSegmenter();
        assertTrue(segmenter.take(b, 0, HEADER, b.limit() - HEADER, into));
        assertEquals(2, segmenter.next(into));
        assertTrue(segmenter.pending(), "two of four segments fit");
        PacketBatch rest = new PacketBatch(8, 2048);
        assertEquals(2, segmenter.next(rest));
        assertEquals(1, rest.length(1) - 40 - 32);
        for (PacketBatch batch : new PacketBatch[] {into, rest}) {
            for (int i = 0; i < batch.size(); i++) {
                ByteBuffer p = batch.packet(i);
                assertEquals(batch.length(i) - 40, p.getShort(4) & 0xFFFF, "payload length");
                assertEquals(0, tcpChecksum(p, 40, batch.length(i)));
            }
        }
    }

    @Test
    void udpSuperPacketIsCutIntoDatagramsWithChecksums() throws Exception {
        for (int version : new int[] {4, 6}) {
            int ip = version == 4 ? 20 : 40;
            ByteBuffer b = udpSuperPacket(version, bytes(2_500), 1_000);
            PacketBatch into = new PacketBatch(8, 2048);
            OffloadSegmenter segmenter = new OffloadSegmenter();
            assertTrue(segmenter.take(b, 0, HEADER, b.limit() - HEADER, into));
            assertEquals(3, segmenter.next(into));
            for (int i = 0; i < 3; i++) {
                ByteBuffer p = into.packet(i);
                int udpLength = into.length(i) - ip;
                assertEquals(i < 2 ? 1_008 : 508, udpLength);
                assertEquals(udpLength, p.getShort(ip + 4) & 0xFFFF, "UDP length");
                assertEquals(0, udpChecksum(p, ip, into.length(i)), "IPv" + version + " UDP checksum");
            }
        }
    }

    @Test
    void aPartialChecksumIsCompleted() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(HEADER + 20 + 8 + 11);
        ipHeader(b, HEADER, 4, IpHeaders.UDP, 39);
        b.putShort(HEADER + 20, (short) 5000).putShort(HEADER + 22, (short) 5001).putShort(HEADER + 24, (short) 19);
        b.put(HEADER + 28, "hello there".getBytes());
        // the kernel's CHECKSUM_PARTIAL: the field holds the pseudo-header's folded sum
        ByteBuffer packet = b.slice(HEADER, 39);
        b.putShort(HEADER + 26, (short) InternetChecksum.fold(
                InternetChecksum.pseudoHeader(packet, 0, 4, IpHeaders.UDP, 19)));
        VirtioNetHeader.put(b, 0, VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_NONE, 0, 0, 20, 6);
        PacketBatch into = new PacketBatch(1, 2048);
        assertTrue(new OffloadSegmenter().take(b, 0, HEADER, 39, into));
        assertEquals(0, udpChecksum(into.packet(0), 20, 39));
    }

    @Test
    void segmentsOfAFlowAreJoinedBackIntoTheSuperPacket() throws Exception {
        for (int version : new int[] {4, 6}) {
            byte[] payload = bytes(7 * 1_300 + 77);
            ByteBuffer original = superPacket(version, PSH | ACK, 1_300, payload, true);
            PacketBatch segments = new PacketBatch(16, 2048);
            OffloadSegmenter segmenter = new OffloadSegmenter();
            assertTrue(segmenter.take(original, 0, HEADER, original.limit() - HEADER, segments));
            assertEquals(8, segmenter.next(segments));

            ReceiveCoalescer coalescer = new ReceiveCoalescer(true);
            coalescer.begin(segments.memory(), segments.offset(0), segments.length(0));
            for (int i = 1; i < 8; i++) {
                assertTrue(coalescer.join(segments.memory(), segments.offset(i), segments.length(i)), "segment " + i);
            }
            assertFalse(coalescer.join(segments.memory(), segments.offset(0), segments.length(0)), "PSH closed it");
            int bytes = coalescer.finish();
            assertEquals(original.limit(), bytes);
            ByteBuffer out = coalescer.buffer();
            int ip = version == 4 ? 20 : 40;
            assertEquals(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.flags(out, 0));
            assertEquals(version == 4 ? VirtioNetHeader.GSO_TCPV4 : VirtioNetHeader.GSO_TCPV6,
                    VirtioNetHeader.gsoType(out, 0));
            assertEquals(1_300, VirtioNetHeader.gsoSize(out, 0));
            assertEquals(ip, VirtioNetHeader.csumStart(out, 0));
            assertEquals(16, VirtioNetHeader.csumOffset(out, 0));
            // the TCP checksum is left partial: the pseudo-header's folded sum, not complemented (CHECKSUM_PARTIAL)
            assertEquals(InternetChecksum.fold(InternetChecksum.pseudoHeader(out, HEADER, version, IpHeaders.TCP,
                    bytes - HEADER - ip)), out.getShort(HEADER + ip + 16) & 0xFFFF, "partial checksum");
            // the packet is the original but for that
            assertSameWhenCompleted(original, out, bytes, ip, IpHeaders.TCP, version);
        }
    }

    @Test
    void datagramsOfAFlowAreJoinedWhenTheDeviceTakesUso() throws Exception {
        for (int version : new int[] {4, 6}) {
            int ip = version == 4 ? 20 : 40;
            ByteBuffer original = udpSuperPacket(version, bytes(4 * 1_000 + 10), 1_000);
            PacketBatch datagrams = cut(original);
            assertEquals(5, datagrams.size());

            ReceiveCoalescer without = new ReceiveCoalescer(false);
            without.begin(datagrams.memory(), datagrams.offset(0), datagrams.length(0));
            assertFalse(without.join(datagrams.memory(), datagrams.offset(1), datagrams.length(1)), "no USO: alone");

            ReceiveCoalescer coalescer = new ReceiveCoalescer(true);
            coalescer.begin(datagrams.memory(), datagrams.offset(0), datagrams.length(0));
            for (int i = 1; i < 5; i++) {
                assertTrue(coalescer.join(datagrams.memory(), datagrams.offset(i), datagrams.length(i)), "datagram " + i);
            }
            int bytes = coalescer.finish();
            ByteBuffer out = coalescer.buffer();
            assertEquals(original.limit(), bytes);
            assertEquals(VirtioNetHeader.GSO_UDP_L4, VirtioNetHeader.gsoType(out, 0));
            assertEquals(1_000, VirtioNetHeader.gsoSize(out, 0));
            assertEquals(6, VirtioNetHeader.csumOffset(out, 0));
            assertSameWhenCompleted(original, out, bytes, ip, IpHeaders.UDP, version);
        }
    }

    @Test
    void whatDiffersOrIsDamagedIsNotJoined() throws Exception {
        PacketBatch segments = cut(superPacket(4, ACK, 1_000, bytes(3_000), true));
        String[] damages = {"sequence gap", "other port", "other ack", "bad checksum", "SYN", "longer", "other TTL",
            "ID gap", "options", "AE bit", "other window", "other TOS", "DF"};
        for (String damage : damages) {
            ByteBuffer second = ByteBuffer.allocate(2048);
            second.put(0, segments.memory(), segments.offset(1), segments.length(1));
            int length = segments.length(1);
            switch (damage) {
                case "sequence gap" -> second.putInt(24, second.getInt(24) + 1);
                case "other port" -> second.putShort(20, (short) 1);
                case "other ack" -> second.putInt(28, 5);
                case "bad checksum" -> second.put(100, (byte) (second.get(100) + 1));
                case "SYN" -> second.put(33, (byte) (ACK | IpHeaders.TCP_SYN));
                case "longer" -> {
                    length += 1;
                    second.putShort(2, (short) length);
                }
                case "other TTL" -> second.put(8, (byte) 3);
                case "ID gap" -> second.putShort(4, (short) 7);
                case "options" -> second.put(40, (byte) 9);
                case "AE bit" -> second.put(32, (byte) (second.get(32) | 1));
                case "other window" -> second.putShort(34, (short) 1);
                case "other TOS" -> second.put(1, (byte) 4);
                case "DF" -> second.putShort(6, (short) 0);
                default -> throw new IllegalStateException(damage);
            }
            if (!damage.equals("bad checksum")) {
                fixChecksums(second, 4, length);
            }
            ReceiveCoalescer coalescer = new ReceiveCoalescer(true);
            coalescer.begin(segments.memory(), segments.offset(0), segments.length(0));
            assertFalse(coalescer.join(second, 0, length), damage);
            assertEquals(1, coalescer.segments());
            assertEquals(HEADER + segments.length(0), coalescer.finish(), "written alone: " + damage);
            assertEquals(0, VirtioNetHeader.gsoType(coalescer.buffer(), 0));
        }
    }

    @Test
    void aPacketWithIpv4OptionsIsWrittenAlone() {
        ByteBuffer p = ByteBuffer.allocate(2048);
        // IPv4 with 4 bytes of options (IHL 6), TCP ACK with 100 bytes of payload, checksums right
        p.put(0, (byte) 0x46).putShort(2, (short) 144).putShort(4, (short) 1).putShort(6, (short) 0x4000)
                .put(8, (byte) 64).put(9, (byte) IpHeaders.TCP).putInt(12, 0x0acb0701).putInt(16, 0x0acb0702)
                .putInt(20, 0x01010101);
        p.putShort(10, (short) ReferenceChecksum.of(p, 0, 24, 0));
        p.putShort(24, (short) 40000).putShort(26, (short) 5201).putInt(28, 1).put(36, (byte) 0x50)
                .put(37, (byte) ACK).putShort(38, (short) 500);
        long pseudo = (p.getShort(12) & 0xFFFF) + (p.getShort(14) & 0xFFFF) + (p.getShort(16) & 0xFFFF)
                + (p.getShort(18) & 0xFFFF) + IpHeaders.TCP + 120;
        p.putShort(40, (short) ReferenceChecksum.of(p, 24, 120, pseudo));
        ReceiveCoalescer coalescer = new ReceiveCoalescer(true);
        coalescer.begin(p, 0, 144);
        // the next segment, right in every other respect
        p.putShort(4, (short) 2).putInt(28, 101).putShort(40, (short) 0);
        p.putShort(40, (short) ReferenceChecksum.of(p, 24, 120, pseudo));
        assertFalse(coalescer.join(p, 0, 144), "options are not compared, so nothing joins them");
    }

    @Test
    void aCompletedUdpChecksumOfZeroIsSentAsAllOnes() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(HEADER + 20 + 8 + 12);
        ipHeader(b, HEADER, 4, IpHeaders.UDP, 40);
        b.putShort(HEADER + 20, (short) 5000).putShort(HEADER + 22, (short) 5001).putShort(HEADER + 24, (short) 20);
        ByteBuffer packet = b.slice(HEADER, 40);
        long pseudo = InternetChecksum.pseudoHeader(packet, 0, 4, IpHeaders.UDP, 20);
        // the last payload word makes the whole sum 0xFFFF: the checksum comes out as 0
        packet.putShort(38, (short) ReferenceChecksum.of(packet, 20, 20, pseudo));
        assertEquals(0, ReferenceChecksum.of(packet, 20, 20, pseudo));
        b.putShort(HEADER + 26, (short) InternetChecksum.fold(pseudo));
        VirtioNetHeader.put(b, 0, VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_NONE, 0, 0, 20, 6);
        PacketBatch into = new PacketBatch(1, 2048);
        assertTrue(new OffloadSegmenter().take(b, 0, HEADER, 40, into));
        assertEquals(0xFFFF, into.packet(0).getShort(26) & 0xFFFF);
    }

    @Test
    void aGsoSizeAboveThePayloadIsOneSegment() throws Exception {
        ByteBuffer b = superPacket(4, ACK, 60_000, bytes(1_000), true);
        PacketBatch into = new PacketBatch(4, 2048);
        OffloadSegmenter segmenter = new OffloadSegmenter();
        assertTrue(segmenter.take(b, 0, HEADER, b.limit() - HEADER, into));
        assertEquals(1, segmenter.next(into));
        assertEquals(1_052, into.length(0));
    }

    @Test
    void malformedSuperPacketsAreRefusedAndRandomOnesNeverBreakTheSegmenter() throws Exception {
        ByteBuffer good = superPacket(4, ACK, 1_000, bytes(4_000), true);
        OffloadSegmenter segmenter = new OffloadSegmenter();
        PacketBatch into = new PacketBatch(64, 2048);
        ByteBuffer b = ByteBuffer.allocate(good.limit());
        String[] cases = {"gso TCPV6 for IPv4", "gso size 0", "segment larger than a slot", "length field", "UDP",
            "fragment", "data offset 2"};
        for (String c : cases) {
            b.put(0, good, 0, good.limit());
            switch (c) {
                case "gso TCPV6 for IPv4" -> b.put(1, (byte) VirtioNetHeader.GSO_TCPV6);
                case "gso size 0" -> VirtioNetHeader.put(b, 0, 1, VirtioNetHeader.GSO_TCPV4, 52, 0, 20, 16);
                case "segment larger than a slot" -> VirtioNetHeader.put(b, 0, 1, VirtioNetHeader.GSO_TCPV4, 52, 3000, 20, 16);
                case "length field" -> b.putShort(HEADER + 2, (short) 100);
                case "UDP" -> b.put(HEADER + 9, (byte) IpHeaders.UDP);
                case "fragment" -> b.putShort(HEADER + 6, (short) 0x2000);
                case "data offset 2" -> b.put(HEADER + 32, (byte) 0x20);
                default -> throw new IllegalStateException(c);
            }
            into.clear();
            assertFalse(segmenter.take(b, 0, HEADER, b.limit() - HEADER, into), c);
            assertEquals(0, into.size(), c);
        }
        assertEquals(cases.length, segmenter.refused());
        for (int round = 0; round < 20_000; round++) {
            b.put(0, good, 0, good.limit());
            for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                b.put(random.nextInt(HEADER + 60), (byte) random.nextInt());
            }
            int length = HEADER + random.nextInt(b.limit() - HEADER);
            ByteBuffer exact = ByteBuffer.allocate(length); // a read past the packet's end throws
            exact.put(0, b, 0, length);
            into.clear();
            if (segmenter.take(exact, 0, HEADER, length - HEADER, into)) {
                while (segmenter.pending()) {
                    into.clear();
                    segmenter.next(into);
                    for (int i = 0; i < into.size(); i++) {
                        assertTrue(into.length(i) <= into.slotSize());
                    }
                }
            }
        }
    }

    @Test
    void cuttingAndJoiningAllocateNothing() throws Exception {
        ByteBuffer original = superPacket(4, ACK, 1_300, bytes(40 * 1_300), true);
        ByteBuffer source = ByteBuffer.allocateDirect(original.limit());
        source.put(0, original, 0, original.limit());
        PacketBatch segments = new PacketBatch(64, 2048);
        OffloadSegmenter segmenter = new OffloadSegmenter();
        ReceiveCoalescer coalescer = new ReceiveCoalescer(true);
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = 0;
        for (int round = 0; round < 30_000; round++) {
            if (round == 20_000) {
                before = threads.getCurrentThreadAllocatedBytes();
            }
            segments.clear();
            assertTrue(segmenter.take(source, 0, HEADER, source.limit() - HEADER, segments));
            segmenter.next(segments);
            coalescer.clear();
            coalescer.begin(segments.memory(), segments.offset(0), segments.length(0));
            for (int i = 1; i < segments.size(); i++) {
                assertTrue(coalescer.join(segments.memory(), segments.offset(i), segments.length(i)));
            }
            coalescer.finish();
        }
        assertEquals(0, threads.getCurrentThreadAllocatedBytes() - before, "bytes allocated in 10 000 rounds");
    }

    @Test
    void randomlyDamagedSegmentsNeverBreakTheCoalescer() throws Exception {
        for (int version : new int[] {4, 6}) {
            PacketBatch segments = cut(superPacket(version, ACK, 1_000, bytes(8_000), true));
            ReceiveCoalescer coalescer = new ReceiveCoalescer(true);
            for (int round = 0; round < 20_000; round++) {
                coalescer.clear();
                for (int i = 0; i < segments.size(); i++) {
                    int length = random.nextInt(8) == 0 ? random.nextInt(segments.length(i) + 1) : segments.length(i);
                    ByteBuffer exact = ByteBuffer.allocate(length); // a read past the packet's end throws
                    exact.put(0, segments.memory(), segments.offset(i), length);
                    if (random.nextInt(3) == 0 && length > 0) {
                        exact.put(random.nextInt(Math.min(length, 80)), (byte) random.nextInt());
                    }
                    if (!coalescer.join(exact, 0, length)) {
                        if (coalescer.segments() > 0) {
                            assertTrue(coalescer.finish() <= VirtioNetHeader.LENGTH + ReceiveCoalescer.MAX_GROUP);
                        }
                        coalescer.begin(exact, 0, length);
                    }
                }
                assertTrue(coalescer.finish() <= VirtioNetHeader.LENGTH + ReceiveCoalescer.MAX_GROUP);
            }
        }
    }

    // ---- packets ----

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    /** A virtio-net header for TSO, an IP header and a TCP header with 12 bytes of options (timestamps), payload. */
    private static ByteBuffer superPacket(int version, int flags, int mss, byte[] payload, boolean partial)
            throws Exception {
        int ip = version == 4 ? 20 : 40;
        int length = ip + 32 + payload.length;
        ByteBuffer b = ByteBuffer.allocate(HEADER + length);
        ipHeader(b, HEADER, version, IpHeaders.TCP, length);
        int tcp = HEADER + ip;
        b.putShort(tcp, (short) 40000).putShort(tcp + 2, (short) 5201).putInt(tcp + 4, 1_000_000)
                .putInt(tcp + 8, 777).put(tcp + 12, (byte) 0x80).put(tcp + 13, (byte) flags)
                .putShort(tcp + 14, (short) 500);
        b.put(tcp + 20, (byte) 1).put(tcp + 21, (byte) 1).put(tcp + 22, (byte) 8).put(tcp + 23, (byte) 10)
                .putInt(tcp + 24, 123456).putInt(tcp + 28, 654321);
        b.put(tcp + 32, payload);
        VirtioNetHeader.put(b, 0, partial ? VirtioNetHeader.F_NEEDS_CSUM : 0,
                (version == 4 ? VirtioNetHeader.GSO_TCPV4 : VirtioNetHeader.GSO_TCPV6)
                        | ((flags & CWR) != 0 ? VirtioNetHeader.GSO_ECN : 0), ip + 32, mss, ip, 16);
        return b;
    }

    /** A virtio-net header for USO, an IP header and a UDP header (ports 5000 -> 5001), payload. */
    private static ByteBuffer udpSuperPacket(int version, byte[] payload, int mss) throws Exception {
        int ip = version == 4 ? 20 : 40;
        ByteBuffer b = ByteBuffer.allocate(HEADER + ip + 8 + payload.length);
        ipHeader(b, HEADER, version, IpHeaders.UDP, ip + 8 + payload.length);
        b.putShort(HEADER + ip, (short) 5000).putShort(HEADER + ip + 2, (short) 5001)
                .putShort(HEADER + ip + 4, (short) (8 + payload.length));
        b.put(HEADER + ip + 8, payload);
        VirtioNetHeader.put(b, 0, VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_UDP_L4, ip + 8, mss, ip, 6);
        return b;
    }

    /** A joined packet equals the original once both have their checksums completed. */
    private static void assertSameWhenCompleted(ByteBuffer original, ByteBuffer joined, int bytes, int ip,
            int protocol, int version) {
        OffloadSegmenter.completeChecksum(joined, HEADER, ip, bytes - HEADER, protocol);
        OffloadSegmenter.completeChecksum(original, HEADER, ip, bytes - HEADER, protocol);
        for (int i = HEADER; i < bytes; i++) {
            assertEquals(original.get(i), joined.get(i), "IPv" + version + " byte " + (i - HEADER));
        }
    }

    private static void ipHeader(ByteBuffer b, int at, int version, int protocol, int length) throws Exception {
        if (version == 4) {
            b.put(at, (byte) 0x45).putShort(at + 2, (short) length).putShort(at + 4, (short) 0x1234)
                    .putShort(at + 6, (short) 0x4000).put(at + 8, (byte) 64).put(at + 9, (byte) protocol);
            b.put(at + 12, InetAddress.getByName("10.203.7.1").getAddress());
            b.put(at + 16, InetAddress.getByName("10.203.7.2").getAddress());
            b.putShort(at + 10, (short) ReferenceChecksum.of(b, at, 20, 0));
        } else {
            b.putInt(at, 0x6000_0000 | 0x12345).putShort(at + 4, (short) (length - 40)).put(at + 6, (byte) protocol)
                    .put(at + 7, (byte) 64);
            b.put(at + 8, InetAddress.getByName("fd07::1").getAddress());
            b.put(at + 24, InetAddress.getByName("fd07::2").getAddress());
        }
    }

    private static PacketBatch cut(ByteBuffer superPacket) {
        PacketBatch into = new PacketBatch(64, 2048);
        OffloadSegmenter segmenter = new OffloadSegmenter();
        assertTrue(segmenter.take(superPacket, 0, HEADER, superPacket.limit() - HEADER, into));
        segmenter.next(into);
        return into;
    }

    private static void fixChecksums(ByteBuffer p, int version, int length) {
        int ip = version == 4 ? 20 : 40;
        if (version == 4) {
            p.putShort(10, (short) 0);
            p.putShort(10, (short) ReferenceChecksum.of(p, 0, 20, 0));
        }
        p.putShort(ip + 16, (short) 0);
        p.putShort(ip + 16, (short) tcpChecksum(p, ip, length));
    }

    /** This test's own TCP checksum over the packet at 0 (0 when the packet's checksum is right). */
    private static int tcpChecksum(ByteBuffer p, int ip, int length) {
        return ReferenceChecksum.of(p, ip, length - ip, pseudo(p, ip, IpHeaders.TCP, length - ip));
    }

    private static int udpChecksum(ByteBuffer p, int ip, int length) {
        return ReferenceChecksum.of(p, ip, length - ip, pseudo(p, ip, IpHeaders.UDP, length - ip));
    }

    private static long pseudo(ByteBuffer p, int ip, int protocol, int upperLength) {
        long sum = protocol + upperLength;
        int from = ip == 20 ? 12 : 8;
        for (int i = from; i < ip; i += 2) {
            sum += p.getShort(i) & 0xFFFF;
        }
        return sum;
    }
}
