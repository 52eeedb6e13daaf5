package org.alagg.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;

import org.junit.jupiter.api.Test;

/** The coder against a reference made from the definition alone (shift-and-add multiplication, no tables). */
class FecCodeTest {
    /** Carry-less multiplication reduced by 0x11d, bit by bit. */
    private static int slowMultiply(int a, int b) {
        int p = 0;
        while (b != 0) {
            if ((b & 1) != 0) {
                p ^= a;
            }
            a <<= 1;
            if ((a & 0x100) != 0) {
                a ^= 0x11d;
            }
            b >>= 1;
        }
        return p;
    }

    private static int slowInverse(int a) {
        for (int x = 1; x < 256; x++) {
            if (slowMultiply(a, x) == 1) {
                return x;
            }
        }
        throw new AssertionError();
    }

    @Test
    void theFieldIsTheOneTheSpecificationNames() {
        for (int a = 0; a < 256; a++) {
            for (int b = 0; b < 256; b++) {
                assertEquals(slowMultiply(a, b), FecCode.multiply(a, b));
            }
        }
        for (int a = 1; a < 256; a++) {
            assertEquals(slowInverse(a), FecCode.inverse(a));
        }
        assertThrows(ArithmeticException.class, () -> FecCode.inverse(0));
    }

    @Test
    void coefficientsFollowTheScaledCauchyMatrix() {
        for (int j = 0; j < 64; j++) {
            for (int i = 0; i + j < 255; i++) {
                int expected = slowMultiply(255 ^ i, slowInverse((255 - j) ^ i));
                assertEquals(expected, FecCode.coefficient(j, i), "a(" + j + ", " + i + ")");
            }
        }
        assertEquals(1, FecCode.coefficient(0, 7), "row 0 is XOR");
        // pinned for docs/protocol.md: a(1, 0) = 255 / 254, a(1, 1) = 254 / 255, a(2, 0) = 255 / 253
        assertEquals(slowMultiply(255, slowInverse(254)), FecCode.coefficient(1, 0));
    }

    /** Every k, m in 1..20: random symbols, random erasures of up to m symbols (data and parity), all repaired. */
    @Test
    void anyMOfKPlusMSymbolsAreRepaired() {
        Random random = new Random(19);
        FecDecoder decoder = new FecDecoder(20);
        int length = 37;
        for (int k = 1; k <= 20; k++) {
            for (int m = 1; m <= 20; m++) {
                byte[][] data = randomSymbols(random, k, length);
                byte[][] parity = encode(data, m, length);
                for (int j = 0; j < m; j++) {
                    for (int t = 0; t < length; t++) { // the reference: byte by byte
                        int expected = 0;
                        for (int i = 0; i < k; i++) {
                            expected ^= slowMultiply(FecCode.coefficient(j, i), data[i][t] & 0xff);
                        }
                        assertEquals(expected, parity[j][t] & 0xff);
                    }
                }
                for (int trial = 0; trial < 10; trial++) {
                    boolean[] lost = new boolean[k + m];
                    int losses = 1 + random.nextInt(m);
                    for (int l = 0; l < losses; ) {
                        int s = random.nextInt(k + m);
                        if (!lost[s]) {
                            lost[s] = true;
                            l++;
                        }
                    }
                    repairAndCheck(decoder, k, m, data, parity, lost, length);
                }
            }
        }
    }

    private static byte[][] randomSymbols(Random random, int k, int length) {
        byte[][] data = new byte[k][length];
        for (byte[] d : data) {
            random.nextBytes(d);
        }
        return data;
    }

    /** The m parity symbols of the data symbols. */
    private static byte[][] encode(byte[][] data, int m, int length) {
        byte[][] parity = new byte[m][length];
        for (int j = 0; j < m; j++) {
            for (int i = 0; i < data.length; i++) {
                FecCode.encode(parity[j], j, data[i], i, length);
            }
        }
        return parity;
    }

    private static void repairAndCheck(FecDecoder decoder, int k, int m, byte[][] data, byte[][] parity, boolean[] lost,
                                       int length) {
        int[] missing = new int[m];
        int count = 0;
        for (int i = 0; i < k; i++) {
            if (lost[i]) {
                missing[count++] = i;
            }
        }
        if (count == 0) {
            return;
        }
        int[] rows = new int[count];
        byte[][] syndromes = new byte[count][length];
        int r = 0;
        for (int j = 0; j < m && r < count; j++) {
            if (!lost[k + j]) {
                rows[r] = j;
                System.arraycopy(parity[j], 0, syndromes[r], 0, length);
                for (int i = 0; i < k; i++) {
                    if (!lost[i]) {
                        FecCode.encode(syndromes[r], j, data[i], i, length);
                    }
                }
                r++;
            }
        }
        assertEquals(count, r, "no more losses than parity symbols");
        byte[][] out = new byte[count][length];
        decoder.repair(count, missing, rows, syndromes, length, out);
        for (int b = 0; b < count; b++) {
            assertArrayEquals(data[missing[b]], out[b], "k " + k + " m " + m + " symbol " + missing[b]);
        }
    }

    @Test
    void theLargestGroupRepairs() {
        Random random = new Random(255);
        int k = 235;
        int m = 20;
        int length = 9;
        byte[][] data = randomSymbols(random, k, length);
        byte[][] parity = encode(data, m, length);
        boolean[] lost = new boolean[k + m];
        for (int i = 0; i < 20; i++) {
            lost[i * 11] = true;
        }
        repairAndCheck(new FecDecoder(20), k, m, data, parity, lost, length);
    }

    /** docs/protocol.md's example, computed with Python from the text alone. */
    @Test
    void theSpecificationsExampleHolds() {
        assertEquals(0x7f, FecCode.coefficient(1, 0));
        assertEquals(0xfc, FecCode.coefficient(1, 1));
        assertEquals(0xe2, FecCode.coefficient(2, 0));
        assertEquals(0x1d, FecCode.coefficient(3, 1));
        byte[] d0 = {0, 2, 1, 0x45, 0x00, 0};
        byte[] d1 = {0, 3, 2, 0x60, 1, 2};
        byte[][] parity = new byte[2][6];
        for (int j = 0; j < 2; j++) {
            FecCode.encode(parity[j], j, d0, 0, 6);
            FecCode.encode(parity[j], j, d1, 1, 6);
        }
        assertEquals("000103250102", java.util.HexFormat.of().formatHex(parity[0]));
        assertEquals("00e79a2ffce5", java.util.HexFormat.of().formatHex(parity[1]));
    }

    @Test
    void symbolHeaderCarriesLengthAndProtocol() {
        byte[] symbol = new byte[8];
        FecCode.writeSymbolHeader(symbol, 1480, 2);
        assertEquals(1480, FecCode.packetLength(symbol));
        assertEquals(2, FecCode.protocolCode(symbol));
    }
}
