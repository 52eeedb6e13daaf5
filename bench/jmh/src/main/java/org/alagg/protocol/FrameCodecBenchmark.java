package org.alagg.protocol;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The 20-byte header of a DATA frame: written by the egress thread in front of every copy of a packet,
 * read by the ingress thread from every frame that arrives. One operation is one frame.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FrameCodecBenchmark {
    /** A full-size IPv4 packet on a 1500-byte link. */
    private static final int INNER_LENGTH = 1480;

    private final FrameHeader sent = new FrameHeader()
            .frameType(FrameType.DATA)
            .payloadProtocol(PayloadProtocol.IPV4)
            .innerLength(INNER_LENGTH)
            .linkId(1)
            .epoch(0x5EED5EED);
    private final FrameHeader received = new FrameHeader();
    /** Direct, like the slots of the batches the transports fill. */
    private final ByteBuffer frame = ByteBuffer.allocateDirect(FrameCodec.HEADER_LENGTH + INNER_LENGTH);
    private int sequence;

    @Setup
    public void writeTheFrameToDecode() {
        FrameCodec.encode(sent, frame, 0);
    }

    @Benchmark
    public int encode() {
        sequence++;
        sent.globalSequence(sequence).linkSequence(sequence);
        return FrameCodec.encode(sent, frame, 0);
    }

    @Benchmark
    public Reject decode() {
        return FrameCodec.decode(frame, 0, frame.capacity(), received);
    }
}
