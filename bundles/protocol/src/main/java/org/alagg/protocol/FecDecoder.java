package org.alagg.protocol;

/**
 * Gives back a group's lost data symbols from as many of its parity symbols ({@link FecCode}). One per thread: its
 * matrices are made once for up to {@code capacity} lost symbols, and nothing is allocated per repair.
 */
public final class FecDecoder {
    private final int capacity;
    /** The square matrix being inverted, then its inverse (Gauss-Jordan on {@code [A | I]}). */
    private final int[][] work;

    /** @param capacity the most symbols one repair gives back (the largest m used), 1-254 */
    public FecDecoder(int capacity) {
        if (capacity < 1 || capacity >= FecCode.MAX_SYMBOLS) {
            throw new IllegalArgumentException("capacity " + capacity + " is out of range 1.." + (FecCode.MAX_SYMBOLS - 1));
        }
        this.capacity = capacity;
        this.work = new int[capacity][2 * capacity];
    }

    public int capacity() {
        return capacity;
    }

    /**
     * Repairs {@code count} lost data symbols. The caller has taken every data symbol it holds out of the parity
     * symbols already ({@code syndromes[r] = parity[rows[r]] + sum over held i of a(rows[r], i) * data[i]}, with
     * {@link FecCode#encode}), so that what is left is the lost symbols' share.
     *
     * @param missing   the lost data symbols' indexes in the group
     * @param rows      the parity indexes of {@code syndromes}, as many as {@code missing}
     * @param syndromes what is left of those parity symbols
     * @param length    the group's symbol length
     * @param out       receives the lost symbols, {@code out[b]} for {@code missing[b]} (overwritten over {@code length})
     */
    public void repair(int count, int[] missing, int[] rows, byte[][] syndromes, int length, byte[][] out) {
        if (count < 1 || count > capacity) {
            throw new IllegalArgumentException("count " + count + " is out of range 1.." + capacity);
        }
        invert(count, missing, rows);
        for (int b = 0; b < count; b++) {
            java.util.Arrays.fill(out[b], 0, length, (byte) 0);
            for (int r = 0; r < count; r++) {
                FecCode.addMultiple(out[b], syndromes[r], length, work[b][count + r]);
            }
        }
    }

    /** Leaves the inverse of {@code A[r][b] = a(rows[r], missing[b])} in {@code work[.][count .. 2 count)}. */
    private void invert(int n, int[] missing, int[] rows) {
        for (int r = 0; r < n; r++) {
            for (int b = 0; b < n; b++) {
                work[r][b] = FecCode.coefficient(rows[r], missing[b]);
                work[r][n + b] = r == b ? 1 : 0;
            }
        }
        for (int col = 0; col < n; col++) {
            int pivot = col;
            while (pivot < n && work[pivot][col] == 0) {
                pivot++;
            }
            if (pivot == n) {
                throw new IllegalArgumentException("parity rows not distinct or symbol indexes out of range");
            }
            if (pivot != col) {
                int[] t = work[pivot];
                work[pivot] = work[col];
                work[col] = t;
            }
            int scale = FecCode.inverse(work[col][col]);
            for (int c = 0; c < 2 * n; c++) {
                work[col][c] = FecCode.multiply(work[col][c], scale);
            }
            for (int r = 0; r < n; r++) {
                int f = work[r][col];
                if (r != col && f != 0) {
                    for (int c = 0; c < 2 * n; c++) {
                        work[r][c] ^= FecCode.multiply(f, work[col][c]);
                    }
                }
            }
        }
        // rows were swapped: the inverse's row b now corresponds to missing[b] as Gauss-Jordan on [A | I] gives A^-1
    }
}
