package org.alagg.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Headers and assertions shared by the tests. */
final class Frames {

    private Frames() {
    }

    static FrameHeader data(int innerLength) {
        return new FrameHeader()
                .frameType(FrameType.DATA)
                .payloadProtocol(PayloadProtocol.IPV4)
                .innerLength(innerLength)
                .linkId(3)
                .epoch(0xCAFEBABE)
                .globalSequence(0xFFFFFFFE)
                .linkSequence(42);
    }

    /** A valid header of the given type, with every field set to something distinctive. */
    static FrameHeader of(FrameType type) {
        return new FrameHeader()
                .frameType(type)
                .payloadProtocol(type == FrameType.DATA ? PayloadProtocol.IPV6 : PayloadProtocol.NONE)
                .innerLength(type == FrameType.DATA ? 1280 : type == FrameType.PARITY ? 1284 : ProbeBody.LENGTH)
                .linkId(0xFE)
                .epoch(0x80000001)
                .globalSequence(0xFFFFFFFF)
                .linkSequence(0x7FFFFFFF);
    }

    static void assertSameHeader(FrameHeader expected, FrameHeader actual) {
        assertEquals(expected.toString(), actual.toString());
        assertEquals(expected.frameType(), actual.frameType());
        assertEquals(expected.payloadProtocol(), actual.payloadProtocol());
        assertEquals(expected.innerLength(), actual.innerLength());
        assertEquals(expected.linkId(), actual.linkId());
        assertEquals(expected.authTagLength(), actual.authTagLength());
        assertEquals(expected.epoch(), actual.epoch());
        assertEquals(expected.globalSequence(), actual.globalSequence());
        assertEquals(expected.linkSequence(), actual.linkSequence());
    }
}
