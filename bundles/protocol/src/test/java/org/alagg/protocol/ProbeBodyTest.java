package org.alagg.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    @Test
    void aChallengeFollowsTheProbeIdAndIsRecognisedInTheEcho() {
        byte[] challenge = HexFormat.of().parseHex("00112233445566778899aabbccddeeff");
        ByteBuffer probe = ByteBuffer.allocateDirect(64);
        FrameHeader out = Frames.of(FrameType.PROBE).innerLength(ProbeBody.CHALLENGE_BODY_LENGTH);
        FrameCodec.encode(out, probe, 0);
        ProbeBody.write(probe, H, 5, 6);
        assertEquals(ProbeBody.CHALLENGE_BODY_LENGTH, ProbeBody.writeChallenge(probe, H, challenge));
        assertEquals(28, ProbeBody.CHALLENGE_BODY_LENGTH);
        assertEquals(16, ProbeBody.CHALLENGE_LENGTH);

        // the responder echoes the body without knowing a challenge is in it
        FrameHeader in = new FrameHeader();
        assertEquals(Reject.NONE, FrameCodec.decode(probe, 0, 60, in));
        ByteBuffer reply = ByteBuffer.allocate(64);
        FrameCodec.encode(Frames.of(FrameType.PROBE_REPLY).innerLength(in.innerLength()), reply, 0);
        reply.put(H, probe, H, in.innerLength());

        assertEquals(Reject.NONE, FrameCodec.decode(reply, 0, 60, in));
        assertTrue(ProbeBody.hasChallenge(reply, H, in.innerLength(), challenge));
        assertEquals(6, ProbeBody.probeId(reply, H));
        assertEquals(5, ProbeBody.sentNanos(reply, H));
        assertEquals("0000000000000005" + "00000006" + "00112233445566778899aabbccddeeff",
                HexFormat.of().formatHex(reply.array(), H, H + ProbeBody.CHALLENGE_BODY_LENGTH));
    }

    @Test
    void anotherChallengeOrAShortBodyIsNoEcho() {
        byte[] challenge = new byte[ProbeBody.CHALLENGE_LENGTH];
        for (int i = 0; i < challenge.length; i++) {
            challenge[i] = (byte) (0x40 + i);
        }
        ByteBuffer body = ByteBuffer.allocate(40);
        ProbeBody.write(body, 4, 1, 2);
        ProbeBody.writeChallenge(body, 4, challenge);
        assertTrue(ProbeBody.hasChallenge(body, 4, 28, challenge));
        assertTrue(ProbeBody.hasChallenge(body, 4, 36, challenge), "padding after the challenge");
        assertFalse(ProbeBody.hasChallenge(body, 4, 27, challenge), "body too short to hold one");
        assertFalse(ProbeBody.hasChallenge(body, 4, ProbeBody.LENGTH, challenge), "a plain probe");
        for (int i = 0; i < challenge.length; i++) {
            byte[] other = challenge.clone();
            other[i] ^= 0x01;
            assertFalse(ProbeBody.hasChallenge(body, 4, 28, other), "byte " + i);
        }
        assertEquals(0, body.position());
        assertEquals(40, body.limit());
    }

    @Test
    void challengesAre16BytesAndMustFit() {
        ByteBuffer buf = ByteBuffer.allocate(ProbeBody.CHALLENGE_BODY_LENGTH + 3);
        assertThrows(IllegalArgumentException.class, () -> ProbeBody.writeChallenge(buf, 0, new byte[15]));
        assertThrows(IllegalArgumentException.class, () -> ProbeBody.hasChallenge(buf, 0, 28, new byte[17]));
        assertThrows(IndexOutOfBoundsException.class, () -> ProbeBody.writeChallenge(buf, 4, new byte[16]));
        assertEquals(ProbeBody.CHALLENGE_BODY_LENGTH, ProbeBody.writeChallenge(buf, 3, new byte[16]));
    }
}
