package org.alagg.nfqueue;

import static org.alagg.nfqueue.Fixtures.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** Matching acks to requests by sequence number, and the operator's sentences (errnos per nfnetlink_queue.c). */
class PendingRequestsTest {
    private static NetlinkAck ack(int sequence, int error) {
        NetlinkAck a = new NetlinkAck();
        a.set(sequence, error, 0x0302, 5, sequence);
        return a;
    }

    @Test
    void setupSequenceSentAndAcked() {
        assumeTrue(Fixtures.littleEndianHost());
        PendingRequests pending = new PendingRequests(8, 1);
        ByteBuffer out = ByteBuffer.allocateDirect(4 * NfqueueMessages.MAX_LENGTH);
        int at = 0;
        at += NfqueueMessages.bind(out, at, 7, pending.register(ConfigRequest.BIND, 7));
        at += NfqueueMessages.params(out, at, 7, pending.register(ConfigRequest.PARAMS, 7),
                NfqueueMessages.COPY_PACKET, NfqueueMessages.MAX_COPY_RANGE);
        at += NfqueueMessages.queueMaxLen(out, at, 7, pending.register(ConfigRequest.QUEUE_MAXLEN, 7), 4096);
        at += NfqueueMessages.flags(out, at, 7, pending.register(ConfigRequest.FLAGS, 7),
                NfqueueMessages.F_FAIL_OPEN, NfqueueMessages.F_FAIL_OPEN | NfqueueMessages.F_GSO);
        // four messages back to back in one datagram: exactly the four fixtures, seq 1..4
        assertEquals(Fixtures.hex(hex(Fixtures.BIND_7 + Fixtures.PARAMS_7 + Fixtures.QUEUE_MAXLEN_7 + Fixtures.FLAGS_7)),
                Fixtures.hex(out, 0, at));
        assertEquals(4, pending.size());

        // the kernel's answers, decoded from bytes: PARAMS acked first, then BIND failed
        NetlinkAck a = new NetlinkAck();
        byte[] ackBytes = hex(Fixtures.ACK_FOR_PARAMS);
        assertEquals(Reject.NONE, PacketDecoder.decodeAck(Fixtures.direct(ackBytes, 0, ByteOrder.BIG_ENDIAN), 0, ackBytes.length, a));
        PendingRequests.Outcome params = pending.complete(a);
        assertEquals(ConfigRequest.PARAMS, params.request());
        assertTrue(params.ok());

        byte[] errorBytes = hex(Fixtures.ERROR_EBUSY_FOR_BIND);
        assertEquals(Reject.NONE, PacketDecoder.decodeAck(Fixtures.direct(errorBytes, 0, ByteOrder.BIG_ENDIAN), 0, errorBytes.length, a));
        PendingRequests.Outcome bind = pending.complete(a);
        assertEquals(ConfigRequest.BIND, bind.request());
        assertEquals(7, bind.queue());
        assertEquals(1, bind.sequence());
        assertFalse(bind.ok());
        assertTrue(bind.message().startsWith("cannot bind NFQUEUE 7: EBUSY, NFQUEUE 7 is already bound"), bind.message());
        assertNull(pending.complete(a), "an ack is matched once");
        assertEquals(2, pending.size());
    }

    @Test
    void staleOrForeignAcksAreIgnored() {
        PendingRequests pending = new PendingRequests(2, 100);
        assertEquals(100, pending.register(ConfigRequest.BIND, 3));
        assertNull(pending.complete(ack(99, 0)));
        assertEquals(1, pending.size());
        assertEquals(ConfigRequest.BIND, pending.complete(ack(100, 0)).request());
        assertTrue(pending.isEmpty());
    }

    @Test
    void fullTableRefusesMore() {
        PendingRequests pending = new PendingRequests(1, 0);
        pending.register(ConfigRequest.BIND, 1);
        assertThrows(IllegalStateException.class, () -> pending.register(ConfigRequest.PARAMS, 1));
        assertThrows(IllegalArgumentException.class, () -> new PendingRequests(1, 0).register(ConfigRequest.BIND, 70000));
    }

    @Test
    void errorsInWords() {
        PendingRequests pending = new PendingRequests(8, 1);
        pending.register(ConfigRequest.BIND, 7);
        String eperm = pending.complete(ack(1, -Errno.EPERM)).message();
        assertTrue(eperm.contains("another program owns NFQUEUE 7"), eperm);
        assertTrue(eperm.contains("CAP_NET_ADMIN"), eperm);
        assertTrue(eperm.contains("EPERM"), eperm);

        assertTrue(ConfigRequest.PARAMS.describe(7, -Errno.ENODEV).contains("NFQUEUE 7 is not bound"));
        String einval = ConfigRequest.FLAGS.describe(7, -Errno.EINVAL);
        assertTrue(einval.startsWith("cannot set flags of NFQUEUE 7: EINVAL"), einval);
        assertTrue(einval.contains("FLAGS without MASK"), einval);
        assertTrue(ConfigRequest.FLAGS.describe(7, -Errno.EOPNOTSUPP).contains("EOPNOTSUPP"));
        assertTrue(ConfigRequest.BIND.describe(7, -Errno.ENOTSUPP).contains("ENOTSUPP"));
        assertTrue(ConfigRequest.VERDICT.describe(7, -Errno.ENOENT).contains("ENOENT"));
        assertTrue(ConfigRequest.BIND.describe(7, -Errno.EAGAIN).contains("again"));
        assertTrue(ConfigRequest.QUEUE_MAXLEN.describe(7, -999).contains("errno 999"));
        assertEquals("EBUSY", Errno.name(-16));
        assertEquals("EBUSY", Errno.name(16));
    }
}
