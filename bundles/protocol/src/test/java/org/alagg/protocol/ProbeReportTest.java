package org.alagg.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;

class ProbeReportTest {
    private static final int H = FrameCodec.HEADER_LENGTH;

    @Test
    void aReplyCarriesTheEchoedBodyThenTheReport() {
        ByteBuffer reply = ByteBuffer.allocateDirect(128);
        int inner = ProbeBody.LENGTH + ProbeReport.LENGTH;
        FrameCodec.encode(Frames.of(FrameType.PROBE_REPLY).linkId(1).innerLength(inner), reply, 0);
        ProbeBody.write(reply, H, 5_000_000_000L, 9);
        assertEquals(ProbeReport.LENGTH, ProbeReport.write(reply, H + ProbeBody.LENGTH, ProbeBody.LENGTH, 0xFFFFFFFE, 3));
        byte[] body = new byte[inner];
        reply.get(H, body);
        // the bytes a second implementation must produce (docs/protocol.md section 3)
        assertEquals("000000012a05f200" + "00000009" + "000c" + "01" + "00" + "fffffffe" + "00000003",
                HexFormat.of().formatHex(body));

        FrameHeader in = new FrameHeader();
        assertEquals(Reject.NONE, FrameCodec.decode(reply, 0, 60, in));
        assertEquals(9, ProbeBody.probeId(reply, H), "a prober that knows no report reads the echo as before");
        int at = ProbeReport.find(reply, H, in.innerLength(), ProbeBody.LENGTH);
        assertEquals(H + ProbeBody.LENGTH, at);
        assertEquals(0xFFFFFFFE, ProbeReport.received(reply, at));
        assertEquals(3, ProbeReport.lost(reply, at));
    }

    @Test
    void aReplyWithoutOrWithAnotherReportHasNone() {
        ByteBuffer reply = ByteBuffer.allocate(128).order(ByteOrder.LITTLE_ENDIAN);
        ProbeBody.write(reply, H, 1, 1);
        assertEquals(-1, ProbeReport.find(reply, H, ProbeBody.LENGTH, ProbeBody.LENGTH), "an exact echo: no report");
        ProbeReport.write(reply, H + ProbeBody.LENGTH, ProbeBody.LENGTH, 7, 0);
        assertEquals(7, ProbeReport.received(reply, H + ProbeBody.LENGTH), "big-endian in any buffer order");
        assertEquals(-1, ProbeReport.find(reply, H, 24, ProbeBody.CHALLENGE_BODY_LENGTH),
                "a reply to a longer probe: these bytes are its echo");
        assertEquals(H + ProbeBody.LENGTH, ProbeReport.find(reply, H, 40, ProbeBody.LENGTH),
                "bytes after the report (a later extension) are ignored");
        reply.put(H + ProbeBody.LENGTH + 2, (byte) 2);
        assertEquals(-1, ProbeReport.find(reply, H, 24, ProbeBody.LENGTH), "another report type");
        reply.put(H + ProbeBody.LENGTH + 2, (byte) 1);
        reply.put(H + ProbeBody.LENGTH + 1, (byte) 28);
        assertEquals(-1, ProbeReport.find(reply, H, 24, ProbeBody.LENGTH), "another echo length: padding, not a report");
        assertThrows(IllegalArgumentException.class, () -> ProbeReport.write(reply, H, 11, 0, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> ProbeReport.write(reply, 120, 12, 0, 0));
    }

    @Test
    void theHeardListFollowsTheReport() {
        ByteBuffer reply = ByteBuffer.allocate(128);
        ProbeBody.write(reply, H, 5_000_000_000L, 9);
        int at = H + ProbeBody.LENGTH;
        ProbeReport.write(reply, at, ProbeBody.LENGTH, 0xFFFFFFFE, 3);
        assertEquals(3, ProbeReport.writeHeard(reply, at, new int[] {0, 255, 7}, 2));
        int inner = ProbeBody.LENGTH + ProbeReport.LENGTH + 3;
        byte[] body = new byte[inner];
        reply.get(H, body);
        // the bytes a second implementation must produce (docs/protocol.md section 3)
        assertEquals("000000012a05f200" + "00000009" + "000c" + "01" + "00" + "fffffffe" + "00000003" + "02" + "00ff",
                HexFormat.of().formatHex(body));
        assertEquals(at, ProbeReport.find(reply, H, inner, ProbeBody.LENGTH), "a prober that knows no list finds the report");
        assertEquals(2, ProbeReport.heardCount(reply, at, H + inner));
        assertEquals(0, ProbeReport.heardLink(reply, at, 0));
        assertEquals(255, ProbeReport.heardLink(reply, at, 1));
        assertEquals(-1, ProbeReport.heardCount(reply, at, H + inner - 1), "cut short: no list");
        assertEquals(-1, ProbeReport.heardCount(reply, at, H + ProbeBody.LENGTH + ProbeReport.LENGTH), "a report alone");
        assertEquals(1, ProbeReport.writeHeard(reply, at, new int[0], 0));
        assertEquals(0, ProbeReport.heardCount(reply, at, H + inner), "an empty list: the responder hears nothing");
        assertThrows(IllegalArgumentException.class, () -> ProbeReport.writeHeard(reply, at, new int[256], 256));
        assertThrows(IndexOutOfBoundsException.class, () -> ProbeReport.writeHeard(reply, 120, new int[] {1}, 1));
    }
}
