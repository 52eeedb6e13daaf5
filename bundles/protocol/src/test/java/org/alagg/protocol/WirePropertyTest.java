package org.alagg.protocol;

import static org.alagg.protocol.Frames.assertSameHeader;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.ByteBuffer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class WirePropertyTest {

    private static final int H = FrameCodec.HEADER_LENGTH;

    @Property
    void everyValidHeaderRoundTrips(@ForAll("validHeaders") FrameHeader sent, @ForAll @IntRange(max = 100) int offset) {
        ByteBuffer buf = ByteBuffer.allocateDirect(offset + sent.frameLength() + 46);
        FrameCodec.encode(sent, buf, offset);
        FrameHeader received = new FrameHeader();
        assertEquals(Reject.NONE, FrameCodec.decode(buf, offset, buf.capacity() - offset, received));
        assertSameHeader(sent, received);
    }

    @Property(tries = 5000)
    void randomBytesNeverThrow(@ForAll @Size(max = 96) byte[] bytes) {
        decodeHostile(bytes);
    }

    /** Random bytes rarely get past the version byte; these start with plausible codes. */
    @Property(tries = 5000)
    void nearlyValidBytesNeverThrow(@ForAll @Size(min = 20, max = 96) byte[] bytes,
                                    @ForAll @IntRange(max = 5) int type, @ForAll @IntRange(max = 3) int flags,
                                    @ForAll @IntRange(max = 4) int protocol, @ForAll @IntRange(max = 100) int innerLength,
                                    @ForAll @IntRange(max = 20) int tagLength) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        b.put(0, (byte) FrameCodec.VERSION).put(1, (byte) type).put(2, (byte) flags).put(3, (byte) protocol)
                .putShort(4, (short) innerLength).put(7, (byte) tagLength);
        decodeHostile(bytes);
    }

    /** Decoding never throws; what it accepts re-encodes to the very same header bytes. */
    private static void decodeHostile(byte[] bytes) {
        ByteBuffer src = ByteBuffer.allocateDirect(bytes.length).put(0, bytes);
        FrameHeader h = new FrameHeader();
        Reject r = FrameCodec.decode(src, 0, bytes.length, h);
        assertNotNull(r);
        if (r == Reject.NONE) {
            ByteBuffer again = ByteBuffer.allocateDirect(H);
            FrameCodec.encode(h, again, 0);
            assertEquals(src.slice(0, H), again);
        }
    }

    @Property
    void distanceUndoesAddition(@ForAll int a, @ForAll int d) {
        assertEquals(d, Sequence.distance(a, a + d));
    }

    @Property
    void exactlyOneOfTwoDistinctNumbersIsAfterUnlessHalfTheSpaceApart(@ForAll int a, @ForAll int b) {
        int expected = a == b || Sequence.distance(a, b) == Integer.MIN_VALUE ? 0 : 1;
        int after = (Sequence.isAfter(a, b) ? 1 : 0) + (Sequence.isAfter(b, a) ? 1 : 0);
        assertEquals(expected, after);
    }

    @Property
    void nextIsAlwaysAfter(@ForAll int a) {
        assertEquals(true, Sequence.isAfter(Sequence.next(a), a));
    }

    @Provide
    Arbitrary<FrameHeader> validHeaders() {
        Arbitrary<FrameType> types = Arbitraries.of(FrameType.class);
        Arbitrary<PayloadProtocol> packets = Arbitraries.of(PayloadProtocol.IPV4, PayloadProtocol.IPV6,
                PayloadProtocol.ETHERNET);
        Arbitrary<Integer> inner = Arbitraries.integers().between(ProbeBody.LENGTH, 9000);
        Arbitrary<Integer> small = Arbitraries.integers().between(0, 255);
        Arbitrary<Integer> any = Arbitraries.integers();
        return Combinators.combine(types, packets, inner, small, small, any, any, any)
                .as((type, packet, innerLength, link, tag, epoch, global, perLink) -> new FrameHeader()
                        .frameType(type)
                        .payloadProtocol(type == FrameType.DATA ? packet : PayloadProtocol.NONE)
                        .innerLength(innerLength)
                        .linkId(link)
                        .authTagLength(tag)
                        .epoch(epoch)
                        .globalSequence(global)
                        .linkSequence(perLink));
    }
}
