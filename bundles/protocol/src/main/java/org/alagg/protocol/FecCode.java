package org.alagg.protocol;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The erasure code of PARITY frames (docs/protocol.md section 3, "PARITY"): a systematic Reed-Solomon code over GF(2^8)
 * (polynomial x^8 + x^4 + x^3 + x^2 + 1, 0x11d) whose parity rows are a Cauchy matrix with each column scaled so that
 * the first row is all ones: parity 0 is the plain XOR of the data symbols, and any {@code m} of a group's {@code k + m}
 * symbols give back the rest (every square submatrix of a Cauchy matrix is invertible, and scaling columns keeps that).
 *
 * <p>Coefficient of data symbol {@code i} in parity symbol {@code j}: {@code a(j, i) = (x_0 + y_i) / (x_j + y_i)} with
 * {@code x_j = 255 - j}, {@code y_i = i} ({@code +} is XOR). It depends on neither {@code k} nor {@code m}: a group
 * closed early (its timeout) is the first columns of the same matrix, and a sender adds each data symbol to the parity
 * as it goes. {@code k + m <= 255}.
 *
 * <p>A data symbol is the packet framed so that a repaired one gets its exact length and protocol back:
 * {@code length (2 bytes, big-endian) | payload protocol (1 byte) | packet | zeros} up to the group's symbol length,
 * 3 + its longest packet. Static tables, no object per call.
 */
public final class FecCode {
    /** The field's reduction polynomial. */
    public static final int POLYNOMIAL = 0x11d;
    /** The most symbols (data and parity) of one group. */
    public static final int MAX_SYMBOLS = 255;
    /** The bytes before the packet in a data symbol: its length and its payload protocol. */
    public static final int SYMBOL_HEADER = 3;

    private static final int[] LOG = new int[256];
    private static final byte[] EXP = new byte[510];
    /** {@code MUL[a][b] = a * b} in the field: 64 KiB, one row per coefficient. */
    private static final byte[][] MUL = new byte[256][256];
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    static {
        int x = 1;
        for (int i = 0; i < 255; i++) {
            EXP[i] = (byte) x;
            EXP[i + 255] = (byte) x;
            LOG[x] = i;
            x <<= 1;
            if (x >= 256) {
                x ^= POLYNOMIAL;
            }
        }
        for (int a = 1; a < 256; a++) {
            for (int b = 1; b < 256; b++) {
                MUL[a][b] = EXP[LOG[a] + LOG[b]];
            }
        }
    }

    private FecCode() {
    }

    /** {@code a * b} in GF(2^8). */
    public static int multiply(int a, int b) {
        return MUL[a & 0xff][b & 0xff] & 0xff;
    }

    /** The multiplicative inverse of a non-zero element. */
    public static int inverse(int a) {
        if ((a & 0xff) == 0) {
            throw new ArithmeticException("0 has no inverse");
        }
        return EXP[255 - LOG[a & 0xff]] & 0xff;
    }

    /** {@code a(j, i)}: the coefficient of data symbol {@code data} in parity symbol {@code parity}. */
    public static int coefficient(int parity, int data) {
        if (parity == 0) {
            return 1;
        }
        return multiply(255 ^ data, inverse((255 - parity) ^ data));
    }

    /** {@code target[0 .. length) += coefficient * source[0 .. length)} in the field (XOR when it is 1). */
    public static void addMultiple(byte[] target, byte[] source, int length, int coefficient) {
        int c = coefficient & 0xff;
        if (c == 0) {
            return;
        }
        if (c == 1) {
            int t = 0;
            for (; t + 8 <= length; t += 8) {
                LONGS.set(target, t, (long) LONGS.get(target, t) ^ (long) LONGS.get(source, t));
            }
            for (; t < length; t++) {
                target[t] ^= source[t];
            }
            return;
        }
        byte[] row = MUL[c];
        for (int t = 0; t < length; t++) {
            target[t] ^= row[source[t] & 0xff];
        }
    }

    /** Adds data symbol {@code data} of a group to its parity symbol {@code parity}, over {@code length} bytes. */
    public static void encode(byte[] paritySymbol, int parity, byte[] dataSymbol, int data, int length) {
        addMultiple(paritySymbol, dataSymbol, length, coefficient(parity, data));
    }

    /** Writes a data symbol's first {@link #SYMBOL_HEADER} bytes: the packet's length and payload protocol code. */
    public static void writeSymbolHeader(byte[] symbol, int packetLength, int protocolCode) {
        symbol[0] = (byte) (packetLength >>> 8);
        symbol[1] = (byte) packetLength;
        symbol[2] = (byte) protocolCode;
    }

    /** The packet length a (repaired) data symbol gives. */
    public static int packetLength(byte[] symbol) {
        return (symbol[0] & 0xff) << 8 | symbol[1] & 0xff;
    }

    /** The payload protocol code a (repaired) data symbol gives. */
    public static int protocolCode(byte[] symbol) {
        return symbol[2] & 0xff;
    }
}
