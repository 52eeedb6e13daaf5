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
 * bytes 8-11 probe id. A probe may be longer than {@link #LENGTH} (e.g. padded to test a
 * link's MTU); the extra bytes are echoed too and otherwise ignored.
 */
public final class ProbeBody {
    /** The minimum inner length of a probe or probe reply. */
    public static final int LENGTH = 12;

    private static final int OFFSET_SENT_NANOS = 0;
    private static final int OFFSET_PROBE_ID = 8;

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
}
