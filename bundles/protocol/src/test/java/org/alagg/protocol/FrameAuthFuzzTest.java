package org.alagg.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * Coverage-guided fuzzing of {@link FrameAuth#verify} with a fixed key (docs/fuzzing.md). The oracle is section 7 of
 * docs/protocol.md computed with the JDK's own HMAC ({@link Mac}), not with {@code FrameAuth}: a frame verifies
 * exactly when it announces a 17-byte tag and carries the tag the key makes over its header, the two Ethernet
 * addresses in their order and its payload.
 *
 * <p>In a normal test run this replays the inputs under
 * {@code src/test/resources/org/alagg/protocol/FrameAuthFuzzTestInputs/<method>}; with {@code JAZZER_FUZZ=1}
 * Jazzer generates new ones.
 */
class FrameAuthFuzzTest {
    private static final int H = FrameCodec.HEADER_LENGTH;
    private static final int T = FrameAuth.TAG_LENGTH;

    /** The fixed key: docs/protocol.md section 7's example, 0x00..0x1f. */
    static final byte[] KEY = range(0, 32);
    /** Another key whose frames carry the same key id: only the MAC tells them apart. */
    static final byte[] SAME_ID = sameKeyId(KEY);
    /** Another key, another id. */
    static final byte[] OTHER = range(0x80, 32);

    private static final byte[][] KEYS = {KEY, SAME_ID, OTHER};
    /** One authenticator per key, reused across inputs as a receiver reuses its own. */
    private static final FrameAuth[] RECEIVERS = {new FrameAuth(KEY), new FrameAuth(SAME_ID), new FrameAuth(OTHER)};
    private static final FrameAuth SIGNER = new FrameAuth(KEY);
    /** The addresses of docs/protocol.md section 7's example: the frames of the first test go from A to B. */
    static final long A = 0x020000000101L;
    static final long B = 0x020000000102L;

    /**
     * Any frame the codec accepts, at any offset in any kind of buffer: verify never throws, never writes, and says
     * true under a key exactly when the oracle does: never for a frame that key did not sign, between these addresses
     * in this order (checked from A to B, and back).
     *
     * @param input {@code kind, offset, tail}, then the frame (see {@link FuzzBuffers#lay(byte[])})
     */
    @FuzzTest(maxDuration = "2m")
    void verifyArbitraryFrames(byte[] input) {
        FuzzBuffers.Laid laid = FuzzBuffers.lay(input);
        FrameHeader header = new FrameHeader();
        if (FrameCodec.decode(laid.buffer, laid.offset, laid.length, header) != Reject.NONE) {
            return; // verify is for frames decode accepted; a receiver drops the others first
        }
        checkAgainstOracle(laid, header.innerLength(), A, B);
        checkAgainstOracle(laid, header.innerLength(), B, A);
        laid.assertUntouched();
    }

    /**
     * A frame with fuzzer-chosen fields, payload and addresses, signed by {@link FrameAuth#sign}, then changed at
     * fuzzer-chosen bytes: it verifies under the key, and only under it, between its two addresses in their order
     * only, exactly as long as no byte from its header to the end of its tag changed (bytes after the tag are Ethernet
     * padding and do not matter).
     */
    @FuzzTest(maxDuration = "2m")
    void verifyMutatedSignedFrames(FuzzedDataProvider data) {
        FrameType type = data.pickValue(FrameType.values());
        PayloadProtocol protocol = type == FrameType.DATA
                ? data.pickValue(new PayloadProtocol[] {PayloadProtocol.IPV4, PayloadProtocol.IPV6, PayloadProtocol.ETHERNET})
                : PayloadProtocol.NONE;
        int inner = data.consumeInt(type == FrameType.DATA ? 1 : ProbeBody.LENGTH, 3000);
        FrameHeader header = new FrameHeader().frameType(type).payloadProtocol(protocol).innerLength(inner)
                .linkId(data.consumeInt(0, 255)).authTagLength(T).epoch(data.consumeInt())
                .globalSequence(data.consumeInt()).linkSequence(data.consumeInt());
        int kind = data.consumeInt(0, FuzzBuffers.KINDS - 1);
        int offset = data.consumeInt(0, 63);
        int padding = data.consumeInt(0, 63);
        int mutations = data.consumeInt(0, 8);
        long source = data.consumeLong() & 0xFFFF_FFFF_FFFFL;
        long destination = data.consumeLong() & 0xFFFF_FFFF_FFFFL;
        long oneBit = 1L << data.consumeInt(0, 47); // another address is one bit away
        byte[] frame = new byte[header.frameLength()];
        ByteBuffer wrapped = ByteBuffer.wrap(frame);
        FrameCodec.encode(header, wrapped, 0);
        byte[] payload = data.consumeBytes(inner);
        System.arraycopy(payload, 0, frame, H, payload.length); // the rest stays 0
        SIGNER.digestPayload(wrapped, 0, inner);
        SIGNER.sign(wrapped, 0, inner, source, destination);
        assertArrayEquals(Oracle.tag(KEY, frame, 0, inner, source, destination),
                Arrays.copyOfRange(frame, H + inner, H + inner + T), "sign writes the tag of section 7");

        FuzzBuffers.Laid signed = FuzzBuffers.lay(kind, offset, frame, padding);
        assertTrue(RECEIVERS[0].verify(signed.buffer, offset, inner, source, destination), "the signed frame verifies");
        assertFalse(RECEIVERS[1].verify(signed.buffer, offset, inner, source, destination),
                "not under another key with the same id");
        assertFalse(RECEIVERS[2].verify(signed.buffer, offset, inner, source, destination), "not under another key");
        assertFalse(inner > 0 && RECEIVERS[0].verify(signed.buffer, offset, inner - 1, source, destination),
                "not with another inner length");
        assertEquals(source == destination, RECEIVERS[0].verify(signed.buffer, offset, inner, destination, source),
                "not sent back the other way");
        assertFalse(RECEIVERS[0].verify(signed.buffer, offset, inner, source, destination ^ oneBit),
                "not to another address");
        assertFalse(RECEIVERS[0].verify(signed.buffer, offset, inner, source ^ oneBit, destination),
                "not from another address");
        signed.assertUntouched();

        byte[] changed = new byte[offset + frame.length + padding];
        Arrays.fill(changed, FuzzBuffers.FILL);
        System.arraycopy(frame, 0, changed, offset, frame.length);
        for (int i = 0; i < mutations; i++) {
            changed[data.consumeInt(0, changed.length - 1)] ^= (byte) data.consumeInt(1, 255);
        }
        byte[] changedFrame = Arrays.copyOfRange(changed, offset, changed.length);
        FuzzBuffers.Laid laid = FuzzBuffers.lay(kind, offset, changedFrame, 0);
        boolean intact = Arrays.equals(changed, offset, offset + frame.length, frame, 0, frame.length);
        FrameHeader decoded = new FrameHeader();
        if (FrameCodec.decode(laid.buffer, offset, changedFrame.length, decoded) != Reject.NONE) {
            assertFalse(intact, "the signed frame itself decodes");
            return;
        }
        boolean verified = checkAgainstOracle(laid, decoded.innerLength(), source, destination);
        assertEquals(intact, verified, intact ? "only padding changed: still authentic" : "a changed frame is refused");
        laid.assertUntouched();
    }

    /**
     * Each receiver's verdict on a frame between these addresses is the oracle's, and verify never throws on a decoded
     * frame. Returns the key's.
     */
    private static boolean checkAgainstOracle(FuzzBuffers.Laid laid, int inner, long source, long destination) {
        boolean[] verdicts = new boolean[KEYS.length];
        for (int k = 0; k < KEYS.length; k++) {
            verdicts[k] = RECEIVERS[k].verify(laid.buffer, laid.offset, inner, source, destination);
            assertEquals(Oracle.verifies(KEYS[k], laid.frame, inner, source, destination), verdicts[k],
                    "verify under key " + k);
        }
        if (laid.frame[7] == T) {
            assertEquals(laid.frame[H + inner] & 0xFF, FrameAuth.keyIdOf(laid.buffer, laid.offset, inner), "key id");
        }
        return verdicts[0];
    }

    /** The oracle itself gives the tags of docs/protocol.md section 7's example, both ways. */
    @Test
    void oracleMakesTheExampleTagsOfTheSpec() {
        HexFormat hex = HexFormat.of();
        byte[] frame = hex.parseHex("0101010100100311cafebabefffffffe0000002a" + "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
        assertEquals("410698a8e2b2e2f9d934618879dc2b891e", hex.formatHex(Oracle.tag(KEY, frame, 0, 16, A, B)));
        assertEquals("4138910b6853177cafe5a78244c674b914", hex.formatHex(Oracle.tag(KEY, frame, 0, 16, B, A)));
    }

    /** Section 7 of docs/protocol.md on the JDK's HMAC-SHA-256, independent of {@link FrameAuth}. */
    static final class Oracle {
        private Oracle() {
        }

        /**
         * Whether {@code frame} (decoded, with this inner length) carries the tag {@code key} makes for it between
         * these addresses.
         */
        static boolean verifies(byte[] key, byte[] frame, int inner, long source, long destination) {
            boolean announced = (frame[2] & 1) != 0 && (frame[7] & 0xFF) == T;
            return announced && Arrays.equals(tag(key, frame, 0, inner, source, destination), 0, T,
                    frame, H + inner, H + inner + T);
        }

        /**
         * Key id, then the first 16 bytes of HMAC-SHA-256(auth_key, header || key_id || source || destination ||
         * SHA-256(payload)), the addresses 6 bytes each, most significant first (as in an Ethernet header).
         */
        static byte[] tag(byte[] key, byte[] frame, int offset, int inner, long source, long destination) {
            byte[] authKey = hmac(key, "alagg v1 frame authentication".getBytes(StandardCharsets.US_ASCII));
            byte keyId = keyId(key);
            try {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                sha.update(frame, offset + H, inner);
                byte[] input = new byte[H + 1 + 12 + 32];
                System.arraycopy(frame, offset, input, 0, H);
                input[H] = keyId;
                ByteBuffer.wrap(input).putLong(H + 1, source << 16).putLong(H + 7, destination << 16);
                System.arraycopy(sha.digest(), 0, input, H + 13, 32);
                byte[] tag = new byte[T];
                tag[0] = keyId;
                System.arraycopy(hmac(authKey, input), 0, tag, 1, T - 1);
                return tag;
            } catch (GeneralSecurityException e) {
                throw new AssertionError(e);
            }
        }

        static byte keyId(byte[] key) {
            return hmac(key, "alagg v1 key id".getBytes(StandardCharsets.US_ASCII))[0];
        }

        static byte[] hmac(byte[] key, byte[] message) {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(key, "HmacSHA256"));
                return mac.doFinal(message);
            } catch (GeneralSecurityException e) {
                throw new AssertionError(e);
            }
        }
    }

    private static byte[] sameKeyId(byte[] key) {
        byte id = Oracle.keyId(key);
        for (int i = 1; ; i++) {
            byte[] candidate = key.clone();
            candidate[0] = (byte) i;
            candidate[1] = (byte) (i >>> 8);
            if (Oracle.keyId(candidate) == id && !Arrays.equals(candidate, key)) {
                return candidate;
            }
        }
    }

    private static byte[] range(int first, int count) {
        byte[] b = new byte[count];
        for (int i = 0; i < count; i++) {
            b[i] = (byte) (first + i);
        }
        return b;
    }
}
