package org.alagg.linux;

import java.io.Closeable;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;

import org.alagg.api.InterfaceName;
import org.alagg.api.PacketBatch;
import org.alagg.api.PayloadType;
import org.alagg.linux.internal.Native;

/**
 * A TUN (IP packets) or TAP (Ethernet frames) device, without packet information headers (IFF_NO_PI),
 * non-blocking. The device exists while this is open (it is not made persistent); bring it up and give it
 * addresses with {@link NetworkInterfaces} or {@code ip}.
 *
 * <p>A write is real ingress on the device: rp_filter applies. A slot must hold the device's MTU (plus 14
 * bytes of Ethernet header for TAP): the kernel truncates a longer packet to the slot silently.
 *
 * <p>One thread reads, one thread writes; {@link #wakeup} may come from any thread.
 */
public final class TunDevice implements Closeable {
    /** What the device carries. */
    public enum Mode {
        /** IP packets (IPv4 and IPv6). */
        TUN,
        /** Ethernet frames. */
        TAP
    }

    private final String name;
    private final Mode mode;
    private final Descriptor descriptor;
    private final Sys.BatchAddress readBatch = new Sys.BatchAddress();
    private final Sys.BatchAddress writeBatch = new Sys.BatchAddress();
    private final String readCall;
    private final String writeCall;
    private final SendCounters counters = new SendCounters();
    private long discarded;

    private TunDevice(int fd, String name, Mode mode) throws LinuxException {
        this.name = name;
        this.mode = mode;
        this.readCall = "read(" + mode + " " + name + ")";
        this.writeCall = "write(" + mode + " " + name + ")";
        this.descriptor = Descriptor.polled(fd);
    }

    /**
     * Creates (or attaches to) a TUN or TAP device.
     *
     * @param name the device name; {@code ""} or a pattern like {@code alagg%d} lets the kernel number it
     * @throws LinuxException EPERM without CAP_NET_ADMIN; EBUSY when the device is open elsewhere; EINVAL when
     *         an interface of that name exists that is not such a device
     */
    public static TunDevice open(String name, Mode mode) throws LinuxException {
        if (!name.isEmpty()) {
            InterfaceName.check(name.replace("%d", "0"));
        }
        int fd = Sys.libc().open("/dev/net/tun", Linux.O_RDWR | Linux.O_NONBLOCK | Linux.O_CLOEXEC);
        if (fd < 0) {
            int errno = Native.errno();
            throw new LinuxException("open(/dev/net/tun)", errno,
                    errno == LinuxException.ENOENT || errno == LinuxException.ENODEV || errno == LinuxException.ENXIO
                            ? "no TUN/TAP support in this kernel (module tun), or /dev/net/tun is missing" : null);
        }
        try {
            ByteBuffer ifreq = Structs.allocate(Structs.IFREQ_SIZE);
            Structs.putIfreqName(ifreq, name);
            ifreq.putShort(Structs.IFR_FLAGS, (short) ((mode == Mode.TAP ? Linux.IFF_TAP : Linux.IFF_TUN) | Linux.IFF_NO_PI));
            if (Sys.libc().ioctl(fd, Linux.TUNSETIFF, Native.address(ifreq)) < 0) {
                int errno = Native.errno();
                String hint = null;
                if (errno == LinuxException.EBUSY) {
                    hint = "the device " + name + " is open in another program (or this one)";
                } else if (errno == LinuxException.EINVAL) {
                    hint = "an interface " + name + " exists that is not a " + mode + " device";
                } else if (errno == LinuxException.EPERM || errno == LinuxException.EACCES) {
                    hint = "needs root or CAP_NET_ADMIN";
                }
                throw new LinuxException("ioctl(TUNSETIFF, " + mode + " " + name + ")", errno, hint);
            }
            return new TunDevice(fd, Structs.getIfreqName(ifreq), mode);
        } catch (LinuxException | RuntimeException e) {
            Sys.close(fd);
            throw e;
        }
    }

    /** The device's name as the kernel has it. */
    public String name() {
        return name;
    }

    /** TUN or TAP. */
    public Mode mode() {
        return mode;
    }

    /** The file descriptor of the device. */
    public int fd() {
        return descriptor.fd();
    }

    /**
     * Appends the packets the kernel sent into the device, waiting at most {@code timeoutNanos} for the first:
     * read() until the device has no more (EAGAIN) or the batch is full. Packets are committed with link -1 and
     * their payload: IPv4 or IPv6 from the version nibble (TUN; others are discarded), Ethernet (TAP).
     *
     * @param timeoutNanos 0 to take only what is there, negative to wait without limit
     * @return how many packets were appended; 0 after a timeout or {@link #wakeup()}
     */
    public int read(PacketBatch into, long timeoutNanos) throws LinuxException, ClosedChannelException {
        int fd = descriptor.checkOpen();
        long base = readBatch.of(into);
        ByteBuffer memory = into.memory();
        int count = 0;
        boolean waited = false;
        while (!into.isFull()) {
            int offset = into.offset(into.size());
            long r = Sys.libc().read(fd, base + offset, into.slotSize());
            if (r < 0) {
                int errno = Native.errno();
                if (errno == LinuxException.EINTR) {
                    continue;
                }
                if (errno != LinuxException.EAGAIN) {
                    throw new LinuxException(readCall, errno);
                }
                if (count > 0 || waited || timeoutNanos == 0) {
                    break;
                }
                waited = true;
                if (descriptor.await(timeoutNanos) == 0) {
                    break;
                }
                continue;
            }
            PayloadType payload = mode == Mode.TAP ? PayloadType.ETHERNET
                    : r > 0 ? PayloadType.ofIpVersion(memory.get(offset) & 0xFF) : null;
            if (payload == null) {
                discarded++;
                continue;
            }
            into.commit((int) r, payload, -1);
            count++;
        }
        return count;
    }

    /**
     * Writes every packet of the batch into the device (the kernel receives them), one write() each. A packet
     * the kernel refuses (malformed, EINVAL/EIO) is counted in {@link #writeRefused()} and the rest still go.
     *
     * @return how many packets were written
     */
    public int write(PacketBatch packets) throws LinuxException, ClosedChannelException {
        int fd = descriptor.checkOpen();
        long base = writeBatch.of(packets);
        int written = 0;
        for (int i = 0; i < packets.size(); i++) {
            long r;
            do {
                r = Sys.libc().write(fd, base + packets.offset(i), packets.length(i));
            } while (r < 0 && Native.errno() == LinuxException.EINTR);
            if (r >= 0) {
                written++;
                continue;
            }
            int errno = Native.errno();
            if (errno == LinuxException.EBADF || errno == LinuxException.EFAULT) {
                throw new LinuxException(writeCall, errno);
            }
            counters.refused(i, 1, errno);
        }
        return written;
    }

    /** Packets of TUN reads that were neither IPv4 nor IPv6, discarded so far. Reading thread. */
    public long discarded() {
        return discarded;
    }

    /** Packets the kernel refused on write so far. */
    public long writeRefused() {
        return counters.refused();
    }

    /** The errno of the last refused write, or 0. */
    public int lastWriteError() {
        return counters.lastErrno();
    }

    /** Makes a {@link #read} blocked in another thread return. Any thread. */
    public void wakeup() {
        descriptor.wakeup();
    }

    /** Closes the device, which removes it. Stop the reading and writing threads first. */
    @Override
    public void close() {
        descriptor.close();
    }
}
