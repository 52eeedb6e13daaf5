package org.alagg.protocol;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The link report a responder may append to a {@link FrameType#PROBE_REPLY}, right after the echoed probe body
 * (docs/protocol.md, section 3): what it has received on that link from the prober, so the prober learns the loss
 * of the direction it cannot see.
 *
 * <p>Layout at the report offset (the payload offset plus the echoed body's length), big-endian:
 * bytes 0-1 echo length (the length of the echoed body before the report), byte 2 report type ({@link #TYPE}),
 * byte 3 reserved (0, ignored), bytes 4-7 frames received, bytes 8-11 frames lost. Both counts are the responder's
 * running totals for the link, modulo 2^32, so a prober takes the difference between two reports and a lost reply
 * loses nothing. A prober that does not know the report reads the echoed body only and is not disturbed by it.
 *
 * <p>Since 1.2 the report may be followed by the heard list ({@link #writeHeard}): one byte n, then n link ids. A
 * prober that does not know it ignores the bytes after the report, as section 3 says.
 */
public final class ProbeReport {
    /** Length of the report. */
    public static final int LENGTH = 12;
    /** The report type this layout has. */
    public static final int TYPE = 1;
    /**
     * The longest probe body the reference responder appends a report to: a plain probe or a challenge. A longer
     * (padded) probe, e.g. one that tests the link's MTU, is echoed exactly, so its reply is never longer than it.
     */
    public static final int MAX_ECHO_WITH_REPORT = ProbeBody.CHALLENGE_BODY_LENGTH;
    /** The most link ids a heard list holds. */
    public static final int MAX_HEARD = 255;

    private static final int OFFSET_ECHO_LENGTH = 0;
    private static final int OFFSET_TYPE = 2;
    private static final int OFFSET_RESERVED = 3;
    private static final int OFFSET_RECEIVED = 4;
    private static final int OFFSET_LOST = 8;

    private ProbeReport() {
    }

    /**
     * Writes a report at {@code dst[offset]}, the reply's payload offset plus {@code echoLength}.
     *
     * @param echoLength the length of the echoed probe body (the probe's inner length), 12-65535
     * @param received   the frames the responder has received from the prober on this link, modulo 2^32
     * @param lost       the frames the responder has found missing on this link by its link sequence, modulo 2^32
     * @return {@link #LENGTH}
     * @throws IllegalArgumentException if the echo length is out of range
     * @throws IndexOutOfBoundsException if the report does not fit below {@code dst.limit()}
     */
    public static int write(ByteBuffer dst, int offset, int echoLength, int received, int lost) {
        if (echoLength < ProbeBody.LENGTH || echoLength > 0xFFFF) {
            throw new IllegalArgumentException("echo length " + echoLength + " is not 12-65535");
        }
        Objects.checkFromIndexSize(offset, LENGTH, dst.limit());
        dst.put(offset + OFFSET_ECHO_LENGTH, (byte) (echoLength >>> 8));
        dst.put(offset + OFFSET_ECHO_LENGTH + 1, (byte) echoLength);
        dst.put(offset + OFFSET_TYPE, (byte) TYPE);
        dst.put(offset + OFFSET_RESERVED, (byte) 0);
        FrameCodec.putInt32(dst, offset + OFFSET_RECEIVED, received);
        FrameCodec.putInt32(dst, offset + OFFSET_LOST, lost);
        return LENGTH;
    }

    /**
     * Where the report of a reply to a probe whose body was {@code echoLength} bytes long is, if it has one.
     *
     * @param payloadOffset the payload offset of a frame {@link FrameCodec#decode} accepted as a probe reply
     * @param innerLength   the decoded inner length
     * @param echoLength    the length of the probe body the prober sent
     * @return the report's offset, or -1 when the reply carries none (a responder that does not know reports, a reply
     *         to another probe, a report of another type)
     */
    public static int find(ByteBuffer src, int payloadOffset, int innerLength, int echoLength) {
        if (echoLength < ProbeBody.LENGTH || innerLength < echoLength + LENGTH) {
            return -1;
        }
        int offset = payloadOffset + echoLength;
        Objects.checkFromIndexSize(offset, LENGTH, src.limit());
        int echo = (Byte.toUnsignedInt(src.get(offset + OFFSET_ECHO_LENGTH)) << 8)
                | Byte.toUnsignedInt(src.get(offset + OFFSET_ECHO_LENGTH + 1));
        if (echo != echoLength || Byte.toUnsignedInt(src.get(offset + OFFSET_TYPE)) != TYPE) {
            return -1;
        }
        return offset;
    }

    /**
     * Appends the heard list right after a report written at {@code reportOffset}: the prober's Link ids of the links on
     * which the responder heard the prober lately, so that a prober that hears nothing on a link learns whether its
     * own frames still arrive there (a one-way failure), from a reply on another link.
     *
     * @param ids   the prober's link ids (0-255), in {@code ids[0 .. count)}
     * @param count how many, 0-255
     * @return the bytes written after the report: 1 + {@code count}
     * @throws IllegalArgumentException if count is out of range
     * @throws IndexOutOfBoundsException if the list does not fit below {@code dst.limit()}
     */
    public static int writeHeard(ByteBuffer dst, int reportOffset, int[] ids, int count) {
        if (count < 0 || count > MAX_HEARD) {
            throw new IllegalArgumentException("heard list of " + count + " links is not 0-" + MAX_HEARD);
        }
        int offset = reportOffset + LENGTH;
        Objects.checkFromIndexSize(offset, 1 + count, dst.limit());
        dst.put(offset, (byte) count);
        for (int i = 0; i < count; i++) {
            dst.put(offset + 1 + i, (byte) ids[i]);
        }
        return 1 + count;
    }

    /**
     * How many link ids the heard list after the report at {@code reportOffset} holds, or -1 when the reply has none
     * (a responder that does not send it, or one cut short).
     *
     * @param innerEnd the payload offset plus the reply's inner length
     */
    public static int heardCount(ByteBuffer src, int reportOffset, int innerEnd) {
        int offset = reportOffset + LENGTH;
        if (innerEnd - offset < 1) {
            return -1;
        }
        int count = Byte.toUnsignedInt(src.get(offset));
        return innerEnd - offset - 1 >= count ? count : -1;
    }

    /** The {@code i}-th link id (0-255) of the heard list after the report at {@code reportOffset}. */
    public static int heardLink(ByteBuffer src, int reportOffset, int i) {
        return Byte.toUnsignedInt(src.get(reportOffset + LENGTH + 1 + i));
    }

    /** The frames received, modulo 2^32, of the report at {@code offset} ({@link #find}). */
    public static int received(ByteBuffer src, int offset) {
        return FrameCodec.getInt32(src, offset + OFFSET_RECEIVED);
    }

    /** The frames lost, modulo 2^32, of the report at {@code offset} ({@link #find}). */
    public static int lost(ByteBuffer src, int offset) {
        return FrameCodec.getInt32(src, offset + OFFSET_LOST);
    }
}
