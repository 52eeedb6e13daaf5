package org.alagg.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.alagg.api.MacAddress;
import org.alagg.linux.internal.Native;
import org.junit.jupiter.api.Test;

/** The hand-made layouts against the C headers of x86_64/aarch64 (values checked with offsetof and sizeof). */
class StructsTest {
    @Test
    void messageHeaderLayout() {
        assertEquals(56, Structs.MSGHDR_SIZE);
        assertEquals(0, Structs.MSG_NAME);
        assertEquals(8, Structs.MSG_NAMELEN);
        assertEquals(16, Structs.MSG_IOV);
        assertEquals(24, Structs.MSG_IOVLEN);
        assertEquals(32, Structs.MSG_CONTROL);
        assertEquals(40, Structs.MSG_CONTROLLEN);
        assertEquals(48, Structs.MSG_FLAGS);
        assertEquals(64, Structs.MMSGHDR_SIZE);
        assertEquals(56, Structs.MMSG_LEN);
        assertEquals(16, Structs.IOVEC_SIZE);
        assertEquals(8, Structs.IOV_LEN);
    }

    @Test
    void addressLayouts() {
        assertEquals(20, Structs.SOCKADDR_LL_SIZE);
        assertEquals(2, Structs.SLL_PROTOCOL);
        assertEquals(4, Structs.SLL_IFINDEX);
        assertEquals(8, Structs.SLL_HATYPE);
        assertEquals(10, Structs.SLL_PKTTYPE);
        assertEquals(11, Structs.SLL_HALEN);
        assertEquals(12, Structs.SLL_ADDR);
        assertEquals(12, Structs.SOCKADDR_NL_SIZE);
        assertEquals(16, Structs.SOCKADDR_IN_SIZE);
        assertEquals(4, Structs.SIN_ADDR);
        assertEquals(28, Structs.SOCKADDR_IN6_SIZE);
        assertEquals(8, Structs.SIN6_ADDR);
        assertEquals(40, Structs.IFREQ_SIZE);
        assertEquals(16, Structs.IFR_IFINDEX);
        assertEquals(18, Structs.IFR_HWADDR_DATA);
        assertEquals(8, Structs.POLLFD_SIZE);
        assertEquals(6, Structs.POLLFD_REVENTS);
    }

    @Test
    void epollEventLayout() {
        // packed on x86_64 only (__EPOLL_PACKED in sys/epoll.h)
        boolean x86 = System.getProperty("os.arch").equals("amd64") || System.getProperty("os.arch").equals("x86_64");
        assertEquals(x86 ? 12 : 16, Structs.EPOLL_EVENT_SIZE);
        assertEquals(x86 ? 4 : 8, Structs.EPOLL_DATA);
        assertEquals(0, Structs.EPOLL_EVENTS);
    }

    @Test
    void sockaddrLlBytes() {
        ByteBuffer b = Structs.allocate(2 * Structs.SOCKADDR_LL_SIZE);
        Structs.putSockaddrLl(b, 20, 0x88B5, 7, MacAddress.parse("02:00:00:00:01:02").toLong());
        byte[] bytes = new byte[20];
        b.get(20, bytes);
        boolean little = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
        byte[] expected = little
                ? new byte[] {17, 0, (byte) 0x88, (byte) 0xB5, 7, 0, 0, 0, 0, 0, 0, 6, 2, 0, 0, 0, 1, 2, 0, 0}
                : new byte[] {0, 17, (byte) 0x88, (byte) 0xB5, 0, 0, 0, 7, 0, 0, 0, 6, 2, 0, 0, 0, 1, 2, 0, 0};
        assertEquals(java.util.Arrays.toString(expected), java.util.Arrays.toString(bytes));
        assertEquals(0x020000000102L, Structs.getMac(b, 20 + Structs.SLL_ADDR));
    }

    @Test
    void ifreqName() {
        ByteBuffer b = Structs.allocate(Structs.IFREQ_SIZE);
        b.put(0, (byte) 'x').put(15, (byte) 'y');
        Structs.putIfreqName(b, "veth0");
        assertEquals("veth0", Structs.getIfreqName(b));
        assertEquals(0, b.get(15), "the name is NUL-padded to 16 bytes");
        Structs.putIfreqName(b, "abcdefghijklmno");
        assertEquals("abcdefghijklmno", Structs.getIfreqName(b));
    }

    @Test
    void networkByteOrderProtocol() {
        int expected = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? 0xB588 : 0x88B5;
        assertEquals(expected, Linux.htons(0x88B5));
        assertEquals(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? 0x0300 : 0x0003, Linux.htons(3));
    }

    @Test
    void messageVectorPointsEachHeaderAtItsIovec() {
        MessageVector v = new MessageVector(4);
        long iovecs = Native.address(v.iovecs());
        for (int j = 0; j < 4; j++) {
            assertEquals(iovecs + 16L * j, v.headers().getLong(j * 64 + Structs.MSG_IOV));
            assertEquals(1, v.headers().getLong(j * 64 + Structs.MSG_IOVLEN));
        }
        v.setBuffer(2, 0x1234_5678_9ABCL, 1500);
        assertEquals(0x1234_5678_9ABCL, v.iovecs().getLong(32));
        assertEquals(1500, v.iovecs().getLong(40));
        v.setName(3, 0xABCDL, 20);
        assertEquals(0xABCDL, v.headers().getLong(3 * 64));
        assertEquals(20, v.headers().getInt(3 * 64 + 8));
        assertEquals(Native.address(v.headers()) + 128, v.address(2));
    }
}
