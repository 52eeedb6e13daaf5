package org.alagg.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;

/**
 * Coverage-guided fuzzing of {@link FrameCodec#decode} (docs/fuzzing.md): arbitrary bytes at arbitrary offsets in
 * every kind of buffer. In a normal test run this replays the inputs under
 * {@code src/test/resources/org/alagg/protocol/FrameCodecFuzzTestInputs/decodeArbitraryBytes}; with
 * {@code JAZZER_FUZZ=1} Jazzer generates new ones.
 */
class FrameCodecFuzzTest {
    private static final int H = FrameCodec.HEADER_LENGTH;

    /**
     * Decoding never throws and never writes; it rejects exactly what the receiver rules of docs/protocol.md
     * section 6 reject, for the first reason in their order; an accepted header holds the fields at their offsets
     * and re-encodes to the very same 20 bytes; a rejected one leaves the caller's header alone.
     *
     * @param input {@code kind, offset, tail}, then the frame (see {@link FuzzBuffers#lay(byte[])})
     */
    @FuzzTest(maxDuration = "2m")
    void decodeArbitraryBytes(byte[] input) {
        FuzzBuffers.Laid laid = FuzzBuffers.lay(input);
        FrameHeader into = sentinel();
        String untouched = into.toString();

        Reject reject = FrameCodec.decode(laid.buffer, laid.offset, laid.length, into);

        laid.assertUntouched();
        Reject expected = Spec.reject(laid.frame);
        assertEquals(expected, reject, "the receiver rules of section 6, in their order");
        if (reject != Reject.NONE) {
            assertEquals(untouched, into.toString(), "a rejected frame leaves the header alone");
            return;
        }
        Spec.assertFields(laid.frame, into);
        assertTrue(into.frameLength() <= laid.length, "the frame lies within what was received");
        ByteBuffer again = ByteBuffer.allocate(H);
        FrameCodec.encode(into, again, 0);
        assertEquals(ByteBuffer.wrap(laid.frame, 0, H), again, "re-encodes to the same header bytes");
    }

    /** A header no decode produces from these inputs unless it writes into it. */
    private static FrameHeader sentinel() {
        return new FrameHeader().frameType(FrameType.PROBE_REPLY).payloadProtocol(PayloadProtocol.ETHERNET)
                .innerLength(0xFFFF).linkId(0xFF).authTagLength(0xFF).epoch(0x5EA7CAFE).globalSequence(-7)
                .linkSequence(-9);
    }

    /** docs/protocol.md read on its own, not through the codec: the oracle. */
    static final class Spec {
        private Spec() {
        }

        /** Section 6's table, rule by rule, in order. */
        static Reject reject(byte[] f) {
            if (f.length < 20) {
                return Reject.TRUNCATED;
            }
            if (u8(f, 0) != 1) {
                return Reject.BAD_VERSION;
            }
            int type = u8(f, 1);
            if (type < 1 || type > 4) {
                return Reject.UNKNOWN_FRAME_TYPE;
            }
            int flags = u8(f, 2);
            if ((flags & 0xFE) != 0) {
                return Reject.RESERVED_FLAGS;
            }
            int protocol = u8(f, 3);
            if (protocol > 3) {
                return Reject.UNKNOWN_PAYLOAD_PROTOCOL;
            }
            int tag = u8(f, 7);
            if (((flags & 1) != 0) != (tag != 0)) {
                return Reject.AUTH_FLAG_MISMATCH;
            }
            int inner = u8(f, 4) << 8 | u8(f, 5);
            if (20 + inner + tag > f.length) {
                return Reject.INNER_LENGTH_OVERFLOW;
            }
            boolean data = type == 1;
            if (data == (protocol == 0)) {
                return Reject.PAYLOAD_PROTOCOL_MISMATCH;
            }
            if (inner < (data ? 1 : type == 4 ? 8 : 12)) {
                return Reject.SHORT_PAYLOAD;
            }
            return Reject.NONE;
        }

        /** Section 2's offsets. */
        static void assertFields(byte[] f, FrameHeader h) {
            assertEquals(u8(f, 1), h.frameType().code(), "frame type");
            assertEquals(u8(f, 3), h.payloadProtocol().code(), "payload protocol");
            assertEquals(u8(f, 4) << 8 | u8(f, 5), h.innerLength(), "inner length");
            assertEquals(u8(f, 6), h.linkId(), "link id");
            assertEquals(u8(f, 7), h.authTagLength(), "auth tag length");
            assertEquals(u32(f, 8), h.epoch(), "epoch");
            assertEquals(u32(f, 12), h.globalSequence(), "global sequence");
            assertEquals(u32(f, 16), h.linkSequence(), "link sequence");
        }

        static int u8(byte[] f, int i) {
            return f[i] & 0xFF;
        }

        static int u32(byte[] f, int i) {
            return u8(f, i) << 24 | u8(f, i + 1) << 16 | u8(f, i + 2) << 8 | u8(f, i + 3);
        }
    }
}
