package org.alagg.nfqueue;

import static org.alagg.nfqueue.Fixtures.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Exact bytes of the requests, against the fixtures in {@link Fixtures} (which follow netlink.h,
 * nfnetlink.h and nfnetlink_queue.h; header fields little-endian = this host's native order).
 */
class EncoderTest {
    /** A dirty buffer of either order, at an odd offset: padding must be zeroed, order must not matter. */
    private ByteBuffer dst;
    private static final int AT = 3;

    @BeforeEach
    void assumeLittleEndianHost() {
        assumeTrue(Fixtures.littleEndianHost(), "fixtures spell host-order fields little-endian");
    }

    private void dirty(ByteOrder order) {
        dst = ByteBuffer.allocateDirect(128).order(order);
        for (int i = 0; i < dst.capacity(); i++) {
            dst.put(i, (byte) 0xAA);
        }
        dst.position(7).limit(100);
    }

    private void assertWritten(String fixture, int length) {
        byte[] expected = hex(fixture);
        assertEquals(expected.length, length, "returned length");
        assertEquals(Fixtures.hex(expected), Fixtures.hex(dst, AT, length));
        assertEquals((byte) 0xAA, dst.get(AT - 1), "nothing written before the offset");
        assertEquals((byte) 0xAA, dst.get(AT + length), "nothing written after the message");
        assertEquals(7, dst.position(), "position untouched");
        assertEquals(100, dst.limit(), "limit untouched");
    }

    @ParameterizedTest
    @EnumSource(value = ByteOrderName.class)
    void bindQueue7WithAck(ByteOrderName order) {
        dirty(order.order);
        assertWritten(Fixtures.BIND_7, NfqueueMessages.bind(dst, AT, 7, 1));
    }

    @Test
    void unbindQueue7() {
        dirty(ByteOrder.BIG_ENDIAN);
        assertWritten(Fixtures.UNBIND_7, NfqueueMessages.unbind(dst, AT, 7, 5));
    }

    @ParameterizedTest
    @EnumSource(value = ByteOrderName.class)
    void paramsCopyPacketFullRangeWithZeroedPadding(ByteOrderName order) {
        dirty(order.order);
        assertWritten(Fixtures.PARAMS_7, NfqueueMessages.params(dst, AT, 7, 2,
                NfqueueMessages.COPY_PACKET, NfqueueMessages.MAX_COPY_RANGE));
    }

    @Test
    void queueMaxLen4096() {
        dirty(ByteOrder.LITTLE_ENDIAN);
        assertWritten(Fixtures.QUEUE_MAXLEN_7, NfqueueMessages.queueMaxLen(dst, AT, 7, 3, 4096));
    }

    @Test
    void flagsAlwaysWithMask() {
        dirty(ByteOrder.BIG_ENDIAN);
        assertWritten(Fixtures.FLAGS_7, NfqueueMessages.flags(dst, AT, 7, 4, NfqueueMessages.F_FAIL_OPEN,
                NfqueueMessages.F_FAIL_OPEN | NfqueueMessages.F_GSO));
    }

    @ParameterizedTest
    @EnumSource(value = ByteOrderName.class)
    void verdictBatchDropUpTo42OnQueue7(ByteOrderName order) {
        dirty(order.order);
        assertWritten(Fixtures.VERDICT_BATCH_DROP_42_7,
                NfqueueMessages.verdictBatch(dst, AT, 7, 9, NfqueueMessages.NF_DROP, 42));
    }

    @Test
    void singleVerdictAccept() {
        dirty(ByteOrder.LITTLE_ENDIAN);
        assertWritten(Fixtures.VERDICT_ACCEPT_5_7, NfqueueMessages.verdict(dst, AT, 7, 10, NfqueueMessages.NF_ACCEPT, 5));
    }

    @Test
    void constantsMatchTheHeaders() {
        // nfnetlink.h: NFNL_SUBSYS_QUEUE 3; nfnetlink_queue.h: enum nfqnl_msg_types
        assertEquals(0x0300, NfqueueMessages.type(NfqueueMessages.MSG_PACKET));
        assertEquals(0x0301, NfqueueMessages.type(NfqueueMessages.MSG_VERDICT));
        assertEquals(0x0302, NfqueueMessages.type(NfqueueMessages.MSG_CONFIG));
        assertEquals(0x0303, NfqueueMessages.type(NfqueueMessages.MSG_VERDICT_BATCH));
        // nfnetlink_queue.h: NFQA_CFG_F_* bits
        assertEquals(1, NfqueueMessages.F_FAIL_OPEN);
        assertEquals(2, NfqueueMessages.F_CONNTRACK);
        assertEquals(4, NfqueueMessages.F_GSO);
        assertEquals(8, NfqueueMessages.F_UID_GID);
        assertEquals(0x10, NfqueueMessages.F_SECCTX);
        // netlink.h
        assertEquals(0x3FFF, Netlink.NLA_TYPE_MASK);
        assertEquals(36, NfqueueMessages.MAX_LENGTH);
    }

    @Test
    void programmingErrorsThrow() {
        dirty(ByteOrder.BIG_ENDIAN);
        assertThrows(IllegalArgumentException.class, () -> NfqueueMessages.bind(dst, 0, 65536, 1));
        assertThrows(IllegalArgumentException.class, () -> NfqueueMessages.bind(dst, 0, -1, 1));
        assertThrows(IllegalArgumentException.class, () -> NfqueueMessages.params(dst, 0, 7, 1, 3, 0xffff));
        assertThrows(IllegalArgumentException.class, () -> NfqueueMessages.queueMaxLen(dst, 0, 7, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> NfqueueMessages.flags(dst, 0, 7, 1, 3, 1));
        // does not fit below the limit (100)
        assertThrows(IndexOutOfBoundsException.class, () -> NfqueueMessages.flags(dst, 70, 7, 1, 1, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> NfqueueMessages.verdictBatch(dst, -1, 7, 1, 0, 1));
        byte[] untouched = new byte[128];
        Arrays.fill(untouched, (byte) 0xAA);
        byte[] now = new byte[128];
        dst.duplicate().clear().get(0, now);
        assertEquals(Fixtures.hex(untouched), Fixtures.hex(now), "a refused request writes nothing");
    }

    enum ByteOrderName {
        BIG(ByteOrder.BIG_ENDIAN), LITTLE(ByteOrder.LITTLE_ENDIAN);

        final ByteOrder order;

        ByteOrderName(ByteOrder order) {
            this.order = order;
        }
    }
}
