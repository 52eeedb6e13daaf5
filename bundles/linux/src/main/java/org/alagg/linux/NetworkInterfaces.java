package org.alagg.linux;

import java.nio.ByteBuffer;

import org.alagg.api.InterfaceName;
import org.alagg.api.MacAddress;
import org.alagg.linux.internal.Native;

/**
 * Facts about network interfaces, and the few settings Alagg changes, through ioctl on an AF_INET datagram
 * socket. Each call opens its own socket, so it sees the network namespace of the calling thread.
 * Names are checked with {@link InterfaceName#check} first (IllegalArgumentException); an interface that does
 * not exist is a {@link LinuxException} with errno ENODEV.
 */
public final class NetworkInterfaces {
    private NetworkInterfaces() {
    }

    /** The interface's index (as in {@code ip link}), e.g. for {@link PacketSocket#setDestination}. */
    public static int index(String name) throws LinuxException {
        return ioctl(name, Linux.SIOCGIFINDEX, "SIOCGIFINDEX", null).getInt(Structs.IFR_IFINDEX);
    }

    /** The interface's hardware address (00:00:00:00:00:00 for interfaces without one: lo, TUN). */
    public static MacAddress mac(String name) throws LinuxException {
        ByteBuffer ifreq = ioctl(name, Linux.SIOCGIFHWADDR, "SIOCGIFHWADDR", null);
        return MacAddress.of(new byte[] {
            ifreq.get(Structs.IFR_HWADDR_DATA), ifreq.get(Structs.IFR_HWADDR_DATA + 1),
            ifreq.get(Structs.IFR_HWADDR_DATA + 2), ifreq.get(Structs.IFR_HWADDR_DATA + 3),
            ifreq.get(Structs.IFR_HWADDR_DATA + 4), ifreq.get(Structs.IFR_HWADDR_DATA + 5),
        });
    }

    /** The interface's MTU in bytes. */
    public static int mtu(String name) throws LinuxException {
        return ioctl(name, Linux.SIOCGIFMTU, "SIOCGIFMTU", null).getInt(Structs.IFR_MTU);
    }

    /** Sets the interface's MTU (needs CAP_NET_ADMIN). */
    public static void setMtu(String name, int mtu) throws LinuxException {
        if (mtu <= 0) {
            throw new IllegalArgumentException("MTU " + mtu + " for " + name);
        }
        ioctl(name, Linux.SIOCSIFMTU, "SIOCSIFMTU " + mtu, b -> b.putInt(Structs.IFR_MTU, mtu));
    }

    /** The length of the interface's transmit queue, in packets ({@code ip link}'s qlen). */
    public static int txQueueLength(String name) throws LinuxException {
        return ioctl(name, Linux.SIOCGIFTXQLEN, "SIOCGIFTXQLEN", null).getInt(Structs.IFR_QLEN);
    }

    /**
     * Sets the length of the interface's transmit queue, in packets (needs CAP_NET_ADMIN). For a TUN/TAP device
     * it is the ring the kernel queues packets in for the reader: when it is full the kernel drops them.
     */
    public static void setTxQueueLength(String name, int packets) throws LinuxException {
        if (packets <= 0) {
            throw new IllegalArgumentException("transmit queue length " + packets + " for " + name);
        }
        ioctl(name, Linux.SIOCSIFTXQLEN, "SIOCSIFTXQLEN " + packets, b -> b.putInt(Structs.IFR_QLEN, packets));
    }

    /** Whether the interface is administratively up (IFF_UP). */
    public static boolean isUp(String name) throws LinuxException {
        return (flags(name) & Linux.IFF_UP) != 0;
    }

    /**
     * Whether the interface can carry frames: up, and with a carrier (IFF_RUNNING: the cable is in, the other
     * end of a veth is up).
     */
    public static boolean isRunning(String name) throws LinuxException {
        int flags = flags(name);
        return (flags & Linux.IFF_UP) != 0 && (flags & Linux.IFF_RUNNING) != 0;
    }

    /** Sets the interface up (IFF_UP), keeping its other flags (needs CAP_NET_ADMIN). */
    public static void setUp(String name) throws LinuxException {
        int flags = flags(name);
        if ((flags & Linux.IFF_UP) == 0) {
            ioctl(name, Linux.SIOCSIFFLAGS, "SIOCSIFFLAGS IFF_UP",
                    b -> b.putShort(Structs.IFR_FLAGS, (short) (flags | Linux.IFF_UP)));
        }
    }

    private static int flags(String name) throws LinuxException {
        return ioctl(name, Linux.SIOCGIFFLAGS, "SIOCGIFFLAGS", null).getShort(Structs.IFR_FLAGS) & 0xFFFF;
    }

    private interface Fill {
        void into(ByteBuffer ifreq);
    }

    private static ByteBuffer ioctl(String name, long request, String requestName, Fill fill) throws LinuxException {
        InterfaceName.check(name);
        String call = "ioctl(" + requestName + ", " + name + ")";
        ByteBuffer ifreq = Structs.allocate(Structs.IFREQ_SIZE);
        Structs.putIfreqName(ifreq, name);
        if (fill != null) {
            fill.into(ifreq);
        }
        int fd = Sys.socket(Linux.AF_INET, Linux.SOCK_DGRAM, 0, "socket(AF_INET, SOCK_DGRAM) for " + call);
        try {
            if (Sys.libc().ioctl(fd, request, Native.address(ifreq)) < 0) {
                throw new LinuxException(call, Native.errno());
            }
            return ifreq;
        } finally {
            Sys.close(fd);
        }
    }
}
