package org.alagg.linux;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Layouts of the kernel structures this package builds by hand in direct memory, for LP64 Linux
 * (x86_64, aarch64): absolute offsets, native byte order unless a field is big-endian by definition.
 */
final class Structs {
    private Structs() {
    }

    // struct msghdr (56 bytes)
    static final int MSGHDR_SIZE = 56;
    static final int MSG_NAME = 0;
    static final int MSG_NAMELEN = 8;
    static final int MSG_IOV = 16;
    static final int MSG_IOVLEN = 24;
    static final int MSG_CONTROL = 32;
    static final int MSG_CONTROLLEN = 40;
    static final int MSG_FLAGS = 48;

    // struct mmsghdr (64 bytes): a msghdr and the length the call sent or received
    static final int MMSGHDR_SIZE = 64;
    static final int MMSG_LEN = 56;

    // struct iovec (16 bytes)
    static final int IOVEC_SIZE = 16;
    static final int IOV_BASE = 0;
    static final int IOV_LEN = 8;

    // struct sockaddr_ll (20 bytes)
    static final int SOCKADDR_LL_SIZE = 20;
    static final int SLL_FAMILY = 0;
    static final int SLL_PROTOCOL = 2; // big-endian
    static final int SLL_IFINDEX = 4;
    static final int SLL_HATYPE = 8;
    static final int SLL_PKTTYPE = 10;
    static final int SLL_HALEN = 11;
    static final int SLL_ADDR = 12; // 8 bytes

    // struct sockaddr_nl (12 bytes)
    static final int SOCKADDR_NL_SIZE = 12;
    static final int NL_FAMILY = 0;
    static final int NL_PID = 4;
    static final int NL_GROUPS = 8;

    // struct sockaddr_in (16 bytes), struct sockaddr_in6 (28 bytes)
    static final int SOCKADDR_IN_SIZE = 16;
    static final int SIN_ADDR = 4; // big-endian
    static final int SOCKADDR_IN6_SIZE = 28;
    static final int SIN6_ADDR = 8; // 16 bytes

    // struct ifreq (40 bytes): name[IFNAMSIZ] and a union
    static final int IFREQ_SIZE = 40;
    static final int IFNAMSIZ = 16;
    static final int IFR_IFINDEX = 16;
    static final int IFR_MTU = 16;
    static final int IFR_QLEN = 16;
    static final int IFR_FLAGS = 16; // short
    static final int IFR_HWADDR_DATA = 18; // sockaddr.sa_data

    // struct pollfd (8 bytes), struct timespec (16 bytes)
    static final int POLLFD_SIZE = 8;
    static final int POLLFD_FD = 0;
    static final int POLLFD_EVENTS = 4; // short
    static final int POLLFD_REVENTS = 6; // short
    static final int TIMESPEC_SIZE = 16;

    // struct epoll_event: u32 events and a u64 of data; packed on x86_64 (12 bytes), aligned elsewhere (16)
    static final boolean EPOLL_PACKED = "amd64".equals(System.getProperty("os.arch"))
            || "x86_64".equals(System.getProperty("os.arch"));
    static final int EPOLL_EVENT_SIZE = EPOLL_PACKED ? 12 : 16;
    static final int EPOLL_EVENTS = 0;
    static final int EPOLL_DATA = EPOLL_PACKED ? 4 : 8;

    /** Zeroed direct memory in native byte order. */
    static ByteBuffer allocate(int size) {
        return ByteBuffer.allocateDirect(size).order(ByteOrder.nativeOrder());
    }

    /** Writes a sockaddr_ll naming an Ethernet destination. */
    static void putSockaddrLl(ByteBuffer b, int at, int etherType, int ifindex, long mac) {
        b.putShort(at + SLL_FAMILY, (short) Linux.AF_PACKET);
        b.put(at + SLL_PROTOCOL, (byte) (etherType >>> 8));
        b.put(at + SLL_PROTOCOL + 1, (byte) etherType);
        b.putInt(at + SLL_IFINDEX, ifindex);
        b.putShort(at + SLL_HATYPE, (short) 0);
        b.put(at + SLL_PKTTYPE, (byte) 0);
        b.put(at + SLL_HALEN, (byte) 6);
        for (int i = 0; i < 8; i++) {
            b.put(at + SLL_ADDR + i, i < 6 ? (byte) (mac >>> (40 - 8 * i)) : 0);
        }
    }

    /** Six bytes in wire order as {@link org.alagg.api.MacAddress#toLong()} has them. */
    static long getMac(ByteBuffer b, int at) {
        long mac = 0;
        for (int i = 0; i < 6; i++) {
            mac = mac << 8 | (b.get(at + i) & 0xFF);
        }
        return mac;
    }

    /** Writes an interface name, NUL-padded, into the first 16 bytes of an ifreq. */
    static void putIfreqName(ByteBuffer b, String name) {
        for (int i = 0; i < IFNAMSIZ; i++) {
            b.put(i, i < name.length() ? (byte) name.charAt(i) : 0);
        }
    }

    /** The NUL-terminated name in the first 16 bytes of an ifreq. */
    static String getIfreqName(ByteBuffer b) {
        StringBuilder s = new StringBuilder(IFNAMSIZ);
        for (int i = 0; i < IFNAMSIZ; i++) {
            byte c = b.get(i);
            if (c == 0) {
                break;
            }
            s.append((char) (c & 0xFF));
        }
        return s.toString();
    }
}
