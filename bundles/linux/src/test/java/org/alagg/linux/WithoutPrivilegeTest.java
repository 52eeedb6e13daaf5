package org.alagg.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.alagg.testing.RootAssumptions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** What a user without capabilities is told (runs only when not root). */
class WithoutPrivilegeTest {
    @Test
    void aPacketSocketNeedsCapabilities() {
        Assumptions.assumeFalse(RootAssumptions.isRoot(), "root may open packet sockets");
        LinuxException e = assertThrows(LinuxException.class, () -> PacketSocket.open(0x88B5, 8));
        assertEquals(LinuxException.EPERM, e.errno());
        assertEquals("socket(AF_PACKET, SOCK_DGRAM, EtherType 0x88b5) failed: Operation not permitted (EPERM, errno 1): "
                + "needs root or CAP_NET_RAW/CAP_NET_ADMIN", e.getMessage());
        LinuxException raw = assertThrows(LinuxException.class, RawIpSocket::ipv4);
        assertEquals("socket(AF_INET, SOCK_RAW, IPPROTO_RAW)", raw.call());
    }
}
