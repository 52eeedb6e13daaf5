package org.alagg.protocol;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The payload of a {@link FrameType#PROBE}: a send timestamp and a probe id, both meaningful
 * only to the prober. The peer answers with a {@link FrameType#PROBE_REPLY} on the same link
 * whose payload is the probe's payload copied byte for byte, so the prober gets its own
 * clock reading back and computes the round-trip time without synchronised clocks.
 *
 * <p>Layout at the payload offset ({@code frameOffset + FrameCodec.HEADER_LENGTH}),
 * big-endian: bytes 0-7 send time in nanoseconds ({@link System#nanoTime()} of the prober),
 * bytes 8-11 probe id, and optionally bytes 12-27 a challenge: 16 random bytes a receiver sends
 * to have the peer confirm its epoch (docs/protocol.md, section 5). A probe may be longer than
 * {@link #LENGTH} (e.g. padded to test a link's MTU); the extra bytes are echoed too and
 * otherwise ignored. A responder does not tell a challenge from padding: it echoes the body.
 */
public final class ProbeBody {
    /** The minimum inner length of a probe or probe reply. */
    public static final int LENGTH = 12;
    /** Length of the optional challenge, right after the probe id. */
    public static final int CHALLENGE_LENGTH = 16;
    /** The minimum inner length of a probe or probe reply that carries a challenge. */
    public static final int CHALLENGE_BODY_LENGTH = LENGTH + CHALLENGE_LENGTH;

    private static final int OFFSET_SENT_NANOS = 0;
    private static final int OFFSET_PROBE_ID = 8;
    private static final int OFFSET_CHALLENGE = 12;

    private ProbeBody() {
    }

    /**
     * Writes a probe body at {@code dst[offset]}.
     *
     * @return the number of bytes written, {@link #LENGTH}
     * @throws IndexOutOfBoundsException if the body does not fit below {@code dst.limit()}
     */
    public static int write(ByteBuffer dst, int offset, long sentNanos, int probeId) {
        Objects.checkFromIndexSize(offset, LENGTH, dst.limit());
        FrameCodec.putInt64(dst, offset + OFFSET_SENT_NANOS, sentNanos);
        FrameCodec.putInt32(dst, offset + OFFSET_PROBE_ID, probeId);
        return LENGTH;
    }

    /**
     * @param offset the payload offset of a frame {@link FrameCodec#decode} accepted as a probe
     *               or probe reply (which guarantees {@link #LENGTH} bytes are there)
     * @return the prober's send time in nanoseconds
     */
    public static long sentNanos(ByteBuffer src, int offset) {
        return FrameCodec.getInt64(src, offset + OFFSET_SENT_NANOS);
    }

    /**
     * @param offset the payload offset of a frame {@link FrameCodec#decode} accepted as a probe
     *               or probe reply (which guarantees {@link #LENGTH} bytes are there)
     * @return the probe id the prober chose
     */
    public static int probeId(ByteBuffer src, int offset) {
        return FrameCodec.getInt32(src, offset + OFFSET_PROBE_ID);
    }

    /**
     * Writes a challenge into the body at {@code dst[offset]} (bytes 12-27), after or before
     * {@link #write}; the probe's inner length must then be at least {@link #CHALLENGE_BODY_LENGTH}.
     *
     * @param challenge16 the {@link #CHALLENGE_LENGTH} random bytes; not kept
     * @return the number of bytes the body needs, {@link #CHALLENGE_BODY_LENGTH}
     * @throws IllegalArgumentException if the challenge is not 16 bytes long
     * @throws IndexOutOfBoundsException if the challenge does not fit below {@code dst.limit()}
     */
    public static int writeChallenge(ByteBuffer dst, int offset, byte[] challenge16) {
        checkChallenge(challenge16);
        Objects.checkFromIndexSize(offset, CHALLENGE_BODY_LENGTH, dst.limit());
        dst.put(offset + OFFSET_CHALLENGE, challenge16, 0, CHALLENGE_LENGTH);
        return CHALLENGE_BODY_LENGTH;
    }

    /**
     * Whether a probe reply echoes a challenge. The bytes are compared in full whatever the
     * first difference (they are not secret once sent, but this costs nothing).
     *
     * @param offset      the payload offset of a frame {@link FrameCodec#decode} accepted as a
     *                    probe or probe reply
     * @param innerLength the decoded inner length: a body shorter than {@link #CHALLENGE_BODY_LENGTH}
     *                    carries no challenge
     * @param challenge16 the outstanding challenge, {@link #CHALLENGE_LENGTH} bytes
     * @return true if the body is long enough and bytes 12-27 equal {@code challenge16}
     * @throws IllegalArgumentException if the challenge is not 16 bytes long
     */
    public static boolean hasChallenge(ByteBuffer src, int offset, int innerLength, byte[] challenge16) {
        checkChallenge(challenge16);
        if (innerLength < CHALLENGE_BODY_LENGTH) {
            return false;
        }
        Objects.checkFromIndexSize(offset, CHALLENGE_BODY_LENGTH, src.limit());
        int difference = 0;
        for (int i = 0; i < CHALLENGE_LENGTH; i++) {
            difference |= src.get(offset + OFFSET_CHALLENGE + i) ^ challenge16[i];
        }
        return difference == 0;
    }

    private static void checkChallenge(byte[] challenge16) {
        if (challenge16.length != CHALLENGE_LENGTH) {
            throw new IllegalArgumentException("a challenge is " + CHALLENGE_LENGTH + " bytes, not "
                    + challenge16.length);
        }
    }
}
