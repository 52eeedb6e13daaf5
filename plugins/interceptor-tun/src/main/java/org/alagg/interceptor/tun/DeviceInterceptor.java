package org.alagg.interceptor.tun;

import org.alagg.linux.Shared;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.alagg.api.InterfaceName;
import org.alagg.api.LocalDelivery;
import org.alagg.api.PacketBatch;
import org.alagg.api.PacketInterceptor;
import org.alagg.linux.NetworkInterfaces;
import org.alagg.linux.TunDevice;
import org.osgi.service.log.Logger;

/**
 * Capture from, and delivery into, one TUN or TAP device. The engine's control thread opens it when the engine
 * selects this mode (creating the device, sizing its MTU so a packet plus the Alagg header fits the links and its
 * transmit queue so bursts wait instead of being dropped, bringing it up, adding the configured addresses and
 * routes), changes its MTU whenever the links' packet limit changes, and closes it when the mode is left; in
 * between the egress thread reads what the system routes into the device, and the ingress thread writes what
 * arrives from the peer.
 *
 * <p>The data path never waits for the control thread: open, close and {@link #limitPacketLength} serialize on a
 * lock of their own, which neither {@link #capture} nor {@link #deliver} takes. Open prepares the device entirely
 * (ioctls, {@code ip} subprocesses) before it publishes it through a volatile reference; the device is
 * {@link Shared}, so close never closes the descriptor under a read or write in progress: the last of them closes
 * it, and a delivery that comes after close fails with a {@link ClosedChannelException}.
 */
abstract class DeviceInterceptor implements PacketInterceptor, LocalDelivery {
    /** An Ethernet header, which a TAP device's frames carry on top of its MTU. */
    private static final int ETHERNET_HEADER = 14;
    /** Below this MTU the kernel switches IPv6 off on the device, forgetting its IPv6 addresses and routes. */
    static final int IPV6_MIN_MTU = 1280;
    /** How long close waits for a read or write in progress to end before it leaves the closing to that thread. */
    private static final long CLOSE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(2);

    /**
     * Packets the kernel queues in the device for the egress thread. A TUN/TAP device does not push back on its
     * senders: when this ring is full it drops, and a TCP sender takes every drop for congestion (the default of
     * 500 cost thousands of retransmits a second at 1 Gbit/s). 4096 full-size packets, 6 MB, hold more than one
     * TCP connection has in flight with Linux's default buffers, so a burst waits instead of being dropped.
     */
    static final int TX_QUEUE_LENGTH = 4096;

    private final TunDevice.Mode mode;
    private final Logger log;
    /** Taken by open, close and limitPacketLength only: never by the data path. */
    private final Object control = new Object();
    private volatile DeviceConfig config;
    private volatile Shared<TunDevice> device;
    /** The configuration the open device was set up with, and its MTU now. Under {@link #control}. */
    private DeviceConfig opened;
    private int mtu;
    /** Runs iproute2; replaced by tests to make it slow. */
    IpCommand ip = DeviceInterceptor::runIp;

    interface IpCommand {
        void run(String... args) throws IOException;
    }

    DeviceInterceptor(TunDevice.Mode mode, DeviceConfig config, Logger log) {
        this.mode = mode;
        this.log = log;
        configure(config);
    }

    final void configure(DeviceConfig next) {
        InterfaceName.check(next.name());
        cidrs("address", next.address());
        cidrs("route", next.route());
        if (device != null && config != null && !config.equals(next)) {
            log.warn("The {} device configuration changed; it applies when the capture mode is next selected", mode);
        }
        config = next;
    }

    @Override
    public void open(int maxPacketLength) throws IOException {
        synchronized (control) {
            close();
            DeviceConfig c = config;
            int mtu = mtuFor(maxPacketLength);
            TunDevice d = TunDevice.open(c.name(), mode, c.offload());
            try {
                NetworkInterfaces.setMtu(d.name(), mtu);
                NetworkInterfaces.setTxQueueLength(d.name(), TX_QUEUE_LENGTH);
                NetworkInterfaces.setUp(d.name());
                configureAddresses(d.name(), c, false);
            } catch (IOException | RuntimeException e) {
                d.close();
                throw e;
            }
            this.opened = c;
            this.mtu = mtu;
            device = new Shared<>(d, TunDevice::close);
            log.info("{} device {} up, MTU {}, transmit queue {} packets, offloads: {}", mode, d.name(), mtu,
                    TX_QUEUE_LENGTH, d.offloads().isEmpty() ? "none" : d.offloads());
            if (mtu < IPV6_MIN_MTU) {
                warnIpv6Off(d.name(), mtu);
            }
        }
    }

    /**
     * Sets the device's MTU to the new limit (less the Ethernet header for TAP), with one ioctl; the kernel then
     * refuses longer packets to local senders (EMSGSIZE) and tells others with ICMP. When the MTU rises back to
     * 1280 or more, the configured IPv6 addresses and routes, which the kernel dropped below 1280, are given again.
     */
    @Override
    public void limitPacketLength(int maxPacketLength) throws IOException {
        synchronized (control) {
            Shared<TunDevice> s = device;
            if (s == null) {
                return; // not open: open sets the MTU
            }
            String name = s.peek().name();
            int next = mtuFor(maxPacketLength);
            int previous = mtu;
            NetworkInterfaces.setMtu(name, next);
            mtu = next;
            if (next == previous) {
                return;
            }
            log.info("{} device {}: MTU {} (was {}): the links' packet limit changed", mode, name, next, previous);
            if (next < IPV6_MIN_MTU && previous >= IPV6_MIN_MTU) {
                warnIpv6Off(name, next);
            } else if (next >= IPV6_MIN_MTU && previous < IPV6_MIN_MTU) {
                configureAddresses(name, opened, true);
            }
        }
    }

    @Override
    public void close() {
        synchronized (control) {
            Shared<TunDevice> s = device;
            device = null;
            if (s == null) {
                return;
            }
            TunDevice d = s.peek();
            d.wakeup(); // a capture in progress returns, and closes the device when it lets go
            if (s.close(CLOSE_WAIT_NANOS)) {
                log.info("{} device {} closed", mode, d.name());
            } else {
                log.warn("{} device {}: a read or write still runs after {} s; the device closes when it ends", mode,
                        d.name(), TimeUnit.NANOSECONDS.toSeconds(CLOSE_WAIT_NANOS));
            }
        }
    }

    @Override
    public int capture(PacketBatch batch, long timeoutNanos) throws IOException {
        Shared<TunDevice> s = device;
        TunDevice d = s == null ? null : s.acquire();
        if (d == null) {
            if (timeoutNanos > 0) {
                LockSupport.parkNanos(timeoutNanos); // closed under the engine's feet (deactivation): do not spin
            }
            return 0;
        }
        try {
            return d.read(batch, timeoutNanos);
        } finally {
            s.release();
        }
    }

    @Override
    public void wakeup() {
        Shared<TunDevice> s = device;
        if (s != null) {
            s.peek().wakeup(); // ignored once closed
        }
    }

    /**
     * Writes received packets into the device. Never waits for the control thread; while the device is not
     * open (before open, after close) it fails with a {@link ClosedChannelException}.
     */
    @Override
    public int deliver(PacketBatch packets) throws IOException {
        Shared<TunDevice> s = device;
        TunDevice d = s == null ? null : s.acquire();
        if (d == null) {
            throw new NotOpen(mode + " device " + config.name() + " is not open");
        }
        try {
            return d.write(packets);
        } finally {
            s.release();
        }
    }

    /**
     * The open device's counters (since it was opened; empty while none is): {@code super_packets} cut and
     * {@code joined_writes} made with offloads, {@code discarded} reads (not IP, or malformed super-packets),
     * {@code write_refused} packets the kernel refused. Any thread.
     */
    @Override
    public Map<String, Long> counters() {
        Shared<TunDevice> s = device;
        if (s == null) {
            return Map.of();
        }
        TunDevice d = s.peek();
        Map<String, Long> counters = new LinkedHashMap<>();
        counters.put("super_packets", d.superPackets());
        counters.put("joined_writes", d.joinedWrites());
        counters.put("discarded", d.discarded());
        counters.put("write_refused", d.writeRefused());
        return counters;
    }

    /** The device's MTU for a packet limit: TAP frames carry an Ethernet header on top of it. */
    private int mtuFor(int maxPacketLength) {
        int mtu = mode == TunDevice.Mode.TAP ? maxPacketLength - ETHERNET_HEADER : maxPacketLength;
        if (mtu <= 0) {
            throw new IllegalArgumentException("packet limit " + maxPacketLength + " leaves no room for a " + mode + " MTU");
        }
        return mtu;
    }

    /** Adds the configured addresses and routes (IPv6 ones only with {@code ipv6Only}), with {@code ip ... replace}. */
    private void configureAddresses(String name, DeviceConfig c, boolean ipv6Only) throws IOException {
        for (String cidr : cidrs("address", c.address())) {
            if (!ipv6Only || cidr.contains(":")) {
                ip.run("addr", "replace", cidr, "dev", name);
            }
        }
        for (String cidr : cidrs("route", c.route())) {
            if (!ipv6Only || cidr.contains(":")) {
                ip.run("route", "replace", cidr, "dev", name);
            }
        }
    }

    private void warnIpv6Off(String name, int mtu) {
        log.warn("{} device {}: MTU {} is below the 1280 IPv6 needs: the kernel switches IPv6 off on the device until"
                + " the links carry 1280 bytes again (the configured IPv6 addresses and routes are then given again)",
                mode, name, mtu);
    }

    /** The device is not open: a {@link ClosedChannelException} that says which. */
    static final class NotOpen extends ClosedChannelException {
        private static final long serialVersionUID = 1L;
        private final String message;

        NotOpen(String message) {
            this.message = message;
        }

        @Override
        public String getMessage() {
            return message;
        }
    }

    private static List<String> cidrs(String what, String list) {
        List<String> result = new ArrayList<>();
        for (String item : list.split(",")) {
            String cidr = item.strip();
            if (cidr.isEmpty()) {
                continue;
            }
            if (!cidr.matches("[0-9a-fA-F.:]+/[0-9]{1,3}")) {
                throw new IllegalArgumentException(what + " '" + cidr + "' is not an address with a prefix length, like 10.9.0.1/24");
            }
            result.add(cidr);
        }
        return result;
    }

    /** iproute2 for addresses and routes: what an operator would type, so its errors read the same. */
    static void runIp(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + ": no answer within 10 s");
            }
            String output = new String(p.getInputStream().readAllBytes()).strip();
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(String.join(" ", command) + ": interrupted");
        }
    }
}
