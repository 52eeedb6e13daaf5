package org.alagg.linux;

import java.io.Closeable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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

    /** A read with offloads: the virtio-net header and up to 64 KiB of packet; a read that fills it was cut short. */
    private static final int READ_BUFFER = VirtioNetHeader.LENGTH + 65_536 + 1;

    private final String name;
    private final Mode mode;
    private final Descriptor descriptor;
    private final Sys.BatchAddress readBatch = new Sys.BatchAddress();
    private final Sys.BatchAddress writeBatch = new Sys.BatchAddress();
    private final String readCall;
    private final String writeCall;
    private final SendCounters counters = new SendCounters();
    private volatile long discarded;
    /** Whether the {@link #read} under way waited already. Reading thread. */
    private boolean waited;
    private volatile long superPackets;
    private volatile long joinedWrites;
    /** With offloads: what the kernel offloads to this device, else 0 (and the rest is null). */
    private final int offloads;
    private final ByteBuffer readBuffer;
    private final long readAddress;
    private final OffloadSegmenter segmenter;
    private final ReceiveCoalescer coalescer;
    private final long coalescedAddress;

    private TunDevice(int fd, String name, Mode mode, int offloads) throws LinuxException {
        this.name = name;
        this.mode = mode;
        this.readCall = "read(" + mode + " " + name + ")";
        this.writeCall = "write(" + mode + " " + name + ")";
        this.offloads = offloads;
        if (offloads != 0) {
            readBuffer = ByteBuffer.allocateDirect(READ_BUFFER).order(ByteOrder.BIG_ENDIAN);
            readAddress = Native.address(readBuffer);
            segmenter = new OffloadSegmenter();
            coalescer = new ReceiveCoalescer((offloads & Linux.TUN_F_USO4) != 0);
            coalescedAddress = Native.address(coalescer.buffer());
        } else {
            readBuffer = null;
            readAddress = 0;
            segmenter = null;
            coalescer = null;
            coalescedAddress = 0;
        }
        this.descriptor = Descriptor.polled(fd);
    }

    /** Creates (or attaches to) a TUN or TAP device without offloads: {@link #open(String, Mode, boolean)}. */
    public static TunDevice open(String name, Mode mode) throws LinuxException {
        return open(name, mode, false);
    }

    /**
     * Creates (or attaches to) a TUN or TAP device.
     *
     * <p>With {@code offloads} (TUN only), the device takes the kernel's checksum and segmentation offloads
     * (IFF_VNET_HDR, TUNSETOFFLOAD with TCP segmentation for IPv4 and IPv6, ECN, and UDP segmentation where the
     * kernel has it, from Linux 6.2): local TCP senders hand over up to 64 KiB at a time, which {@link #read} cuts
     * into ordinary packets of the device's MTU with their checksums; {@link #write} joins consecutive TCP
     * segments of a flow into one packet for the receiving stack. What the reader and writer see is unchanged:
     * ordinary IP packets of at most the MTU. {@link #offloads()} says what the kernel accepted.
     *
     * @param name the device name; {@code ""} or a pattern like {@code alagg%d} lets the kernel number it
     * @throws LinuxException EPERM without CAP_NET_ADMIN; EBUSY when the device is open elsewhere; EINVAL when
     *         an interface of that name exists that is not such a device (or was opened with other flags)
     */
    public static TunDevice open(String name, Mode mode, boolean offloads) throws LinuxException {
        // the virtio-net header is read in little-endian order (TUNSETVNETLE is not used): big-endian hosts go without
        boolean vnet = offloads && mode == Mode.TUN && ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
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
            ifreq.putShort(Structs.IFR_FLAGS, (short) ((mode == Mode.TAP ? Linux.IFF_TAP : Linux.IFF_TUN) | Linux.IFF_NO_PI
                    | (vnet ? Linux.IFF_VNET_HDR : 0)));
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
            String opened = Structs.getIfreqName(ifreq);
            return new TunDevice(fd, opened, mode, vnet ? setOffloads(fd, opened) : 0);
        } catch (LinuxException | RuntimeException e) {
            Sys.close(fd);
            throw e;
        }
    }

    /**
     * TUNSETOFFLOAD: checksums, TSO for IPv4 and IPv6 with ECN, and USO when the kernel knows it (EINVAL before
     * Linux 6.2: then without).
     */
    private static int setOffloads(int fd, String name) throws LinuxException {
        int tcp = Linux.TUN_F_CSUM | Linux.TUN_F_TSO4 | Linux.TUN_F_TSO6 | Linux.TUN_F_TSO_ECN;
        int all = tcp | Linux.TUN_F_USO4 | Linux.TUN_F_USO6;
        if (Sys.libc().ioctl(fd, Linux.TUNSETOFFLOAD, all) == 0) {
            return all;
        }
        if (Native.errno() == LinuxException.EINVAL && Sys.libc().ioctl(fd, Linux.TUNSETOFFLOAD, tcp) == 0) {
            return tcp;
        }
        throw new LinuxException("ioctl(TUNSETOFFLOAD, TUN " + name + ")", Native.errno());
    }

    /**
     * The offloads the device took, as words ("csum tso4 tso6 ecn uso4 uso6"), or "" when it was opened
     * without.
     */
    public String offloads() {
        StringBuilder s = new StringBuilder();
        String[] names = {"csum", "tso4", "tso6", "ecn", "ufo", "uso4", "uso6"};
        for (int bit = 0; bit < names.length; bit++) {
            if ((offloads & (1 << bit)) != 0) {
                s.append(s.length() == 0 ? "" : " ").append(names[bit]);
            }
        }
        return s.toString();
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
        if (offloads != 0) {
            return readOffloaded(into, timeoutNanos);
        }
        int fd = descriptor.checkOpen();
        long base = readBatch.of(into);
        ByteBuffer memory = into.memory();
        int count = 0;
        waited = false;
        while (!into.isFull()) {
            int offset = into.offset(into.size());
            long r = readOne(fd, base + offset, into.slotSize(), count, timeoutNanos);
            if (r < 0) {
                break;
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
     * One read(); when the device has nothing yet (EAGAIN) and nothing was read in this {@link #read}, waits for it
     * once per {@link #read}, at most {@code timeoutNanos}.
     *
     * @return the bytes read, or -1: nothing more to read now
     */
    private long readOne(int fd, long address, int length, int count, long timeoutNanos) throws LinuxException,
            ClosedChannelException {
        while (true) {
            long r = Sys.libc().read(fd, address, length);
            if (r >= 0) {
                return r;
            }
            int errno = Native.errno();
            if (errno == LinuxException.EINTR) {
                continue;
            }
            if (errno != LinuxException.EAGAIN) {
                throw new LinuxException(readCall, errno);
            }
            if (count > 0 || waited || timeoutNanos == 0) {
                return -1;
            }
            waited = true;
            if (descriptor.await(timeoutNanos) == 0) {
                return -1;
            }
        }
    }

    /** {@link #read} with offloads: one super-packet (or plain packet) per read(), cut into the batch. */
    private int readOffloaded(PacketBatch into, long timeoutNanos) throws LinuxException, ClosedChannelException {
        int fd = descriptor.checkOpen();
        int count = 0;
        waited = false;
        while (!into.isFull()) {
            if (segmenter.pending()) {
                count += segmenter.next(into);
                continue;
            }
            long r = readOne(fd, readAddress, READ_BUFFER, count, timeoutNanos);
            if (r < 0) {
                break;
            }
            int size = into.size();
            if (r <= VirtioNetHeader.LENGTH || r == READ_BUFFER
                    || !segmenter.take(readBuffer, 0, VirtioNetHeader.LENGTH, (int) r - VirtioNetHeader.LENGTH, into)) {
                discarded++;
                continue;
            }
            if (segmenter.pending()) {
                superPackets++;
            }
            count += into.size() - size;
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
        if (offloads != 0) {
            return writeCoalesced(packets);
        }
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

    /** {@link #write} with offloads: consecutive segments of a TCP flow joined, one write() per group. */
    private int writeCoalesced(PacketBatch packets) throws LinuxException, ClosedChannelException {
        int fd = descriptor.checkOpen();
        ByteBuffer memory = packets.memory();
        int written = 0;
        int first = 0;
        coalescer.clear();
        for (int i = 0; i < packets.size(); i++) {
            int offset = packets.offset(i);
            int length = packets.length(i);
            if (!coalescer.join(memory, offset, length)) {
                written += writeGroup(fd, first);
                first = i;
                coalescer.begin(memory, offset, length);
            }
        }
        written += writeGroup(fd, first);
        coalescer.clear();
        return written;
    }

    /** Writes the coalescer's group, whose first packet was the batch's {@code first}; how many packets went. */
    private int writeGroup(int fd, int first) throws LinuxException {
        int segments = coalescer.segments();
        if (segments == 0) {
            return 0;
        }
        int bytes = coalescer.finish();
        long r;
        do {
            r = Sys.libc().write(fd, coalescedAddress, bytes);
        } while (r < 0 && Native.errno() == LinuxException.EINTR);
        coalescer.clear();
        if (r >= 0) {
            if (segments > 1) {
                joinedWrites++;
            }
            return segments;
        }
        int errno = Native.errno();
        if (errno == LinuxException.EBADF || errno == LinuxException.EFAULT) {
            throw new LinuxException(writeCall, errno);
        }
        counters.refused(first, segments, errno);
        return 0;
    }

    /** Segmentation-offload super-packets read and cut so far (with offloads). */
    public long superPackets() {
        return superPackets;
    }

    /** Writes that carried several packets joined into one (with offloads). */
    public long joinedWrites() {
        return joinedWrites;
    }

    /** Packets of TUN reads that were neither IPv4 nor IPv6 (or malformed super-packets), discarded so far. */
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
