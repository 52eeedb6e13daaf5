package org.alagg.protocol;

import static org.alagg.protocol.Frames.assertSameHeader;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class FrameCodecTest {

    private static final int H = FrameCodec.HEADER_LENGTH;

    @ParameterizedTest
    @EnumSource(FrameType.class)
    void everyFrameTypeRoundTrips(FrameType type) {
        FrameHeader sent = Frames.of(type);
        ByteBuffer buf = ByteBuffer.allocateDirect(sent.frameLength());
        assertEquals(H, FrameCodec.encode(sent, buf, 0));

        FrameHeader received = new FrameHeader();
        assertEquals(Reject.NONE, FrameCodec.decode(buf, 0, buf.capacity(), received));
        assertSameHeader(sent, received);
    }

    @Test
    void wireBytesMatchTheSpecifiedLayout() {
        FrameHeader h = Frames.data(0x05DC).authTagLength(16);
        ByteBuffer buf = ByteBuffer.allocate(H);
        FrameCodec.encode(h, buf, 0);
        // docs/protocol.md, "Example": version 1, DATA, AUTH, IPv4, inner 1500, link 3,
        // tag 16, epoch cafebabe, global sequence fffffffe, link sequence 42
        assertEquals("01010101" + "05dc0310" + "cafebabe" + "fffffffe" + "0000002a",
                HexFormat.of().formatHex(buf.array()));
    }

    @Test
    void decodesAtANonZeroOffsetInsideALargerBuffer() {
        ByteBuffer buf = ByteBuffer.allocateDirect(2048);
        for (int i = 0; i < buf.capacity(); i++) {
            buf.put(i, (byte) 0xA5); // garbage before and after the frame
        }
        int offset = 14 + 333;
        FrameHeader sent = Frames.data(100);
        FrameCodec.encode(sent, buf, offset);

        FrameHeader received = new FrameHeader();
        assertEquals(Reject.NONE, FrameCodec.decode(buf, offset, sent.frameLength(), received));
        assertSameHeader(sent, received);
        assertEquals(Reject.INNER_LENGTH_OVERFLOW,
                FrameCodec.decode(buf, offset, sent.frameLength() - 1, received));
    }

    @Test
    void ethernetPaddingIsCutOffByTheInnerLength() {
        // the smallest Ethernet frame is 60 bytes: 14 header + 20 Alagg + 8 inner + 18 padding
        byte[] inner = {0x45, 0, 0, 8, 1, 2, 3, 4};
        ByteBuffer ethernet = ByteBuffer.allocateDirect(60);
        FrameCodec.encode(Frames.data(inner.length), ethernet, 14);
        ethernet.put(14 + H, inner);

        FrameHeader received = new FrameHeader();
        assertEquals(Reject.NONE, FrameCodec.decode(ethernet, 14, 60 - 14, received));
        assertEquals(inner.length, received.innerLength());
        byte[] recovered = new byte[received.innerLength()];
        ethernet.get(14 + H, recovered);
        assertArrayEquals(inner, recovered);
    }

    @Test
    void authTagTrailsThePayload() {
        FrameHeader sent = Frames.data(64).authTagLength(32);
        assertEquals(H + 64 + 32, sent.frameLength());
        ByteBuffer buf = ByteBuffer.allocateDirect(sent.frameLength());
        FrameCodec.encode(sent, buf, 0);
        assertEquals(FrameCodec.FLAG_AUTH, buf.get(FrameCodec.OFFSET_FLAGS));

        FrameHeader received = new FrameHeader();
        assertEquals(Reject.NONE, FrameCodec.decode(buf, 0, buf.capacity(), received));
        assertEquals(32, received.authTagLength());
        assertEquals(Reject.INNER_LENGTH_OVERFLOW, FrameCodec.decode(buf, 0, buf.capacity() - 1, received));
    }

    static Stream<Arguments> hostileFrames() {
        return Stream.of(
                hostile("empty", 0, b -> { }, Reject.TRUNCATED),
                hostile("one byte short of a header", H - 1, b -> { }, Reject.TRUNCATED),
                hostile("version 0", 64, b -> b.put(0, (byte) 0), Reject.BAD_VERSION),
                hostile("version 2", 64, b -> b.put(0, (byte) 2), Reject.BAD_VERSION),
                hostile("version 255", 64, b -> b.put(0, (byte) 0xFF), Reject.BAD_VERSION),
                hostile("frame type 0", 64, b -> b.put(1, (byte) 0), Reject.UNKNOWN_FRAME_TYPE),
                hostile("frame type 5", 64, b -> b.put(1, (byte) 5), Reject.UNKNOWN_FRAME_TYPE),
                hostile("PARITY carrying a packet protocol", 64, b -> b.put(1, (byte) 4), Reject.PAYLOAD_PROTOCOL_MISMATCH),
                hostile("PARITY shorter than its group header and a symbol", 64,
                        b -> { b.put(1, (byte) 4); b.put(3, (byte) 0); b.putShort(4, (short) 7); }, Reject.SHORT_PAYLOAD),
                hostile("frame type 255", 64, b -> b.put(1, (byte) 0xFF), Reject.UNKNOWN_FRAME_TYPE),
                hostile("flag 0x02", 64, b -> b.put(2, (byte) 0x02), Reject.RESERVED_FLAGS),
                hostile("flag 0x80", 64, b -> b.put(2, (byte) 0x80), Reject.RESERVED_FLAGS),
                hostile("payload protocol 4", 64, b -> b.put(3, (byte) 4), Reject.UNKNOWN_PAYLOAD_PROTOCOL),
                hostile("payload protocol 255", 64, b -> b.put(3, (byte) 0xFF), Reject.UNKNOWN_PAYLOAD_PROTOCOL),
                hostile("AUTH flag without tag length", 64, b -> b.put(2, (byte) 1), Reject.AUTH_FLAG_MISMATCH),
                hostile("tag length without AUTH flag", 64, b -> b.put(7, (byte) 16), Reject.AUTH_FLAG_MISMATCH),
                hostile("inner length one past the frame", 64, b -> b.putShort(4, (short) 45),
                        Reject.INNER_LENGTH_OVERFLOW),
                hostile("inner length 0xFFFF", 64, b -> b.putShort(4, (short) 0xFFFF),
                        Reject.INNER_LENGTH_OVERFLOW),
                hostile("auth tag past the frame", 64, b -> b.put(2, (byte) 1).put(7, (byte) 5),
                        Reject.INNER_LENGTH_OVERFLOW),
                hostile("DATA without a payload protocol", 64, b -> b.put(3, (byte) 0),
                        Reject.PAYLOAD_PROTOCOL_MISMATCH),
                hostile("PROBE with a payload protocol", 64, b -> b.put(1, (byte) 2),
                        Reject.PAYLOAD_PROTOCOL_MISMATCH),
                hostile("empty DATA", 64, b -> b.putShort(4, (short) 0), Reject.SHORT_PAYLOAD),
                hostile("PROBE body one byte short", 64,
                        b -> b.put(1, (byte) 2).put(3, (byte) 0).putShort(4, (short) (ProbeBody.LENGTH - 1)),
                        Reject.SHORT_PAYLOAD),
                hostile("PROBE_REPLY with empty body", 64,
                        b -> b.put(1, (byte) 3).put(3, (byte) 0).putShort(4, (short) 0),
                        Reject.SHORT_PAYLOAD),
                hostile("several faults: the first checked is named", 64,
                        b -> b.put(0, (byte) 9).put(1, (byte) 9).put(2, (byte) 0xFF), Reject.BAD_VERSION),
                hostile("all zeros", 64, b -> b.put(0, new byte[64]), Reject.BAD_VERSION),
                hostile("all ones", 64, b -> b.put(0, filled(64, 0xFF)), Reject.BAD_VERSION));
    }

    /** A valid 64-byte DATA frame (44 inner bytes), mutated, of which {@code length} bytes are received. */
    private static Arguments hostile(String name, int length, Consumer<ByteBuffer> mutation, Reject expected) {
        ByteBuffer valid = ByteBuffer.allocateDirect(64);
        FrameCodec.encode(Frames.data(64 - H), valid, 0);
        mutation.accept(valid);
        return Arguments.of(name, valid, length, expected);
    }

    private static byte[] filled(int length, int value) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) value);
        return b;
    }

    @ParameterizedTest(name = "{0} -> {3}")
    @MethodSource("hostileFrames")
    void hostileFramesAreRejectedWithTheirReason(String name, ByteBuffer frame, int length, Reject expected) {
        FrameHeader into = Frames.of(FrameType.PROBE);
        String before = into.toString();
        assertEquals(expected, FrameCodec.decode(frame, 0, length, into), name);
        assertEquals(before, into.toString(), "a rejected frame leaves the header untouched");
    }

    @Test
    void everyRejectReasonIsTestedAndHasAStableLowerCaseCounterName() {
        Set<Reject> tested = new HashSet<>();
        hostileFrames().forEach(a -> tested.add((Reject) a.get()[3]));
        Set<String> names = new HashSet<>();
        for (Reject r : Reject.values()) {
            assertTrue(r.counterName().matches("[a-z_]+"), r.counterName());
            assertTrue(names.add(r.counterName()), "unique " + r.counterName());
            assertTrue(r == Reject.NONE || tested.contains(r), "hostile case for " + r);
        }
        assertEquals("truncated", Reject.TRUNCATED.counterName());
        assertEquals("bad_version", Reject.BAD_VERSION.counterName());
    }

    @Test
    void theBuffersByteOrderDoesNotChangeTheWire() {
        FrameHeader sent = Frames.data(300).authTagLength(8);
        ByteBuffer big = ByteBuffer.allocate(sent.frameLength());
        ByteBuffer little = ByteBuffer.allocate(sent.frameLength()).order(ByteOrder.LITTLE_ENDIAN);
        FrameCodec.encode(sent, big, 0);
        FrameCodec.encode(sent, little, 0);
        assertArrayEquals(big.array(), little.array());

        FrameHeader received = new FrameHeader();
        assertEquals(Reject.NONE, FrameCodec.decode(little, 0, sent.frameLength(), received));
        assertSameHeader(sent, received);
    }

    @Test
    void positionAndLimitAreLeftAlone() {
        ByteBuffer buf = ByteBuffer.allocateDirect(128).position(7).limit(100);
        FrameCodec.encode(Frames.data(10), buf, 50);
        FrameCodec.decode(buf, 50, 50, new FrameHeader());
        assertEquals(7, buf.position());
        assertEquals(100, buf.limit());
    }

    @Test
    void theCallersBoundsAreCheckedAgainstTheLimit() {
        ByteBuffer buf = ByteBuffer.allocateDirect(64).limit(40);
        FrameHeader h = new FrameHeader();
        assertThrows(IndexOutOfBoundsException.class, () -> FrameCodec.decode(buf, 30, 20, h));
        assertThrows(IndexOutOfBoundsException.class, () -> FrameCodec.decode(buf, -1, 20, h));
        assertThrows(IndexOutOfBoundsException.class, () -> FrameCodec.decode(buf, 0, -1, h));
        assertThrows(IndexOutOfBoundsException.class, () -> FrameCodec.encode(Frames.data(1), buf, 21));
        assertEquals(0, buf.get(21), "nothing written before the bounds check");
    }

    @Test
    void encodeRefusesWhatAPeerWouldReject() {
        ByteBuffer buf = ByteBuffer.allocate(64);
        assertThrows(IllegalStateException.class, () -> FrameCodec.encode(new FrameHeader(), buf, 0));
        assertThrows(IllegalStateException.class,
                () -> FrameCodec.encode(Frames.data(10).payloadProtocol(PayloadProtocol.NONE), buf, 0));
        assertThrows(IllegalStateException.class, () -> FrameCodec.encode(Frames.data(0), buf, 0));
        assertThrows(IllegalStateException.class,
                () -> FrameCodec.encode(Frames.of(FrameType.PROBE).innerLength(ProbeBody.LENGTH - 1), buf, 0));
        assertThrows(IllegalStateException.class,
                () -> FrameCodec.encode(Frames.of(FrameType.PROBE_REPLY).payloadProtocol(PayloadProtocol.ETHERNET),
                        buf, 0));
    }

    @Test
    void headerFieldsAreRangeChecked() {
        FrameHeader h = new FrameHeader();
        assertThrows(IllegalArgumentException.class, () -> h.innerLength(FrameHeader.MAX_INNER_LENGTH + 1));
        assertThrows(IllegalArgumentException.class, () -> h.innerLength(-1));
        assertThrows(IllegalArgumentException.class, () -> h.linkId(FrameHeader.MAX_LINK_ID + 1));
        assertThrows(IllegalArgumentException.class, () -> h.authTagLength(FrameHeader.MAX_AUTH_TAG_LENGTH + 1));
        assertThrows(NullPointerException.class, () -> h.frameType(null));
        assertThrows(NullPointerException.class, () -> h.payloadProtocol(null));
    }

    @Test
    void encodeAndDecodeAllocateNothingPerFrame() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        ByteBuffer buf = ByteBuffer.allocateDirect(256);
        FrameHeader out = Frames.data(100);
        FrameHeader in = new FrameHeader();
        int frames = 200_000;
        assertEquals(2L * frames, loop(buf, out, in, frames)); // warm up: class loading, JIT
        long before = threads.getCurrentThreadAllocatedBytes();
        long accepted = loop(buf, out, in, frames);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertEquals(2L * frames, accepted);
        // one object per frame would be megabytes; allow for the measurement itself
        assertTrue(allocated < 1024, allocated + " bytes allocated for " + frames + " frames");
    }

    private static long loop(ByteBuffer buf, FrameHeader out, FrameHeader in, int frames) {
        long accepted = 0;
        for (int i = 0; i < frames; i++) {
            out.globalSequence(Sequence.next(out.globalSequence()));
            FrameCodec.encode(out, buf, 14);
            if (FrameCodec.decode(buf, 14, 120, in) == Reject.NONE && in.globalSequence() == out.globalSequence()) {
                accepted++;
            }
            ProbeBody.write(buf, 14 + H, i, i);
            accepted += ProbeBody.probeId(buf, 14 + H) == i && ProbeBody.sentNanos(buf, 14 + H) == i ? 0 : -1;
            if (FrameCodec.decode(buf, 14, 10, in) == Reject.TRUNCATED) {
                accepted++;
            }
        }
        return accepted;
    }
}
