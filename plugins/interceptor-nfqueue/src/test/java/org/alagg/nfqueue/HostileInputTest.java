package org.alagg.nfqueue;

import static org.alagg.nfqueue.Fixtures.AT_HW_PROTOCOL;
import static org.alagg.nfqueue.Fixtures.AT_MARK;
import static org.alagg.nfqueue.Fixtures.AT_PACKET_HDR;
import static org.alagg.nfqueue.Fixtures.AT_PAYLOAD_ATTR;
import static org.alagg.nfqueue.Fixtures.AT_SKB_INFO;
import static org.alagg.nfqueue.Fixtures.IPV4_PAYLOAD_OFFSET;
import static org.alagg.nfqueue.Fixtures.hex;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.alagg.api.PacketBatch;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Damaged and hostile messages: each case patches {@link Fixtures#PACKET_IPV4} (netlink.h / nfnetlink.h /
 * nfnetlink_queue.h layout; header fields little-endian = this host's order) and names the reason expected.
 * Then random and mutated bytes, which must never make the decoders or the converter throw.
 */
class HostileInputTest {
    @BeforeEach
    void assumeLittleEndianHost() {
        assumeTrue(Fixtures.littleEndianHost(), "fixtures spell host-order fields little-endian");
    }

    private static byte[] ipv4(Consumer<byte[]> patch) {
        byte[] b = hex(Fixtures.PACKET_IPV4);
        patch.accept(b);
        return b;
    }

    private static void le32(byte[] b, int at, long v) {
        for (int i = 0; i < 4; i++) {
            b[at + i] = (byte) (v >>> (8 * i));
        }
    }

    private static void le16(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
    }

    private static void be16(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 8);
        b[at + 1] = (byte) v;
    }

    static Stream<Arguments> hostile() {
        return Stream.of(
                Arguments.of("empty datagram", new byte[0], Reject.SHORT_DATAGRAM),
                Arguments.of("15 bytes", Arrays.copyOf(hex(Fixtures.PACKET_IPV4), 15), Reject.SHORT_DATAGRAM),
                Arguments.of("nlmsg_len 15", ipv4(b -> le32(b, 0, 15)), Reject.BAD_MESSAGE_LENGTH),
                Arguments.of("nlmsg_len 0", ipv4(b -> le32(b, 0, 0)), Reject.BAD_MESSAGE_LENGTH),
                Arguments.of("nlmsg_len past the datagram", ipv4(b -> le32(b, 0, 102)), Reject.BAD_MESSAGE_LENGTH),
                Arguments.of("nlmsg_len 0xffffffff", ipv4(b -> le32(b, 0, 0xffffffffL)), Reject.BAD_MESSAGE_LENGTH),
                Arguments.of("nlmsg_len 0x80000000", ipv4(b -> le32(b, 0, 0x80000000L)), Reject.BAD_MESSAGE_LENGTH),
                Arguments.of("datagram cut inside the payload", Arrays.copyOf(hex(Fixtures.PACKET_IPV4), 90),
                        Reject.BAD_MESSAGE_LENGTH),
                Arguments.of("NLMSG_DONE", ipv4(b -> le16(b, 4, Netlink.NLMSG_DONE)), Reject.UNEXPECTED_MESSAGE),
                Arguments.of("NLMSG_NOOP", ipv4(b -> le16(b, 4, Netlink.NLMSG_NOOP)), Reject.UNEXPECTED_MESSAGE),
                Arguments.of("CONFIG from the kernel", ipv4(b -> le16(b, 4, 0x0302)), Reject.UNEXPECTED_MESSAGE),
                Arguments.of("ctnetlink message", ipv4(b -> le16(b, 4, 0x0100)), Reject.UNEXPECTED_MESSAGE),
                Arguments.of("NLMSG_ERROR too short for its errno",
                        hex("10000000 0200 0000 00000000 00000000"), Reject.UNEXPECTED_MESSAGE),
                Arguments.of("NLMSG_ERROR -ENOBUFS",
                        hex("24000000 0200 0001 00000000 00000000 97ffffff 20000000 0303 0100 09000000 00000000"),
                        Reject.NETLINK_ERROR),
                Arguments.of("PACKET with nlmsg_len 16", ipv4(b -> le32(b, 0, 16)), Reject.SHORT_NFGENMSG),
                Arguments.of("PACKET with nlmsg_len 19", ipv4(b -> le32(b, 0, 19)), Reject.SHORT_NFGENMSG),
                Arguments.of("nfgenmsg version 1", ipv4(b -> b[17] = 1), Reject.BAD_NFGEN_VERSION),
                Arguments.of("nla_len 0", ipv4(b -> le16(b, AT_PACKET_HDR, 0)), Reject.BAD_ATTRIBUTE_LENGTH),
                Arguments.of("nla_len 3", ipv4(b -> le16(b, AT_PACKET_HDR, 3)), Reject.BAD_ATTRIBUTE_LENGTH),
                Arguments.of("payload nla_len 1 past the message", ipv4(b -> le16(b, AT_PAYLOAD_ATTR, 26)),
                        Reject.ATTRIBUTE_OVERRUN),
                Arguments.of("nla_len 0xffff", ipv4(b -> le16(b, AT_MARK, 0xffff)), Reject.ATTRIBUTE_OVERRUN),
                Arguments.of("message ends inside an attribute header", ipv4(b -> le32(b, 0, AT_PAYLOAD_ATTR + 2)),
                        Reject.ATTRIBUTE_OVERRUN),
                Arguments.of("message ends inside the mark value", ipv4(b -> le32(b, 0, AT_MARK + 6)),
                        Reject.ATTRIBUTE_OVERRUN),
                Arguments.of("PACKET_HDR of 6 bytes", ipv4(b -> le16(b, AT_PACKET_HDR, 10)), Reject.SHORT_ATTRIBUTE),
                Arguments.of("MARK of 2 bytes", ipv4(b -> le16(b, AT_MARK, 6)), Reject.SHORT_ATTRIBUTE),
                Arguments.of("SKB_INFO of 3 bytes", ipv4(b -> le16(b, AT_SKB_INFO, 7)), Reject.SHORT_ATTRIBUTE),
                Arguments.of("no PACKET_HDR (type renamed 0x07ff)", ipv4(b -> le16(b, AT_PACKET_HDR + 2, 0x07ff)),
                        Reject.MISSING_PACKET_HDR),
                Arguments.of("no PAYLOAD (type renamed 0x000b)", ipv4(b -> le16(b, AT_PAYLOAD_ATTR + 2, 0x000b)),
                        Reject.MISSING_PAYLOAD),
                Arguments.of("empty PAYLOAD", ipv4(b -> {
                    le16(b, AT_PAYLOAD_ATTR, 4);
                    le32(b, 0, IPV4_PAYLOAD_OFFSET);
                }), Reject.MISSING_PAYLOAD),
                Arguments.of("hw_protocol unset, nibble 5", ipv4(b -> {
                    be16(b, AT_HW_PROTOCOL, 0);
                    b[IPV4_PAYLOAD_OFFSET] = 0x55;
                }), Reject.UNKNOWN_PAYLOAD_TYPE),
                Arguments.of("hw_protocol ARP", ipv4(b -> be16(b, AT_HW_PROTOCOL, 0x0806)), Reject.UNKNOWN_PAYLOAD_TYPE),
                Arguments.of("hw_protocol 0x6558 (Ethernet)", ipv4(b -> be16(b, AT_HW_PROTOCOL, 0x6558)),
                        Reject.UNKNOWN_PAYLOAD_TYPE),
                Arguments.of("IPv4 hw_protocol, IPv6 nibble", ipv4(b -> b[IPV4_PAYLOAD_OFFSET] = 0x60),
                        Reject.PAYLOAD_TYPE_MISMATCH),
                Arguments.of("IPv6 hw_protocol, IPv4 nibble", ipv4(b -> be16(b, AT_HW_PROTOCOL, 0x86DD)),
                        Reject.PAYLOAD_TYPE_MISMATCH));
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("hostile")
    void rejectedWithItsReason(String what, byte[] bytes, Reject expected) {
        for (int at : new int[] {0, 3}) {
            ByteBuffer b = Fixtures.direct(bytes, at, at == 0 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
            PacketMessage m = new PacketMessage();
            assertEquals(expected, PacketDecoder.decode(b, at, bytes.length, m), what);
        }
    }

    @Test
    void everyDecoderReasonHasACase() {
        Set<Reject> covered = EnumSet.noneOf(Reject.class);
        hostile().forEach(a -> covered.add((Reject) a.get()[2]));
        // NONE is success; the last four are the converter's (CaptureConverterTest)
        Set<Reject> expected = EnumSet.complementOf(EnumSet.of(Reject.NONE, Reject.WRONG_QUEUE,
                Reject.TRUNCATED_PAYLOAD, Reject.TOO_BIG, Reject.PAYLOAD_TOO_LARGE));
        assertEquals(expected, covered);
    }

    @Test
    void counterNamesAreStableAndUnique() {
        Set<String> names = new HashSet<>();
        for (Reject r : Reject.values()) {
            assertTrue(r.counterName().matches("[a-z][a-z0-9_]*"), r.counterName());
            assertTrue(names.add(r.counterName()), "unique " + r.counterName());
            assertEquals(r.name().toLowerCase(), r.counterName());
        }
    }

    /** Uniform random bytes, random bytes behind a plausible header, and mutations of both fixtures. */
    @Test
    void randomAndMutatedBytesNeverThrow() {
        Random random = new Random(0x5eed_a1a9L);
        byte[][] seeds = {hex(Fixtures.PACKET_IPV4), hex(Fixtures.PACKET_IPV6), hex(Fixtures.ERROR_EBUSY_FOR_BIND)};
        ByteBuffer buffer = ByteBuffer.allocateDirect(512);
        PacketMessage m = new PacketMessage();
        NetlinkAck ack = new NetlinkAck();
        EnumSet<Reject> seen = EnumSet.noneOf(Reject.class);
        for (int i = 0; i < 300_000; i++) {
            byte[] bytes;
            switch (i % 3) {
                case 0:
                    bytes = new byte[random.nextInt(160)];
                    random.nextBytes(bytes);
                    break;
                case 1:
                    bytes = new byte[20 + random.nextInt(140)];
                    random.nextBytes(bytes);
                    le32(bytes, 0, random.nextInt(8) == 0 ? random.nextInt() : bytes.length - random.nextInt(4));
                    le16(bytes, 4, random.nextInt(8) == 0 ? Netlink.NLMSG_ERROR : 0x0300);
                    bytes[17] = 0;
                    // a run of plausible attribute headers with random lengths and types
                    for (int at = 20; at + 4 <= bytes.length && random.nextInt(6) != 0; ) {
                        int len = random.nextInt(3) == 0 ? random.nextInt(0x10000) : random.nextInt(24);
                        le16(bytes, at, len);
                        le16(bytes, at + 2, random.nextInt(3) == 0 ? random.nextInt(0x10000) : random.nextInt(16));
                        at += Math.max(4, Netlink.align(len));
                    }
                    break;
                default:
                    byte[] seed = seeds[random.nextInt(seeds.length)];
                    bytes = Arrays.copyOf(seed, random.nextInt(3) == 0 ? random.nextInt(seed.length + 1) : seed.length);
                    for (int k = random.nextInt(4) + 1; k > 0 && bytes.length > 0; k--) {
                        bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
                    }
            }
            int at = random.nextInt(8);
            buffer.order(random.nextBoolean() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
            buffer.clear();
            buffer.put(at, bytes);
            byte[] input = bytes;
            Reject r = assertDoesNotThrow(() -> PacketDecoder.decode(buffer, at, input.length, m),
                    () -> "decode threw on " + Fixtures.hex(input));
            assertNotNull(r);
            seen.add(r);
            if (r == Reject.NONE) {
                // a decoded payload lies inside the message, which lies inside the datagram
                assertTrue(m.messageLength() <= input.length);
                assertTrue(m.payloadLength() > 0);
                assertTrue(m.payloadOffset() >= at + Netlink.OFFSET_ATTRIBUTES + Netlink.NLA_HDRLEN);
                assertTrue(m.payloadOffset() + m.payloadLength() <= at + m.messageLength());
                assertNotNull(m.payloadType());
            }
            assertDoesNotThrow(() -> PacketDecoder.decodeAck(buffer, at, input.length, ack));
        }
        assertTrue(seen.size() >= 12, "the generator reaches deep into the decoder: " + seen);
    }

    @Test
    void randomDatagramBatchesNeverBreakTheConverter() {
        Random random = new Random(42);
        CaptureConverter converter = new CaptureConverter(7);
        PacketBatch datagrams = new PacketBatch(8, 256);
        PacketBatch out = new PacketBatch(4, 64);
        byte[][] seeds = {hex(Fixtures.PACKET_IPV4), hex(Fixtures.PACKET_IPV6), hex(Fixtures.ERROR_ENOENT_FOR_VERDICT)};
        for (int round = 0; round < 20_000; round++) {
            datagrams.clear();
            int n = 1 + random.nextInt(datagrams.capacity());
            for (int i = 0; i < n; i++) {
                byte[] seed = seeds[random.nextInt(seeds.length)];
                byte[] bytes = Arrays.copyOf(seed, random.nextInt(4) == 0 ? random.nextInt(seed.length + 1) : seed.length);
                for (int k = random.nextInt(3); k > 0 && bytes.length > 0; k--) {
                    bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
                }
                datagrams.slot(i).put(bytes);
                datagrams.commit(bytes.length, null, -1);
            }
            converter.start(datagrams);
            while (converter.hasPending()) {
                out.clear();
                assertDoesNotThrow(() -> converter.drain(out));
            }
            if (converter.verdictDue()) {
                converter.verdictSent();
            }
        }
        assertTrue(converter.packets() > 0);
    }
}
