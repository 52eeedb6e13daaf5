package org.alagg.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * How the fuzz tests lay fuzzer bytes out in a buffer: every kind of {@link ByteBuffer} the codec and the
 * authenticator meet, the frame at an offset, and bytes after the frame that belong to the buffer but not to the
 * frame, so that reading them is seen.
 *
 * <p>The raw input of a byte-oriented fuzz test is {@code kind, offset, tail, frame bytes...}: the three control
 * bytes pick the buffer kind ({@link #KINDS} of them), the offset of the frame (0-63) and how many bytes of 0xFF
 * follow it (0-63); the rest is the frame. A shorter input reads the missing control bytes as 0.
 */
final class FuzzBuffers {
    static final int KINDS = 5;
    /** What the buffer holds around the frame: changes to it, or reading it, show up. */
    static final byte FILL = (byte) 0xFF;

    private FuzzBuffers() {
    }

    /** A frame laid out in a buffer, and what the buffer looked like before the code under test touched it. */
    static final class Laid {
        final ByteBuffer buffer;
        final int offset;
        final int length;
        final byte[] frame;
        private final byte[] before;
        private final int position;
        private final int limit;
        private final ByteOrder order;

        Laid(ByteBuffer buffer, int offset, byte[] frame) {
            this.buffer = buffer;
            this.offset = offset;
            this.length = frame.length;
            this.frame = frame;
            this.before = contents(buffer);
            this.position = buffer.position();
            this.limit = buffer.limit();
            this.order = buffer.order();
        }

        /** Neither the bytes nor position, limit or byte order changed. */
        void assertUntouched() {
            assertEquals(position, buffer.position(), "position moved");
            assertEquals(limit, buffer.limit(), "limit moved");
            assertEquals(order, buffer.order(), "byte order changed");
            byte[] now = contents(buffer);
            for (int i = 0; i < now.length; i++) {
                if (now[i] != before[i]) {
                    throw new AssertionError("byte " + i + " of the buffer changed");
                }
            }
        }
    }

    /** Lays out a raw fuzz input: {@code kind, offset, tail}, then the frame. */
    static Laid lay(byte[] input) {
        int kind = input.length > 0 ? Byte.toUnsignedInt(input[0]) % KINDS : 0;
        int offset = input.length > 1 ? input[1] & 0x3F : 0;
        int tail = input.length > 2 ? input[2] & 0x3F : 0;
        byte[] frame = new byte[Math.max(0, input.length - 3)];
        System.arraycopy(input, Math.min(3, input.length), frame, 0, frame.length);
        return lay(kind, offset, frame, tail);
    }

    /**
     * @param kind 0 heap, 1 direct, 2 heap slice (an array offset), 3 little-endian direct, 4 read-only heap
     */
    static Laid lay(int kind, int offset, byte[] frame, int tail) {
        int capacity = offset + frame.length + tail;
        ByteBuffer b;
        switch (kind) {
            case 1 -> b = ByteBuffer.allocateDirect(capacity);
            case 2 -> b = ByteBuffer.allocate(capacity + 11).position(11).slice();
            case 3 -> b = ByteBuffer.allocateDirect(capacity).order(ByteOrder.LITTLE_ENDIAN);
            default -> b = ByteBuffer.allocate(capacity);
        }
        for (int i = 0; i < capacity; i++) {
            b.put(i, FILL);
        }
        b.put(offset, frame);
        b.position(Math.min(capacity, 3)); // not 0: code that reads relative to the position is caught
        if (kind == 4) {
            b = b.asReadOnlyBuffer();
        }
        return new Laid(b, offset, frame);
    }

    static byte[] contents(ByteBuffer b) {
        byte[] bytes = new byte[b.limit()];
        b.get(0, bytes);
        return bytes;
    }
}
