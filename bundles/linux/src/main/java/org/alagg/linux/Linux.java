package org.alagg.linux;

import java.nio.ByteOrder;

/** Constants of the Linux ABI (x86_64 and aarch64 share them all) that this package uses. */
final class Linux {
    private Linux() {
    }

    static final int AF_UNIX = 1;
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    static final int AF_NETLINK = 16;
    static final int AF_PACKET = 17;

    static final int SOCK_STREAM = 1;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_RAW = 3;
    static final int SOCK_NONBLOCK = 0x800;
    static final int SOCK_CLOEXEC = 0x80000;

    static final int O_RDONLY = 0;
    static final int O_RDWR = 2;
    static final int O_NONBLOCK = 0x800;
    static final int O_CLOEXEC = 0x80000;

    static final int EFD_NONBLOCK = 0x800;
    static final int EFD_CLOEXEC = 0x80000;

    static final int MSG_TRUNC = 0x20;
    static final int MSG_DONTWAIT = 0x40;

    static final int EPOLL_CLOEXEC = 0x80000;
    static final int EPOLL_CTL_ADD = 1;
    static final int EPOLL_CTL_DEL = 2;
    static final int EPOLLIN = 0x1;

    static final int POLLIN = 0x1;
    static final int POLLERR = 0x8;
    static final int POLLHUP = 0x10;
    static final int POLLNVAL = 0x20;

    static final int SOL_SOCKET = 1;
    static final int SO_RCVTIMEO = 20;
    static final int SO_ERROR = 4;
    static final int SO_SNDBUF = 7;
    static final int SO_RCVBUF = 8;
    static final int SO_SNDBUFFORCE = 32;
    static final int SO_RCVBUFFORCE = 33;
    static final int SO_MARK = 36;

    static final int SOL_PACKET = 263;
    static final int PACKET_IGNORE_OUTGOING = 23;
    static final int PACKET_OTHERHOST = 3;
    static final int PACKET_OUTGOING = 4;

    static final int IPPROTO_IPV6 = 41;
    static final int IPPROTO_RAW = 255;
    static final int IPV6_HDRINCL = 36;

    static final long SIOCGIFFLAGS = 0x8913;
    static final long SIOCSIFFLAGS = 0x8914;
    static final long SIOCGIFMTU = 0x8921;
    static final long SIOCSIFMTU = 0x8922;
    static final long SIOCGIFHWADDR = 0x8927;
    static final long SIOCGIFINDEX = 0x8933;
    static final long SIOCGIFTXQLEN = 0x8942;
    static final long SIOCSIFTXQLEN = 0x8943;
    static final long TUNSETIFF = 0x400454CAL;
    static final long TUNSETOFFLOAD = 0x400454D0L;

    static final int TUN_F_CSUM = 0x01;
    static final int TUN_F_TSO4 = 0x02;
    static final int TUN_F_TSO6 = 0x04;
    static final int TUN_F_TSO_ECN = 0x08;
    static final int TUN_F_USO4 = 0x20;
    static final int TUN_F_USO6 = 0x40;

    static final int IFF_UP = 0x1;
    static final int IFF_RUNNING = 0x40;
    static final int IFF_TUN = 0x1;
    static final int IFF_TAP = 0x2;
    static final int IFF_NO_PI = 0x1000;
    static final int IFF_VNET_HDR = 0x4000;

    static final int CLONE_NEWNET = 0x40000000;

    /** A 16-bit value in network byte order, as an int argument (e.g. socket()'s protocol). */
    static int htons(int value) {
        return ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN
                ? value & 0xFFFF
                : (value & 0xFF) << 8 | (value >>> 8 & 0xFF);
    }
}
