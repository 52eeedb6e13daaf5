package org.alagg.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Writes and reads the fixed Alagg frame header (layout in {@code docs/protocol.md}).
 *
 * <p>Both directions use absolute indexes only: the buffer's position, limit and mark are
 * never changed, and no object is created per frame. The wire is big-endian whatever the
 * buffer's {@link ByteBuffer#order() order}.
 */
public final class FrameCodec {
    /** Length of the fixed header in bytes; the payload starts right after it. */
    public static final int HEADER_LENGTH = 20;
    /** The wire format version this codec writes and accepts. */
    public static final int VERSION = 1;
    /** Flag bit: an authentication tag of {@code authTagLength} bytes trails the payload. */
    static final int FLAG_AUTH = 0x01;

    static final int OFFSET_VERSION = 0;
    static final int OFFSET_FRAME_TYPE = 1;
    static final int OFFSET_FLAGS = 2;
    static final int OFFSET_PAYLOAD_PROTOCOL = 3;
    static final int OFFSET_INNER_LENGTH = 4;
    static final int OFFSET_LINK_ID = 6;
    static final int OFFSET_AUTH_TAG_LENGTH = 7;
    static final int OFFSET_EPOCH = 8;
    static final int OFFSET_GLOBAL_SEQUENCE = 12;
    static final int OFFSET_LINK_SEQUENCE = 16;

    private FrameCodec() {
    }

    /**
     * Writes the header at {@code dst[offset]}. The payload (and the auth tag, if any) are the
     * caller's to place at {@code offset + HEADER_LENGTH}, before or after this call.
     *
     * @return the number of bytes written, {@link #HEADER_LENGTH}
     * @throws IndexOutOfBoundsException if the header does not fit below {@code dst.limit()}
     * @throws IllegalStateException if the header is one {@link #decode} would reject (type or
     *         payload protocol unset, they do not fit each other, or the payload is too short
     *         for the type): a programming error, so fail at the sender, not at the peer
     */
    public static int encode(FrameHeader h, ByteBuffer dst, int offset) {
        Objects.checkFromIndexSize(offset, HEADER_LENGTH, dst.limit());
        FrameType type = h.frameType();
        PayloadProtocol protocol = h.payloadProtocol();
        if (type == null || protocol == null) {
            throw new IllegalStateException("frame type and payload protocol must be set: " + h);
        }
        Reject misfit = checkPayload(type, protocol, h.innerLength());
        if (misfit != Reject.NONE) {
            throw new IllegalStateException("peer would reject as " + misfit.counterName() + ": " + h);
        }
        int tagLength = h.authTagLength();
        dst.put(offset + OFFSET_VERSION, (byte) VERSION);
        dst.put(offset + OFFSET_FRAME_TYPE, (byte) type.code());
        dst.put(offset + OFFSET_FLAGS, (byte) (tagLength != 0 ? FLAG_AUTH : 0));
        dst.put(offset + OFFSET_PAYLOAD_PROTOCOL, (byte) protocol.code());
        putInt16(dst, offset + OFFSET_INNER_LENGTH, h.innerLength());
        dst.put(offset + OFFSET_LINK_ID, (byte) h.linkId());
        dst.put(offset + OFFSET_AUTH_TAG_LENGTH, (byte) tagLength);
        putInt32(dst, offset + OFFSET_EPOCH, h.epoch());
        putInt32(dst, offset + OFFSET_GLOBAL_SEQUENCE, h.globalSequence());
        putInt32(dst, offset + OFFSET_LINK_SEQUENCE, h.linkSequence());
        return HEADER_LENGTH;
    }

    /**
     * Reads and validates the header of a received frame. Hostile or damaged bytes never
     * throw: they are answered with the {@link Reject} reason, checked in the order the enum
     * lists them. The auth tag, if any, is not verified here.
     *
     * @param src    the buffer holding the frame
     * @param offset where the Alagg header starts (just after the Ethernet header)
     * @param length the bytes received from {@code offset} on, Ethernet padding included
     * @param into   receives the fields; left untouched unless the result is {@link Reject#NONE}
     * @return {@link Reject#NONE} if {@code into} now holds a valid header, else the reason
     * @throws IndexOutOfBoundsException if {@code offset} and {@code length} do not lie within
     *         {@code src.limit()}: the caller's bookkeeping, not the peer's bytes, is wrong
     */
    public static Reject decode(ByteBuffer src, int offset, int length, FrameHeader into) {
        Objects.checkFromIndexSize(offset, length, src.limit());
        if (length < HEADER_LENGTH) {
            return Reject.TRUNCATED;
        }
        // the version comes first: a later version may lay out everything after it anew
        if (Byte.toUnsignedInt(src.get(offset + OFFSET_VERSION)) != VERSION) {
            return Reject.BAD_VERSION;
        }
        FrameType type = FrameType.fromCode(Byte.toUnsignedInt(src.get(offset + OFFSET_FRAME_TYPE)));
        if (type == null) {
            return Reject.UNKNOWN_FRAME_TYPE;
        }
        int flags = Byte.toUnsignedInt(src.get(offset + OFFSET_FLAGS));
        if ((flags & ~FLAG_AUTH) != 0) {
            // an unknown flag may change the meaning of the frame: do not guess
            return Reject.RESERVED_FLAGS;
        }
        PayloadProtocol protocol =
                PayloadProtocol.fromCode(Byte.toUnsignedInt(src.get(offset + OFFSET_PAYLOAD_PROTOCOL)));
        if (protocol == null) {
            return Reject.UNKNOWN_PAYLOAD_PROTOCOL;
        }
        int tagLength = Byte.toUnsignedInt(src.get(offset + OFFSET_AUTH_TAG_LENGTH));
        if (((flags & FLAG_AUTH) != 0) != (tagLength != 0)) {
            return Reject.AUTH_FLAG_MISMATCH;
        }
        int innerLength = getUint16(src, offset + OFFSET_INNER_LENGTH);
        // no overflow: at most 20 + 65535 + 255
        if (HEADER_LENGTH + innerLength + tagLength > length) {
            return Reject.INNER_LENGTH_OVERFLOW;
        }
        Reject misfit = checkPayload(type, protocol, innerLength);
        if (misfit != Reject.NONE) {
            return misfit;
        }
        into.frameType(type)
                .payloadProtocol(protocol)
                .innerLength(innerLength)
                .linkId(Byte.toUnsignedInt(src.get(offset + OFFSET_LINK_ID)))
                .authTagLength(tagLength)
                .epoch(getInt32(src, offset + OFFSET_EPOCH))
                .globalSequence(getInt32(src, offset + OFFSET_GLOBAL_SEQUENCE))
                .linkSequence(getInt32(src, offset + OFFSET_LINK_SEQUENCE));
        return Reject.NONE;
    }

    /** The rules shared by both directions, so a sender cannot write what a receiver refuses. */
    private static Reject checkPayload(FrameType type, PayloadProtocol protocol, int innerLength) {
        if ((type == FrameType.DATA) == (protocol == PayloadProtocol.NONE)) {
            return Reject.PAYLOAD_PROTOCOL_MISMATCH;
        }
        int minimum = type == FrameType.DATA ? 1 : type == FrameType.PARITY ? Parity.MIN_LENGTH : ProbeBody.LENGTH;
        return innerLength < minimum ? Reject.SHORT_PAYLOAD : Reject.NONE;
    }

    // Absolute getInt/putInt follow the buffer's order, which the caller may have changed;
    // the wire is big-endian regardless. order() is a field read: no allocation.

    static int getInt32(ByteBuffer b, int index) {
        int v = b.getInt(index);
        return b.order() == ByteOrder.BIG_ENDIAN ? v : Integer.reverseBytes(v);
    }

    static void putInt32(ByteBuffer b, int index, int value) {
        b.putInt(index, b.order() == ByteOrder.BIG_ENDIAN ? value : Integer.reverseBytes(value));
    }

    static long getInt64(ByteBuffer b, int index) {
        long v = b.getLong(index);
        return b.order() == ByteOrder.BIG_ENDIAN ? v : Long.reverseBytes(v);
    }

    static void putInt64(ByteBuffer b, int index, long value) {
        b.putLong(index, b.order() == ByteOrder.BIG_ENDIAN ? value : Long.reverseBytes(value));
    }

    private static int getUint16(ByteBuffer b, int index) {
        short v = b.getShort(index);
        return Short.toUnsignedInt(b.order() == ByteOrder.BIG_ENDIAN ? v : Short.reverseBytes(v));
    }

    private static void putInt16(ByteBuffer b, int index, int value) {
        short v = (short) value;
        b.putShort(index, b.order() == ByteOrder.BIG_ENDIAN ? v : Short.reverseBytes(v));
    }
}
