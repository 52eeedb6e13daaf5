package org.alagg.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FrameAuthTest {

    private static final int H = FrameCodec.HEADER_LENGTH;
    private static final int T = FrameAuth.TAG_LENGTH;
    private static final HexFormat HEX = HexFormat.of();

    /** The key of docs/protocol.md, section 7, "Example": bytes 0x00..0x1f. */
    private static final byte[] KEY = range(0x00, 32);
    /** The example's payload: bytes 0xf0..0xff. */
    private static final byte[] PAYLOAD = range(0xF0, 16);

    // The expected values below were computed independently with Python 3's hmac and hashlib
    // from the text of section 7, not with this code.
    private static final int KEY_ID = 0x41;
    private static final String AUTH_KEY = "8e133cd4c98df60c9afda2b2c15c47319c783b09c67e6b53922401a60aa7c9a0";
    private static final String HEADER = "0101010100100311cafebabefffffffe0000002a";
    /** The Ethernet addresses the example frame travels between (docs/protocol.md section 7). */
    private static final byte[] DIGESTS = new byte[FrameAuth.DIGEST_LENGTH];
    private static final long SRC = 0x020000000101L;
    private static final long DST = 0x020000000102L;
    private static final String TAG = "410698a8e2b2e2f9d934618879dc2b891e";
    /** The same packet's copy on link 4 with link sequence 43. */
    private static final String HEADER_LINK_4 = "0101010100100411cafebabefffffffe0000002b";
    private static final String TAG_LINK_4 = "41e4ef065e87f257cac5bf4e93d9f1d070";

    // ---- the HMAC core against RFC 4231 ----

    static Stream<Arguments> rfc4231() {
        byte[] longKey = filled(0xAA, 131);
        return Stream.of(
                Arguments.of(1, filled(0x0B, 20), ascii("Hi There"),
                        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
                Arguments.of(2, ascii("Jefe"), ascii("what do ya want for nothing?"),
                        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
                Arguments.of(3, filled(0xAA, 20), filled(0xDD, 50),
                        "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
                Arguments.of(4, range(0x01, 25), filled(0xCD, 50),
                        "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
                Arguments.of(6, longKey, ascii("Test Using Larger Than Block-Size Key - Hash Key First"),
                        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
                Arguments.of(7, longKey, ascii("This is a test using a larger than block-size key and a larger than "
                                + "block-size data. The key needs to be hashed before being used by the HMAC algorithm."),
                        "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"));
    }

    @ParameterizedTest(name = "RFC 4231 test case {0}")
    @MethodSource("rfc4231")
    void hmacSha256MatchesRfc4231(int testCase, byte[] key, byte[] data, String expected) {
        assertEquals(expected, HEX.formatHex(FrameAuth.hmacSha256(key, data)));
    }

    // ---- the known-answer frame of docs/protocol.md, section 7 ----

    @Test
    void derivesTheSpecifiedAuthKeyAndKeyId() {
        assertEquals(AUTH_KEY, HEX.formatHex(FrameAuth.hmacSha256(KEY, FrameAuth.AUTH_KEY_LABEL)));
        assertEquals(KEY_ID, new FrameAuth(KEY).keyId());
    }

    @Test
    void signsTheExampleFrameOfTheSpec() {
        ByteBuffer frame = ByteBuffer.allocateDirect(H + PAYLOAD.length + T);
        FrameHeader header = exampleHeader();
        FrameCodec.encode(header, frame, 0);
        frame.put(H, PAYLOAD);
        FrameAuth auth = new FrameAuth(KEY);

        auth.digestPayload(frame, 0, PAYLOAD.length);
        auth.sign(frame, 0, PAYLOAD.length, SRC, DST);

        assertEquals(HEADER + HEX.formatHex(PAYLOAD) + TAG, hex(frame, 0, frame.capacity()));
        assertEquals(KEY_ID, FrameAuth.keyIdOf(frame, 0, PAYLOAD.length));
        FrameHeader received = new FrameHeader();
        assertEquals(Reject.NONE, FrameCodec.decode(frame, 0, frame.capacity(), received));
        assertEquals(T, received.authTagLength());
        assertTrue(new FrameAuth(KEY).verify(frame, 0, received.innerLength(), SRC, DST));
    }

    @Test
    void eachCopyOfOnePacketGetsItsOwnValidTagFromOnePayloadDigest() {
        ByteBuffer copy1 = ByteBuffer.allocateDirect(H + PAYLOAD.length + T);
        ByteBuffer copy2 = ByteBuffer.allocateDirect(H + PAYLOAD.length + T);
        FrameHeader header = exampleHeader();
        FrameCodec.encode(header, copy1, 0);
        copy1.put(H, PAYLOAD);
        copy2.put(H, PAYLOAD);
        FrameAuth sender = new FrameAuth(KEY);

        sender.digestPayload(copy1, 0, PAYLOAD.length);
        sender.sign(copy1, 0, PAYLOAD.length, SRC, DST);
        FrameCodec.encode(header.linkId(4).linkSequence(43), copy2, 0);
        sender.sign(copy2, 0, PAYLOAD.length, SRC, DST);

        assertEquals(HEADER + HEX.formatHex(PAYLOAD) + TAG, hex(copy1, 0, copy1.capacity()));
        assertEquals(HEADER_LINK_4 + HEX.formatHex(PAYLOAD) + TAG_LINK_4, hex(copy2, 0, copy2.capacity()));
        FrameAuth receiver = new FrameAuth(KEY);
        assertTrue(receiver.verify(copy1, 0, PAYLOAD.length, SRC, DST));
        assertTrue(receiver.verify(copy2, 0, PAYLOAD.length, SRC, DST));

        // a copy moved to the other link (its header rewritten, its tag kept) is refused
        copy2.put(H + PAYLOAD.length, copy1, H + PAYLOAD.length, T);
        assertFalse(receiver.verify(copy2, 0, PAYLOAD.length, SRC, DST));
    }

    // ---- what must fail ----

    @Test
    void changingAnyBitOfHeaderPayloadOrTagFailsVerification() {
        ByteBuffer frame = signedExample(ByteBuffer::allocateDirect, 0);
        FrameAuth receiver = new FrameAuth(KEY);
        assertTrue(receiver.verify(frame, 0, PAYLOAD.length, SRC, DST));
        for (int i = 0; i < frame.capacity(); i++) {
            byte original = frame.get(i);
            for (int bit = 0; bit < 8; bit++) {
                frame.put(i, (byte) (original ^ (1 << bit)));
                assertFalse(receiver.verify(frame, 0, PAYLOAD.length, SRC, DST), "byte " + i + " bit " + bit);
            }
            frame.put(i, (byte) ~original);
            assertFalse(receiver.verify(frame, 0, PAYLOAD.length, SRC, DST), "byte " + i + " inverted");
            frame.put(i, original);
        }
        assertTrue(receiver.verify(frame, 0, PAYLOAD.length, SRC, DST));
    }

    @Test
    void aFrameSentBackToItsSenderOrOntoAnotherLinkFailsVerification() {
        ByteBuffer frame = signedExample(ByteBuffer::allocateDirect, 0);
        FrameAuth receiver = new FrameAuth(KEY);
        assertTrue(receiver.verify(frame, 0, PAYLOAD.length, SRC, DST));
        assertFalse(receiver.verify(frame, 0, PAYLOAD.length, DST, SRC), "reflected to its sender");
        assertFalse(receiver.verify(frame, 0, PAYLOAD.length, SRC, 0x020000000202L), "replayed onto another link");
        assertFalse(receiver.verify(frame, 0, PAYLOAD.length, 0x020000000201L, DST), "from another host");
        for (int bit = 0; bit < 48; bit++) {
            assertFalse(receiver.verify(frame, 0, PAYLOAD.length, SRC ^ 1L << bit, DST), "source bit " + bit);
            assertFalse(receiver.verify(frame, 0, PAYLOAD.length, SRC, DST ^ 1L << bit), "destination bit " + bit);
        }
    }

    @Test
    void aFurtherCopyIsCheckedAgainstTheFirstCopysPayloadDigest() throws Exception {
        ByteBuffer frame = signedExample(ByteBuffer::allocateDirect, 0);
        FrameAuth receiver = new FrameAuth(KEY);
        assertTrue(receiver.verify(frame, 0, PAYLOAD.length, SRC, DST));
        byte[] digests = new byte[3 * FrameAuth.DIGEST_LENGTH];
        receiver.verifiedPayloadDigest(digests, FrameAuth.DIGEST_LENGTH);
        assertArrayEquals(java.security.MessageDigest.getInstance("SHA-256").digest(PAYLOAD),
                Arrays.copyOfRange(digests, FrameAuth.DIGEST_LENGTH, 2 * FrameAuth.DIGEST_LENGTH));
        assertTrue(receiver.verifyHeader(frame, 0, PAYLOAD.length, SRC, DST, digests, FrameAuth.DIGEST_LENGTH));

        frame.put(H, (byte) (frame.get(H) ^ 1)); // other payload bytes: the header check does not see them
        assertTrue(receiver.verifyHeader(frame, 0, PAYLOAD.length, SRC, DST, digests, FrameAuth.DIGEST_LENGTH));
        assertFalse(receiver.verify(frame, 0, PAYLOAD.length, SRC, DST), "verify does");
        frame.put(H, (byte) (frame.get(H) ^ 1));

        assertFalse(receiver.verifyHeader(frame, 0, PAYLOAD.length, SRC, DST, digests, 0), "another digest");
        assertFalse(receiver.verifyHeader(frame, 0, PAYLOAD.length, DST, SRC, digests, FrameAuth.DIGEST_LENGTH),
                "reflected");
        for (int bit = 0; bit < 8 * H; bit++) {
            frame.put(bit / 8, (byte) (frame.get(bit / 8) ^ 1 << bit % 8));
            assertFalse(receiver.verifyHeader(frame, 0, PAYLOAD.length, SRC, DST, digests, FrameAuth.DIGEST_LENGTH),
                    "header bit " + bit);
            frame.put(bit / 8, (byte) (frame.get(bit / 8) ^ 1 << bit % 8));
        }
        assertThrows(IndexOutOfBoundsException.class, () -> receiver.verifyHeader(frame, 0, PAYLOAD.length, SRC, DST,
                digests, 2 * FrameAuth.DIGEST_LENGTH + 1));
    }

    @Test
    void anotherKeyFailsEvenWithTheSameKeyId() {
        ByteBuffer frame = signedExample(ByteBuffer::allocateDirect, 0);

        byte[] other = KEY.clone();
        other[31] ^= 1;
        FrameAuth otherAuth = new FrameAuth(other);
        assertFalse(otherAuth.verify(frame, 0, PAYLOAD.length, SRC, DST));

        // about 1 key in 256 shares the id: the MAC still tells them apart
        FrameAuth sameId = null;
        for (int i = 0; sameId == null; i++) {
            byte[] candidate = KEY.clone();
            candidate[0] = (byte) i;
            candidate[1] = (byte) (i >>> 8);
            FrameAuth auth = new FrameAuth(candidate);
            if (auth.keyId() == KEY_ID && !Arrays.equals(candidate, KEY)) {
                sameId = auth;
            }
        }
        assertFalse(sameId.verify(frame, 0, PAYLOAD.length, SRC, DST));
    }

    @Test
    void framesWithoutTheSpecifiedTagAreRefused() {
        FrameAuth receiver = new FrameAuth(KEY);
        ByteBuffer frame = ByteBuffer.allocate(128);
        FrameCodec.encode(Frames.data(PAYLOAD.length), frame, 0); // no AUTH, no tag
        assertFalse(receiver.verify(frame, 0, PAYLOAD.length, SRC, DST));

        FrameCodec.encode(Frames.data(PAYLOAD.length).authTagLength(16), frame, 0); // a tag, but not ours
        assertFalse(receiver.verify(frame, 0, PAYLOAD.length, SRC, DST));

        ByteBuffer signed = signedExample(ByteBuffer::allocate, 0);
        assertFalse(receiver.verify(signed, 0, PAYLOAD.length - 1, SRC, DST), "inner length not the header's");
    }

    // ---- buffers ----

    static Stream<Arguments> buffers() {
        return Stream.of(
                Arguments.of("heap", (IntFunction<ByteBuffer>) ByteBuffer::allocate),
                Arguments.of("direct", (IntFunction<ByteBuffer>) ByteBuffer::allocateDirect),
                Arguments.of("heap slice", (IntFunction<ByteBuffer>) n -> ByteBuffer.allocate(n + 7).position(7).slice()),
                Arguments.of("little-endian direct",
                        (IntFunction<ByteBuffer>) n -> ByteBuffer.allocateDirect(n).order(ByteOrder.LITTLE_ENDIAN)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("buffers")
    void everyKindOfBufferGivesTheSameTag(String kind, IntFunction<ByteBuffer> allocate) {
        ByteBuffer frame = signedExample(allocate, 0);
        assertEquals(HEADER + HEX.formatHex(PAYLOAD) + TAG, hex(frame, 0, frame.capacity()));
        assertTrue(new FrameAuth(KEY).verify(frame, 0, PAYLOAD.length, SRC, DST));
        assertTrue(new FrameAuth(KEY).verify(frame.asReadOnlyBuffer(), 0, PAYLOAD.length, SRC, DST), "read-only view");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("buffers")
    void aLargePayloadHashesTheSameInEveryKindOfBuffer(String kind, IntFunction<ByteBuffer> allocate) {
        int inner = 9000; // longer than the copy chunk for buffers without an array
        byte[] payload = new byte[inner];
        for (int i = 0; i < inner; i++) {
            payload[i] = (byte) (i * 31 + 7);
        }
        ByteBuffer reference = ByteBuffer.allocate(H + inner + T);
        ByteBuffer frame = allocate.apply(H + inner + T);
        FrameAuth auth = new FrameAuth(KEY);
        for (ByteBuffer b : new ByteBuffer[] {reference, frame}) {
            FrameCodec.encode(Frames.data(inner).authTagLength(T), b, 0);
            b.put(H, payload);
            auth.digestPayload(b, 0, inner);
            auth.sign(b, 0, inner, SRC, DST);
        }
        assertEquals(hex(reference, H + inner, T), hex(frame, H + inner, T));
        assertTrue(auth.verify(frame, 0, inner, SRC, DST));
    }

    @Test
    void aFrameAtAnOffsetInsideALargerBufferLeavesEverythingElseAlone() {
        int offset = 14 + 333;
        ByteBuffer buf = ByteBuffer.allocateDirect(2048);
        for (int i = 0; i < buf.capacity(); i++) {
            buf.put(i, (byte) 0xA5);
        }
        buf.position(5).limit(1900);
        FrameCodec.encode(exampleHeader(), buf, offset);
        buf.put(offset + H, PAYLOAD);
        FrameAuth auth = new FrameAuth(KEY);

        auth.digestPayload(buf, offset, PAYLOAD.length);
        auth.sign(buf, offset, PAYLOAD.length, SRC, DST);

        assertEquals(HEADER + HEX.formatHex(PAYLOAD) + TAG, hex(buf, offset, H + PAYLOAD.length + T));
        assertTrue(new FrameAuth(KEY).verify(buf, offset, PAYLOAD.length, SRC, DST));
        assertEquals(KEY_ID, FrameAuth.keyIdOf(buf, offset, PAYLOAD.length));
        assertEquals(5, buf.position());
        assertEquals(1900, buf.limit());
        for (int i = 0; i < buf.limit(); i++) {
            if (i < offset || i >= offset + H + PAYLOAD.length + T) {
                assertEquals((byte) 0xA5, buf.get(i), "byte " + i);
            }
        }
    }

    @Test
    void aProbeWithAChallengeIsSignedAndVerifiedLikeData() {
        FrameHeader probe = Frames.of(FrameType.PROBE)
                .innerLength(ProbeBody.CHALLENGE_BODY_LENGTH)
                .authTagLength(T);
        ByteBuffer frame = ByteBuffer.allocateDirect(probe.frameLength());
        FrameCodec.encode(probe, frame, 0);
        ProbeBody.write(frame, H, 123, 7);
        ProbeBody.writeChallenge(frame, H, range(0x60, ProbeBody.CHALLENGE_LENGTH));
        FrameAuth auth = new FrameAuth(KEY);
        auth.digestPayload(frame, 0, probe.innerLength());
        auth.sign(frame, 0, probe.innerLength(), SRC, DST);

        FrameHeader received = new FrameHeader();
        assertEquals(Reject.NONE, FrameCodec.decode(frame, 0, frame.capacity(), received));
        assertTrue(new FrameAuth(KEY).verify(frame, 0, received.innerLength(), SRC, DST));
        frame.put(H + 12, (byte) (frame.get(H + 12) ^ 0x80)); // another challenge
        assertFalse(new FrameAuth(KEY).verify(frame, 0, received.innerLength(), SRC, DST));
    }

    @Test
    void verifyingInBetweenDoesNotDisturbTheSendersPayloadDigest() {
        ByteBuffer received = signedExample(ByteBuffer::allocateDirect, 0);
        ByteBuffer sending = ByteBuffer.allocateDirect(H + PAYLOAD.length + T);
        FrameCodec.encode(exampleHeader(), sending, 0);
        sending.put(H, PAYLOAD);
        FrameAuth auth = new FrameAuth(KEY);

        auth.digestPayload(sending, 0, PAYLOAD.length);
        ByteBuffer other = signedExample(ByteBuffer::allocateDirect, 0);
        other.put(H, (byte) 0); // another payload, verified (and refused) on the same instance
        assertFalse(auth.verify(other, 0, PAYLOAD.length, SRC, DST));
        assertTrue(auth.verify(received, 0, PAYLOAD.length, SRC, DST));
        auth.sign(sending, 0, PAYLOAD.length, SRC, DST);

        assertEquals(TAG, hex(sending, H + PAYLOAD.length, T));
    }

    // ---- misuse ----

    @Test
    void misuseIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new FrameAuth(new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> new FrameAuth(new byte[33]));
        assertThrows(NullPointerException.class, () -> new FrameAuth(null));

        FrameAuth auth = new FrameAuth(KEY);
        ByteBuffer frame = ByteBuffer.allocate(H + PAYLOAD.length + T);
        FrameCodec.encode(exampleHeader(), frame, 0);
        assertThrows(IllegalStateException.class, () -> auth.sign(frame, 0, PAYLOAD.length, SRC, DST), "no payload digest");
        auth.digestPayload(frame, 0, PAYLOAD.length - 1);
        assertThrows(IllegalStateException.class, () -> auth.sign(frame, 0, PAYLOAD.length, SRC, DST), "digest of another length");

        ByteBuffer untagged = ByteBuffer.allocate(H + PAYLOAD.length + T);
        FrameCodec.encode(Frames.data(PAYLOAD.length), untagged, 0);
        auth.digestPayload(untagged, 0, PAYLOAD.length);
        assertThrows(IllegalStateException.class, () -> auth.sign(untagged, 0, PAYLOAD.length, SRC, DST), "header without AUTH");

        ByteBuffer small = ByteBuffer.allocate(H + PAYLOAD.length + T - 1);
        FrameCodec.encode(exampleHeader(), small, 0);
        auth.digestPayload(small, 0, PAYLOAD.length);
        assertThrows(IndexOutOfBoundsException.class, () -> auth.sign(small, 0, PAYLOAD.length, SRC, DST), "no room for the tag");
        assertThrows(IndexOutOfBoundsException.class, () -> auth.verify(small, 0, PAYLOAD.length, SRC, DST), "decode would refuse");
    }

    @Test
    void signingAndVerifyingAllocateNothingPerFrame() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        int inner = 1400;
        ByteBuffer direct = ByteBuffer.allocateDirect(14 + H + inner + T);
        ByteBuffer heap = ByteBuffer.allocate(14 + H + inner + T);
        FrameHeader header = Frames.data(inner).authTagLength(T);
        FrameAuth sender = new FrameAuth(KEY);
        FrameAuth receiver = new FrameAuth(KEY);
        int frames = 20_000;
        assertEquals(2L * frames, loop(direct, heap, header, sender, receiver, frames)); // warm up
        long before = threads.getCurrentThreadAllocatedBytes();
        long verified = loop(direct, heap, header, sender, receiver, frames);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertEquals(2L * frames, verified);
        assertTrue(allocated < 1024, allocated + " bytes allocated for " + frames + " frames");
    }

    private static long loop(ByteBuffer direct, ByteBuffer heap, FrameHeader header, FrameAuth sender,
                             FrameAuth receiver, int frames) {
        long verified = 0;
        int inner = header.innerLength();
        for (int i = 0; i < frames; i++) {
            header.globalSequence(i).linkSequence(i).linkId(1);
            FrameCodec.encode(header, direct, 14);
            direct.put(14 + H, (byte) i);
            sender.digestPayload(direct, 14, inner);
            sender.sign(direct, 14, inner, SRC, DST);
            header.linkId(2);
            FrameCodec.encode(header, heap, 14);
            heap.put(14 + H, (byte) i);
            sender.sign(heap, 14, inner, SRC, DST);
            verified += receiver.verify(direct, 14, inner, SRC, DST) ? 1 : 0;
            verified += receiver.verify(heap, 14, inner, SRC, DST) ? 1 : 0;
            verified += receiver.verify(heap, 14, inner - 1, SRC, DST) ? 1 : 0; // refused without hashing
            receiver.verifiedPayloadDigest(DIGESTS, 0);
            verified += receiver.verifyHeader(direct, 14, inner, SRC, DST, DIGESTS, 0) ? 0 : 1;
        }
        return verified;
    }

    // ---- helpers ----

    /** DATA, IPv4, inner 16, link 3, tag 17, epoch cafebabe, global fffffffe, link sequence 42. */
    private static FrameHeader exampleHeader() {
        return Frames.data(PAYLOAD.length).authTagLength(T);
    }

    private static ByteBuffer signedExample(IntFunction<ByteBuffer> allocate, int offset) {
        ByteBuffer frame = allocate.apply(offset + H + PAYLOAD.length + T);
        FrameCodec.encode(exampleHeader(), frame, offset);
        frame.put(offset + H, PAYLOAD);
        FrameAuth auth = new FrameAuth(KEY);
        auth.digestPayload(frame, offset, PAYLOAD.length);
        auth.sign(frame, offset, PAYLOAD.length, SRC, DST);
        return frame;
    }

    private static String hex(ByteBuffer b, int offset, int length) {
        byte[] bytes = new byte[length];
        b.get(offset, bytes);
        return HEX.formatHex(bytes);
    }

    private static byte[] range(int first, int count) {
        byte[] b = new byte[count];
        for (int i = 0; i < count; i++) {
            b[i] = (byte) (first + i);
        }
        return b;
    }

    private static byte[] filled(int value, int count) {
        byte[] b = new byte[count];
        Arrays.fill(b, (byte) value);
        return b;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
