package org.alagg.engine;

import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.alagg.protocol.FecCode;
import org.alagg.protocol.FecDecoder;
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
 * Forward error correction's coder on 1400-byte packets, for k and m from 1 to 20 (docs/fec.md).
 *
 * <ul>
 * <li>{@code encode}: one operation is one packet added to its group's m parity symbols, as the egress thread does for
 * every packet it numbers ({@link FecEncoder#add}), the group closed (its symbols zeroed) after k: ns per packet sent.
 * <li>{@code repair}: one operation is one repair of a group that lost min(k, m) DATA packets: the parity symbols with the
 * k - r packets held taken out (syndromes), then the r x r inversion and the r packets rebuilt, as the ingress thread
 * does ({@link FecRepair#repair}); divide by min(k, m) for ns per packet repaired.
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FecBenchmark {
    private static final int PACKET = 1400;
    private static final int SYMBOL = FecCode.SYMBOL_HEADER + PACKET;

    @Param({"1", "2", "4", "10", "20"})
    public int k;
    @Param({"1", "2", "4", "10", "20"})
    public int m;

    private final FecEncoder encoder = new FecEncoder();
    private FecSettings settings;
    private final ByteBuffer packet = ByteBuffer.allocateDirect(PACKET);
    private int sequence;

    private byte[][] data;
    private byte[][] parity;
    private byte[][] syndromes;
    private byte[][] out;
    private int[] missing;
    private int[] rows;
    private int lost;
    private FecDecoder decoder;

    @Setup
    public void makeGroup() {
        settings = FecSettings.of(k + ":" + m, 5, 0.001);
        Random random = new Random(19);
        byte[] bytes = new byte[PACKET];
        random.nextBytes(bytes);
        packet.put(0, bytes);
        data = new byte[k][SYMBOL];
        parity = new byte[m][SYMBOL];
        for (int i = 0; i < k; i++) {
            random.nextBytes(data[i]);
            FecCode.writeSymbolHeader(data[i], PACKET, 1);
            for (int j = 0; j < m; j++) {
                FecCode.encode(parity[j], j, data[i], i, SYMBOL);
            }
        }
        lost = Math.min(k, m);
        missing = new int[lost];
        rows = new int[lost];
        for (int b = 0; b < lost; b++) {
            missing[b] = b; // the first packets lost
            rows[b] = b;
        }
        syndromes = new byte[lost][SYMBOL];
        out = new byte[lost][SYMBOL];
        decoder = new FecDecoder(20);
    }

    @Benchmark
    public int encode() {
        encoder.add(settings, 1, sequence++, packet, PACKET, 1, 0);
        if (encoder.full()) {
            encoder.close();
        }
        return sequence;
    }

    @Benchmark
    public byte[][] repair() {
        for (int r = 0; r < lost; r++) {
            System.arraycopy(parity[rows[r]], 0, syndromes[r], 0, SYMBOL);
            for (int i = lost; i < k; i++) {
                FecCode.encode(syndromes[r], rows[r], data[i], i, SYMBOL);
            }
        }
        decoder.repair(lost, missing, rows, syndromes, SYMBOL, out);
        return out;
    }
}
