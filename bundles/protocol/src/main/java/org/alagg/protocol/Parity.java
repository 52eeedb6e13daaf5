package org.alagg.protocol;

import java.nio.ByteBuffer;

/**
 * The payload of a PARITY frame (docs/protocol.md section 3): a 4-byte group header, then one parity symbol
 * ({@link FecCode}). The frame's Global sequence is the group's first DATA number; its data frames are the {@code k}
 * numbers from there.
 *
 * <pre>
 * offset 0  k       data frames in the group, 1-254
 * offset 1  m       parity frames of the group, 1-254, k + m at most 255
 * offset 2  index   this parity symbol's row, 0 .. m-1 (0: the XOR of the data symbols)
 * offset 3  reserved, sent as 0, ignored
 * offset 4  the parity symbol: Inner length - 4 bytes (3 + the group's longest packet)
 * </pre>
 */
public final class Parity {
    /** The group header's length: the symbol starts here. */
    public static final int HEADER = 4;
    /** The shortest payload: the header and a symbol of a 1-byte packet. */
    public static final int MIN_LENGTH = HEADER + FecCode.SYMBOL_HEADER + 1;

    private Parity() {
    }

    /** Writes the group header at {@code at} (the payload's start). */
    public static void write(ByteBuffer b, int at, int k, int m, int index) {
        b.put(at, (byte) k);
        b.put(at + 1, (byte) m);
        b.put(at + 2, (byte) index);
        b.put(at + 3, (byte) 0);
    }

    public static int k(ByteBuffer b, int at) {
        return Byte.toUnsignedInt(b.get(at));
    }

    public static int m(ByteBuffer b, int at) {
        return Byte.toUnsignedInt(b.get(at + 1));
    }

    public static int index(ByteBuffer b, int at) {
        return Byte.toUnsignedInt(b.get(at + 2));
    }

    /** Whether the group header names a group the code can have: k, m at least 1, k + m at most 255, index below m. */
    public static boolean valid(int k, int m, int index) {
        return k >= 1 && m >= 1 && k + m <= FecCode.MAX_SYMBOLS && index < m;
    }
}
