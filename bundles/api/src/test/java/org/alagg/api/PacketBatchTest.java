package org.alagg.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PacketBatchTest {
    @Test
    void slotsAreFilledCommittedAndReadBack() {
        PacketBatch batch = new PacketBatch(2, 64);
        batch.slot(0).put(new byte[] {0x45, 1, 2});
        batch.commit(3, PayloadType.IPV4, -1);
        batch.slot(1).putInt(0x60000000);
        batch.commit(4, PayloadType.IPV6, 1);
        assertTrue(batch.isFull());
        assertEquals(3, batch.packet(0).remaining());
        assertEquals(0x45, batch.packet(0).get(0));
        assertEquals(PayloadType.IPV6, batch.payload(1));
        assertEquals(1, batch.link(1));
        assertEquals(64, batch.offset(1));
        assertEquals(0x60, batch.memory().get(64));
        assertThrows(IllegalStateException.class, () -> batch.commit(1, PayloadType.IPV4, -1));
        batch.clear();
        assertEquals(0, batch.size());
        assertThrows(IndexOutOfBoundsException.class, () -> batch.packet(0));
    }

    @Test
    void rejectsPacketsLargerThanASlot() {
        PacketBatch batch = new PacketBatch(1, 16);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> batch.commit(17, PayloadType.IPV4, -1));
        assertTrue(e.getMessage().contains("does not fit a slot of 16 bytes"));
    }

    @Test
    void payloadTypeFollowsTheIpVersionNibble() {
        assertEquals(PayloadType.IPV4, PayloadType.ofIpVersion(0x45));
        assertEquals(PayloadType.IPV6, PayloadType.ofIpVersion(0x60));
        assertEquals(null, PayloadType.ofIpVersion(0x00));
    }
}
