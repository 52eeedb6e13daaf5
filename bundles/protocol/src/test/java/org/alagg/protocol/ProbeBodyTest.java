package org.alagg.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class ProbeBodyTest {

    private static final int H = FrameCodec.HEADER_LENGTH;

    @Test
    void aProbeIsEchoedAndItsBodyReadBackForTheRoundTripTime() {
        // the prober sends a PROBE on link 2
        ByteBuffer probe = ByteBuffer.allocateDirect(64);
        FrameHeader out = Frames.of(FrameType.PROBE).linkId(2);
        FrameCodec.encode(out, probe, 0);
        long sent = 123_456_789_012L;
        assertEquals(ProbeBody.LENGTH, ProbeBody.write(probe, H, sent, 77));

        // the peer decodes it and answers with the body copied unchanged
        FrameHeader in = new FrameHeader();
        assertEquals(Reject.NONE, FrameCodec.decode(probe, 0, 60, in));
        ByteBuffer reply = ByteBuffer.allocateDirect(64);
        FrameCodec.encode(Frames.of(FrameType.PROBE_REPLY).linkId(in.linkId()).innerLength(in.innerLength()), reply, 0);
        reply.put(H, probe, H, in.innerLength());

        // the prober recognises its probe and its own clock reading
        FrameHeader answer = new FrameHeader();
        assertEquals(Reject.NONE, FrameCodec.decode(reply, 0, 60, answer));
        assertEquals(FrameType.PROBE_REPLY, answer.frameType());
        assertEquals(2, answer.linkId());
        assertEquals(77, ProbeBody.probeId(reply, H));
        assertEquals(sent, ProbeBody.sentNanos(reply, H));
    }

    @Test
    void bodyLayoutIsSentNanosThenProbeId() {
        ByteBuffer buf = ByteBuffer.allocate(ProbeBody.LENGTH);
        ProbeBody.write(buf, 0, 0x0102030405060708L, 0xA0B0C0D0);
        assertEquals("0102030405060708a0b0c0d0", HexFormat.of().formatHex(buf.array()));
    }

    @Test
    void writeChecksTheRoom() {
        ByteBuffer buf = ByteBuffer.allocate(ProbeBody.LENGTH + 3);
        assertThrows(IndexOutOfBoundsException.class, () -> ProbeBody.write(buf, 4, 1, 1));
    }
}
