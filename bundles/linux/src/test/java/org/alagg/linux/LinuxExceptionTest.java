package org.alagg.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class LinuxExceptionTest {
    @Test
    void namesTheCallTheErrnoAndTheCapabilities() {
        LinuxException e = new LinuxException("sendmmsg(AF_PACKET)", 1);
        assertEquals("sendmmsg(AF_PACKET) failed: Operation not permitted (EPERM, errno 1): "
                + "needs root or CAP_NET_RAW/CAP_NET_ADMIN", e.getMessage());
        assertEquals("sendmmsg(AF_PACKET)", e.call());
        assertEquals(1, e.errno());
        assertEquals("socket(AF_PACKET) failed: Permission denied (EACCES, errno 13): needs root or CAP_NET_RAW/CAP_NET_ADMIN",
                new LinuxException("socket(AF_PACKET)", LinuxException.EACCES).getMessage());
    }

    @Test
    void noSuchInterface() {
        assertEquals("ioctl(SIOCGIFINDEX, eth9) failed: No such device (ENODEV, errno 19): no such interface",
                new LinuxException("ioctl(SIOCGIFINDEX, eth9)", 19).getMessage());
    }

    @Test
    void theCallerKnowsWhatBusyMeans() {
        assertEquals("NFQUEUE bind queue 3 failed: Device or resource busy (EBUSY, errno 16): another program owns queue 3",
                new LinuxException("NFQUEUE bind queue 3", LinuxException.EBUSY, "another program owns queue 3").getMessage());
        assertEquals("x failed: Device or resource busy (EBUSY, errno 16)", new LinuxException("x", 16).getMessage());
    }

    @Test
    void errnosWithoutHintAndUnknownErrnos() {
        assertEquals("recvmmsg(AF_PACKET) failed: No buffer space available (ENOBUFS, errno 105)",
                new LinuxException("recvmmsg(AF_PACKET)", 105).getMessage());
        assertEquals("x failed: Unknown error 4242 (errno 4242)", new LinuxException("x", 4242).getMessage());
        assertEquals("EAGAIN", LinuxException.errnoName(11));
        assertNull(LinuxException.errnoName(4242));
        assertEquals("x failed: Operation not permitted (EPERM, errno 1): needs root or CAP_SYS_ADMIN",
                new LinuxException("x", 1, "needs root or CAP_SYS_ADMIN").getMessage());
    }
}
