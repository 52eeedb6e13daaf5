package org.alagg.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Objects;

/**
 * Signs and verifies Alagg frames in place with one key (docs/protocol.md, section 7).
 *
 * <p>The 17-byte tag right after the payload is the key id and the first 16 bytes of
 * {@code HMAC-SHA-256(auth_key, header || key_id || source MAC || destination MAC || SHA-256(payload))},
 * where {@code header} is the 20 header bytes as sent (AUTH set, Auth tag len 17) and the MACs are the
 * Ethernet addresses the frame travels between. The addresses bind a frame to its link and its
 * direction: a frame sent back to its sender, or onto another link, does not verify. The payload
 * enters through its SHA-256, so a sender hashes each packet once ({@link #digestPayload}) and then
 * only pays the 65-byte HMAC for each link's copy ({@link #sign}).
 *
 * <p>HMAC-SHA-256 (RFC 2104) is built here on two reusable {@link MessageDigest}s with the
 * ipad and opad blocks computed once, so after construction no object is created per frame:
 * every intermediate value lands in arrays this instance owns.
 *
 * <p><b>Not thread-safe.</b> An instance holds the digests, the scratch arrays and the payload
 * digest between {@link #digestPayload} and {@link #sign}: use one instance per thread (e.g.
 * one for the egress thread, one for the ingress thread, each built from the same key).
 *
 * <p>Like {@link FrameCodec}, it reads and writes at absolute indexes only: a buffer's position,
 * limit and mark are never changed, and its byte order does not matter.
 */
public final class FrameAuth {
    /** The value of the Auth tag len field with a key: 1 byte key id + 16 bytes MAC. */
    public static final int TAG_LENGTH = 17;
    /** Length of a key in bytes. */
    public static final int KEY_LENGTH = 32;
    /** Length of a payload digest ({@link #verifiedPayloadDigest}): SHA-256. */
    public static final int DIGEST_LENGTH = 32;
    /** Length of the truncated MAC in the tag, after the key id. */
    static final int MAC_LENGTH = 16;

    static final byte[] AUTH_KEY_LABEL = "alagg v1 frame authentication".getBytes(StandardCharsets.US_ASCII);
    static final byte[] KEY_ID_LABEL = "alagg v1 key id".getBytes(StandardCharsets.US_ASCII);

    private static final int BLOCK_LENGTH = 64;
    private static final int HASH_LENGTH = DIGEST_LENGTH;
    private static final int H = FrameCodec.HEADER_LENGTH;
    /** header || key_id || source MAC || destination MAC || SHA-256(payload): what the HMAC is over. */
    private static final int MAC_INPUT_LENGTH = H + 1 + 12 + HASH_LENGTH;
    private static final int OFFSET_INPUT_KEY_ID = H;
    private static final int OFFSET_INPUT_SOURCE = H + 1;
    private static final int OFFSET_INPUT_DESTINATION = H + 7;
    private static final int OFFSET_INPUT_DIGEST = H + 13;
    /** Payloads of buffers without an accessible array are hashed through this many bytes at a time. */
    private static final int CHUNK_LENGTH = 2048;

    private final int keyId;
    /** auth_key XOR 0x36.. and auth_key XOR 0x5c.., one SHA-256 block each. */
    private final byte[] ipad = new byte[BLOCK_LENGTH];
    private final byte[] opad = new byte[BLOCK_LENGTH];
    /** Hashes the payload and the inner HMAC message (a digest resets itself after each result). */
    private final MessageDigest inner = sha256();
    private final MessageDigest outer = sha256();

    /** The sender's MAC input: its digest part is written by digestPayload, the rest by sign. */
    private final byte[] signInput = new byte[MAC_INPUT_LENGTH];
    /** The receiver's MAC input, separate so verify never disturbs a pending digestPayload. */
    private final byte[] verifyInput = new byte[MAC_INPUT_LENGTH];
    private final byte[] innerHash = new byte[HASH_LENGTH];
    private final byte[] mac = new byte[HASH_LENGTH];
    private final byte[] chunk = new byte[CHUNK_LENGTH];
    /** Inner length of the payload in signInput, -1 before the first digestPayload. */
    private int digestedLength = -1;

    /**
     * Derives {@code auth_key} and {@code key_id} from the shared key (section 7). The key itself
     * is not kept.
     *
     * @param key the 32-byte shared key (as {@code alagg genkey} makes it); not modified
     * @throws IllegalArgumentException if the key is not 32 bytes long
     */
    public FrameAuth(byte[] key) {
        Objects.requireNonNull(key, "key");
        if (key.length != KEY_LENGTH) {
            throw new IllegalArgumentException("key must be " + KEY_LENGTH + " bytes, not " + key.length);
        }
        byte[] authKey = hmacSha256(key, AUTH_KEY_LABEL);
        keyId = Byte.toUnsignedInt(hmacSha256(key, KEY_ID_LABEL)[0]);
        pads(authKey, ipad, opad, inner);
        Arrays.fill(authKey, (byte) 0);
    }

    /**
     * Signs and verifies a few thousand scratch frames with a throw-away key, small and large, so that the JIT compiles
     * this class's per-frame methods and the JDK's SHA-256 (with its CPU intrinsics) before the first real frames: in a
     * fresh JVM a frame at a few hundred a second would otherwise be signed and checked by interpreted code for
     * seconds, tens of microseconds each. Takes some 100 ms of one core; call once per JVM, off the hot threads.
     */
    public static void warmUp() {
        FrameAuth sender = new FrameAuth(new byte[KEY_LENGTH]);
        FrameAuth receiver = new FrameAuth(new byte[KEY_LENGTH]);
        ByteBuffer frame = ByteBuffer.allocateDirect(H + 1400 + TAG_LENGTH);
        FrameHeader header = new FrameHeader().frameType(FrameType.DATA).payloadProtocol(PayloadProtocol.IPV4)
                .authTagLength(TAG_LENGTH);
        byte[] digest = new byte[DIGEST_LENGTH];
        for (int i = 0; i < WARM_UP_FRAMES; i++) {
            int inner = (i & 1) == 0 ? 64 : 1400;
            FrameCodec.encode(header.innerLength(inner).globalSequence(i), frame, 0);
            sender.digestPayload(frame, 0, inner);
            sender.sign(frame, 0, inner, 1, 2);
            if (receiver.verify(frame, 0, inner, 1, 2)) {
                receiver.verifiedPayloadDigest(digest, 0);
                receiver.verifyHeader(frame, 0, inner, 1, 2, digest, 0);
            }
        }
    }

    /** Enough calls for C2 to compile the per-frame methods (its threshold is some 10 000 invocations). */
    private static final int WARM_UP_FRAMES = 20_000;

    /** @return {@code key_id}: the first tag byte of every frame this key signs, 0-255 */
    public int keyId() {
        return keyId;
    }

    /**
     * Hashes the payload of a frame and keeps the SHA-256 for the following {@link #sign} calls:
     * a sender calls this once per packet, then signs each link's copy.
     *
     * @param frame       the buffer holding the frame
     * @param headerOffset where the Alagg header starts; the payload is at {@code headerOffset + 20}
     * @param innerLength the payload length (the header's Inner length)
     * @throws IndexOutOfBoundsException if the payload does not lie below {@code frame.limit()}
     */
    public void digestPayload(ByteBuffer frame, int headerOffset, int innerLength) {
        Objects.checkFromIndexSize(headerOffset, H + innerLength, frame.limit());
        digestedLength = -1; // stays so if hashing fails
        hash(frame, headerOffset + H, innerLength, signInput, OFFSET_INPUT_DIGEST);
        digestedLength = innerLength;
    }

    /**
     * Writes the tag (key id, then the 16-byte MAC) at {@code headerOffset + 20 + innerLength},
     * over the header as it is now in {@code frame} and the payload digest of the last
     * {@link #digestPayload} call. Sign each copy after its Link id and Link sequence are written.
     *
     * @param frame       the frame; its header was encoded with Auth tag len {@link #TAG_LENGTH}
     *                    ({@code FrameHeader.authTagLength(17)} and {@link FrameCodec#encode})
     * @param headerOffset where the Alagg header starts
     * @param innerLength the payload length, the same as in the header and in the last
     *                    {@link #digestPayload}
     * @param source      the Ethernet address the frame leaves from (this side's on the link), in the low 48 bits
     * @param destination the Ethernet address it goes to (the peer's on the link), in the low 48 bits
     * @throws IndexOutOfBoundsException if header, payload and tag do not fit below {@code frame.limit()}
     * @throws IllegalStateException if the header does not announce this tag or its inner length, or
     *         no payload of that length was digested: a programming error at the sender
     */
    public void sign(ByteBuffer frame, int headerOffset, int innerLength, long source, long destination) {
        Objects.checkFromIndexSize(headerOffset, H + innerLength + TAG_LENGTH, frame.limit());
        if (!announcesTag(frame, headerOffset, innerLength)) {
            throw new IllegalStateException("the header must carry AUTH, Auth tag len " + TAG_LENGTH
                    + " and Inner length " + innerLength);
        }
        if (digestedLength != innerLength) {
            throw new IllegalStateException("digestPayload of " + innerLength + " bytes must come first (last: "
                    + digestedLength + ')');
        }
        int tagOffset = headerOffset + H + innerLength;
        computeMac(frame, headerOffset, signInput, source, destination);
        frame.put(tagOffset, (byte) keyId);
        for (int i = 0; i < MAC_LENGTH; i++) {
            frame.put(tagOffset + 1 + i, mac[i]);
        }
    }

    /**
     * Checks the tag of a received frame: the header announces AUTH with Auth tag len
     * {@link #TAG_LENGTH} and this Inner length, the key id is {@link #keyId()}, and the MAC
     * computed over header, key id and payload equals the frame's, compared in constant time.
     *
     * @param frame       a frame {@link FrameCodec#decode} accepted
     * @param headerOffset where the Alagg header starts
     * @param innerLength the decoded Inner length
     * @param source      the Ethernet address the frame came from (the peer's on the link), in the low 48 bits
     * @param destination the address it came to (this side's on the link), in the low 48 bits
     * @return true if the frame was signed with this key exactly as it is, between these addresses
     * @throws IndexOutOfBoundsException if the header, or (when it announces a 17-byte tag) header,
     *         payload and tag, do not lie below {@code frame.limit()}: the caller skipped decode
     */
    public boolean verify(ByteBuffer frame, int headerOffset, int innerLength, long source, long destination) {
        int tagOffset = tagOffset(frame, headerOffset, innerLength);
        if (tagOffset < 0) {
            return false;
        }
        hash(frame, headerOffset + H, innerLength, verifyInput, OFFSET_INPUT_DIGEST);
        return macMatches(frame, headerOffset, tagOffset, source, destination);
    }

    /**
     * Checks the tag of a received frame as {@link #verify} does, but against a payload digest the caller already
     * has instead of the frame's payload: a receiver that verified one copy of a packet (same epoch and Global
     * sequence) checks the further copies with the digest {@link #verifiedPayloadDigest} gave it, paying only the
     * 65-byte HMAC. A true result proves the header, key id and addresses, and that the sender signed a payload with
     * this digest; it says nothing about the payload bytes in {@code frame}, so such a frame may only be counted and
     * dropped (a duplicate), never delivered, unless {@link #verify} accepts it too.
     *
     * @param payloadDigest holds the SHA-256 of the payload the tag should cover at {@code digestOffset}, 32 bytes
     * @return true if the tag matches header, key id, addresses and that digest under this key
     * @throws IndexOutOfBoundsException as {@link #verify}, or if the digest does not lie in {@code payloadDigest}
     */
    public boolean verifyHeader(ByteBuffer frame, int headerOffset, int innerLength, long source, long destination,
                                byte[] payloadDigest, int digestOffset) {
        Objects.checkFromIndexSize(digestOffset, HASH_LENGTH, payloadDigest.length);
        int tagOffset = tagOffset(frame, headerOffset, innerLength);
        if (tagOffset < 0) {
            return false;
        }
        System.arraycopy(payloadDigest, digestOffset, verifyInput, OFFSET_INPUT_DIGEST, HASH_LENGTH);
        return macMatches(frame, headerOffset, tagOffset, source, destination);
    }

    /**
     * Copies the payload SHA-256 of the last {@link #verify} call out: after a true result, the digest of a payload
     * this key's holder signed. Meaningless after a false one.
     *
     * @param out    where the 32 bytes go, at {@code offset}
     */
    public void verifiedPayloadDigest(byte[] out, int offset) {
        System.arraycopy(verifyInput, OFFSET_INPUT_DIGEST, out, offset, HASH_LENGTH);
    }

    /**
     * Where the tag of a received frame starts, when its header announces this scheme's tag for this Inner length and
     * the tag's key id is this key's; -1 otherwise.
     *
     * @throws IndexOutOfBoundsException if the header, or (when it announces the tag) header, payload and tag, do not
     *         lie below {@code frame.limit()}
     */
    private int tagOffset(ByteBuffer frame, int headerOffset, int innerLength) {
        Objects.checkFromIndexSize(headerOffset, H, frame.limit());
        if (!announcesTag(frame, headerOffset, innerLength)) {
            return -1;
        }
        Objects.checkFromIndexSize(headerOffset, H + innerLength + TAG_LENGTH, frame.limit());
        int tagOffset = headerOffset + H + innerLength;
        return Byte.toUnsignedInt(frame.get(tagOffset)) == keyId ? tagOffset : -1;
    }

    /** Computes the MAC over verifyInput (its digest part set) and compares it with the frame's, in constant time. */
    private boolean macMatches(ByteBuffer frame, int headerOffset, int tagOffset, long source, long destination) {
        computeMac(frame, headerOffset, verifyInput, source, destination);
        int difference = 0;
        for (int i = 0; i < MAC_LENGTH; i++) { // every byte, whatever the first difference
            difference |= mac[i] ^ frame.get(tagOffset + 1 + i);
        }
        return difference == 0;
    }

    /**
     * @param frame       a frame {@link FrameCodec#decode} accepted with Auth tag len {@link #TAG_LENGTH}
     * @param headerOffset where the Alagg header starts
     * @param innerLength the decoded Inner length
     * @return the key id in the frame's tag, 0-255: which of a receiver's keys to verify it with
     */
    public static int keyIdOf(ByteBuffer frame, int headerOffset, int innerLength) {
        return Byte.toUnsignedInt(frame.get(headerOffset + H + innerLength));
    }

    /** AUTH set, Auth tag len 17, and the header's Inner length is the one the caller gives. */
    private static boolean announcesTag(ByteBuffer frame, int headerOffset, int innerLength) {
        int flags = Byte.toUnsignedInt(frame.get(headerOffset + FrameCodec.OFFSET_FLAGS));
        int tagLength = Byte.toUnsignedInt(frame.get(headerOffset + FrameCodec.OFFSET_AUTH_TAG_LENGTH));
        int inner = (Byte.toUnsignedInt(frame.get(headerOffset + FrameCodec.OFFSET_INNER_LENGTH)) << 8)
                | Byte.toUnsignedInt(frame.get(headerOffset + FrameCodec.OFFSET_INNER_LENGTH + 1));
        return (flags & FrameCodec.FLAG_AUTH) != 0 && tagLength == TAG_LENGTH && inner == innerLength;
    }

    /** mac = HMAC-SHA-256(auth_key, header || key_id || source || destination || input's digest part), 32 bytes. */
    private void computeMac(ByteBuffer frame, int headerOffset, byte[] input, long source, long destination) {
        frame.get(headerOffset, input, 0, H);
        input[OFFSET_INPUT_KEY_ID] = (byte) keyId;
        for (int i = 0; i < 6; i++) {
            input[OFFSET_INPUT_SOURCE + i] = (byte) (source >>> 8 * (5 - i));
            input[OFFSET_INPUT_DESTINATION + i] = (byte) (destination >>> 8 * (5 - i));
        }
        inner.update(ipad);
        inner.update(input, 0, MAC_INPUT_LENGTH);
        finish(inner, outer, opad, innerHash, mac);
    }

    /** SHA-256 of {@code length} bytes of {@code src} from {@code offset}, into {@code out[outOffset]}. */
    private void hash(ByteBuffer src, int offset, int length, byte[] out, int outOffset) {
        if (src.hasArray()) {
            inner.update(src.array(), src.arrayOffset() + offset, length);
        } else {
            // MessageDigest.update(ByteBuffer) would move the position; it copies through an array too
            for (int done = 0; done < length; ) {
                int n = Math.min(CHUNK_LENGTH, length - done);
                src.get(offset + done, chunk, 0, n);
                inner.update(chunk, 0, n);
                done += n;
            }
        }
        digestInto(inner, out, outOffset);
    }

    // ---- HMAC-SHA-256, RFC 2104 ----

    /**
     * HMAC-SHA-256 of a whole message: the key derivation, and the tests' check of this class's
     * HMAC against RFC 4231. Allocates; the per-frame path uses the same {@link #pads} and
     * {@link #finish} on this instance's arrays.
     */
    static byte[] hmacSha256(byte[] key, byte[] message) {
        MessageDigest in = sha256();
        MessageDigest out = sha256();
        byte[] ip = new byte[BLOCK_LENGTH];
        byte[] op = new byte[BLOCK_LENGTH];
        pads(key, ip, op, in);
        in.update(ip);
        in.update(message);
        byte[] result = new byte[HASH_LENGTH];
        finish(in, out, op, new byte[HASH_LENGTH], result);
        Arrays.fill(ip, (byte) 0);
        Arrays.fill(op, (byte) 0);
        return result;
    }

    /**
     * Fills the ipad and opad blocks: the key (hashed first if longer than a block, zero-padded
     * to 64 bytes) XOR 0x36, and XOR 0x5c.
     */
    private static void pads(byte[] key, byte[] ipad, byte[] opad, MessageDigest md) {
        byte[] k = key.length > BLOCK_LENGTH ? md.digest(key) : key;
        for (int i = 0; i < BLOCK_LENGTH; i++) {
            byte b = i < k.length ? k[i] : 0;
            ipad[i] = (byte) (b ^ 0x36);
            opad[i] = (byte) (b ^ 0x5c);
        }
        if (k != key) {
            Arrays.fill(k, (byte) 0);
        }
    }

    /**
     * Completes an HMAC whose inner digest has taken ipad and the message:
     * {@code result = SHA-256(opad || SHA-256(ipad || message))}. Resets both digests.
     */
    private static void finish(MessageDigest inner, MessageDigest outer, byte[] opad, byte[] innerHash,
                               byte[] result) {
        digestInto(inner, innerHash, 0);
        outer.update(opad);
        outer.update(innerHash, 0, HASH_LENGTH);
        digestInto(outer, result, 0);
    }

    private static void digestInto(MessageDigest md, byte[] out, int offset) {
        try {
            md.digest(out, offset, HASH_LENGTH);
        } catch (DigestException e) {
            throw new IllegalStateException("SHA-256 digest does not fit", e); // never: the room is checked
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
