package org.alagg.protocol;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.spec.AlgorithmParameterSpec;
import java.util.concurrent.TimeUnit;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The candidates for frame authentication (docs/protocol.md, section 7), each tagging or checking one DATA frame
 * held in a direct buffer, as the transports' batch slots are. One operation is one frame (one copy of a packet).
 *
 * <ul>
 *   <li>{@code frameAuth*}: the specified scheme, {@link FrameAuth}: SHA-256 of the payload once per packet, then
 *       HMAC-SHA-256 over header, key id and that digest (53 bytes) per copy. {@code frameAuthSignFirstCopy} is
 *       digest + sign (the first copy of a packet), {@code frameAuthSignNextCopy} sign only (every further copy,
 *       e.g. the second link when sending redundantly), {@code frameAuthVerify} what a receiver does per frame.</li>
 *   <li>{@code hmacSha256Jca*}: {@code javax.crypto.Mac} "HmacSHA256" over the whole frame (header and payload),
 *       16 bytes of it as the tag.</li>
 *   <li>{@code aesGcmGmac*}: AES-128-GCM as GMAC: the frame as additional authenticated data, empty plaintext,
 *       the 16-byte GCM tag, through {@code javax.crypto.Cipher} with a fresh 12-byte IV (a new
 *       {@link GCMParameterSpec}) per frame, as GCM requires.</li>
 *   <li>{@code chaCha20Poly1305*}: ChaCha20-Poly1305 through {@code Cipher} the same way (AAD only, fresh nonce).</li>
 *   <li>{@code sha256Reference}: a plain SHA-256 of the frame, no key: the floor any hash-based MAC sits on.</li>
 * </ul>
 *
 * <p>The sign benchmarks write a new link sequence into the header each time, as every copy has one. The AEAD
 * nonces come from a counter; a real design would derive them from header fields, which costs the same.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FrameAuthBenchmark {
    private static final int H = FrameCodec.HEADER_LENGTH;
    /** Tag of the JCA candidates: 16 bytes, the same strength as FrameAuth's MAC. */
    private static final int JCA_TAG = 16;

    /** Payload bytes: a small packet and a full one on a 1500-byte link less header and tag. */
    @Param({"64", "1400"})
    public int payload;

    private final byte[] key = new byte[32];

    // (a) FrameAuth
    private FrameAuth sender;
    private FrameAuth receiver;
    private ByteBuffer authFrame;
    private ByteBuffer authSigned;

    // the JCA candidates: header + payload, then room for a 16-byte tag
    private ByteBuffer frame;
    /** A view of {@link #frame} whose position and limit the JCA ByteBuffer calls may move. */
    private ByteBuffer frameView;
    private final byte[] tag = new byte[32];
    private final byte[] expected = new byte[JCA_TAG];
    private int frameLength;

    // (b) Mac
    private Mac mac;
    private ByteBuffer macSigned;
    private ByteBuffer macSignedView;

    // (c) AES-GCM, (d) ChaCha20-Poly1305
    private Cipher gcm;
    private SecretKeySpec aesKey;
    private Cipher chacha;
    private SecretKeySpec chachaKey;
    private final byte[] nonce = new byte[12];
    private long nonceCounter;
    /**
     * Two signed frames each, verified in turn: a receiver sees a new nonce in every frame, and the JDK's
     * ChaCha20-Poly1305 refuses to be initialised twice in a row with the same key and nonce, even to decrypt.
     */
    private final ByteBuffer[] gcmSigned = new ByteBuffer[2];
    private final ByteBuffer[] gcmSignedView = new ByteBuffer[2];
    private final byte[][] gcmSignedNonce = new byte[2][];
    private final ByteBuffer[] chachaSigned = new ByteBuffer[2];
    private final ByteBuffer[] chachaSignedView = new ByteBuffer[2];
    private final byte[][] chachaSignedNonce = new byte[2][];
    private int turn = 1; // setUp signed with nonce 1 last: start with 0
    private final byte[] plain = new byte[JCA_TAG];

    // (e) SHA-256
    private MessageDigest sha256;

    private int linkSequence;

    @Setup
    public void setUp() throws GeneralSecurityException {
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) (i * 7 + 1);
        }
        sender = new FrameAuth(key);
        receiver = new FrameAuth(key);
        authFrame = newFrame(FrameAuth.TAG_LENGTH);
        authSigned = newFrame(FrameAuth.TAG_LENGTH);
        sender.digestPayload(authSigned, 0, payload);
        sender.sign(authSigned, 0, payload, 0L, 0L);
        sender.digestPayload(authFrame, 0, payload); // for frameAuthSignNextCopy

        frame = newFrame(0);
        frameLength = H + payload;
        frameView = frame.duplicate();

        mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        macSigned = newFrame(0);
        macSignedView = macSigned.duplicate();
        macSignedView.limit(frameLength).position(0);
        mac.update(macSignedView);
        mac.doFinal(tag, 0);
        macSigned.put(frameLength, tag, 0, JCA_TAG);

        gcm = Cipher.getInstance("AES/GCM/NoPadding");
        aesKey = new SecretKeySpec(key, 0, 16, "AES");
        for (int i = 0; i < 2; i++) {
            gcmSigned[i] = newFrame(0);
            gcmSignedView[i] = gcmSigned[i].duplicate();
            gcmSignedNonce[i] = nextNonce().clone();
            gcm.init(Cipher.ENCRYPT_MODE, aesKey, new GCMParameterSpec(128, gcmSignedNonce[i]));
            aeadTag(gcm, gcmSigned[i], gcmSignedView[i]);
        }

        chacha = Cipher.getInstance("ChaCha20-Poly1305");
        chachaKey = new SecretKeySpec(key, "ChaCha20");
        for (int i = 0; i < 2; i++) {
            chachaSigned[i] = newFrame(0);
            chachaSignedView[i] = chachaSigned[i].duplicate();
            chachaSignedNonce[i] = nextNonce().clone();
            chacha.init(Cipher.ENCRYPT_MODE, chachaKey, new IvParameterSpec(chachaSignedNonce[i]));
            aeadTag(chacha, chachaSigned[i], chachaSignedView[i]);
        }

        sha256 = MessageDigest.getInstance("SHA-256");
    }

    /** A DATA frame with a patterned payload and room for the tag (FrameAuth's header announces its own). */
    private ByteBuffer newFrame(int authTagLength) {
        ByteBuffer b = ByteBuffer.allocateDirect(H + payload + Math.max(authTagLength, JCA_TAG));
        FrameHeader header = new FrameHeader()
                .frameType(FrameType.DATA)
                .payloadProtocol(PayloadProtocol.IPV4)
                .innerLength(payload)
                .linkId(1)
                .authTagLength(authTagLength)
                .epoch(0x5EED5EED)
                .globalSequence(1)
                .linkSequence(1);
        FrameCodec.encode(header, b, 0);
        for (int i = 0; i < payload; i++) {
            b.put(H + i, (byte) (i * 13));
        }
        return b;
    }

    private void nextLinkSequence(ByteBuffer b) {
        b.putInt(FrameCodec.OFFSET_LINK_SEQUENCE, ++linkSequence);
    }

    private byte[] nextNonce() {
        long n = ++nonceCounter;
        for (int i = 0; i < 8; i++) {
            nonce[4 + i] = (byte) (n >>> (56 - 8 * i));
        }
        return nonce;
    }

    /**
     * The AEAD tag of a frame given as AAD (through {@code view}), empty plaintext, written after the frame; the
     * cipher is initialised for encryption.
     */
    private void aeadTag(Cipher cipher, ByteBuffer b, ByteBuffer view) throws GeneralSecurityException {
        view.limit(frameLength).position(0);
        cipher.updateAAD(view);
        if (cipher.doFinal(tag, 0) != JCA_TAG) {
            throw new IllegalStateException("expected a " + JCA_TAG + "-byte tag");
        }
        b.put(frameLength, tag, 0, JCA_TAG);
    }

    // ---- (a) FrameAuth ----

    @Benchmark
    public byte frameAuthSignFirstCopy() {
        nextLinkSequence(authFrame);
        sender.digestPayload(authFrame, 0, payload);
        sender.sign(authFrame, 0, payload, 0L, 0L);
        return authFrame.get(H + payload + 1);
    }

    @Benchmark
    public byte frameAuthSignNextCopy() {
        nextLinkSequence(authFrame);
        sender.sign(authFrame, 0, payload, 0L, 0L);
        return authFrame.get(H + payload + 1);
    }

    @Benchmark
    public boolean frameAuthVerify() {
        return receiver.verify(authSigned, 0, payload, 0L, 0L);
    }

    // ---- (b) javax.crypto.Mac HmacSHA256 over the frame ----

    @Benchmark
    public byte hmacSha256JcaSign() throws GeneralSecurityException {
        nextLinkSequence(frame);
        frameView.limit(frameLength).position(0);
        mac.update(frameView);
        mac.doFinal(tag, 0);
        frame.put(frameLength, tag, 0, JCA_TAG);
        return tag[0];
    }

    @Benchmark
    public boolean hmacSha256JcaVerify() throws GeneralSecurityException {
        macSignedView.limit(frameLength).position(0);
        mac.update(macSignedView);
        mac.doFinal(tag, 0);
        macSigned.get(frameLength, expected, 0, JCA_TAG);
        int difference = 0;
        for (int i = 0; i < JCA_TAG; i++) {
            difference |= tag[i] ^ expected[i];
        }
        return difference == 0;
    }

    // ---- (c) AES-128-GCM as GMAC ----

    @Benchmark
    public byte aesGcmGmacSign() throws GeneralSecurityException {
        nextLinkSequence(frame);
        gcm.init(Cipher.ENCRYPT_MODE, aesKey, new GCMParameterSpec(128, nextNonce()));
        aeadTag(gcm, frame, frameView);
        return tag[0];
    }

    @Benchmark
    public int aesGcmGmacVerify() throws GeneralSecurityException {
        int i = turn ^= 1;
        gcm.init(Cipher.DECRYPT_MODE, aesKey, new GCMParameterSpec(128, gcmSignedNonce[i]));
        return aeadVerify(gcm, gcmSigned[i], gcmSignedView[i]);
    }

    // ---- (d) ChaCha20-Poly1305 ----

    @Benchmark
    public byte chaCha20Poly1305Sign() throws GeneralSecurityException {
        nextLinkSequence(frame);
        chacha.init(Cipher.ENCRYPT_MODE, chachaKey, new IvParameterSpec(nextNonce()));
        aeadTag(chacha, frame, frameView);
        return tag[0];
    }

    @Benchmark
    public int chaCha20Poly1305Verify() throws GeneralSecurityException {
        int i = turn ^= 1;
        chacha.init(Cipher.DECRYPT_MODE, chachaKey, new IvParameterSpec(chachaSignedNonce[i]));
        return aeadVerify(chacha, chachaSigned[i], chachaSignedView[i]);
    }

    /**
     * Decrypts the frame's 16-byte tag as an empty ciphertext with the frame as AAD: throws AEADBadTagException
     * when it does not match (the cipher compares in constant time).
     */
    private int aeadVerify(Cipher cipher, ByteBuffer signed, ByteBuffer view) throws GeneralSecurityException {
        view.limit(frameLength).position(0);
        cipher.updateAAD(view);
        signed.get(frameLength, expected, 0, JCA_TAG);
        return cipher.doFinal(expected, 0, JCA_TAG, plain, 0);
    }

    // ---- (e) SHA-256, no key ----

    @Benchmark
    public byte sha256Reference() throws GeneralSecurityException {
        frameView.limit(frameLength).position(0);
        sha256.update(frameView);
        sha256.digest(tag, 0, 32);
        return tag[0];
    }
}
