package org.alagg.interceptor.tun;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.alagg.api.InterfaceName;
import org.alagg.api.LocalDelivery;
import org.alagg.api.PacketBatch;
import org.alagg.api.PacketInterceptor;
import org.alagg.linux.LinuxException;
import org.alagg.linux.NetworkInterfaces;
import org.alagg.linux.TunDevice;
import org.osgi.service.log.Logger;

/**
 * Capture from, and delivery into, one TUN or TAP device. The egress thread opens it when the engine selects
 * this mode (creating the device, sizing its MTU so a packet plus the Alagg header fits the links and its
 * transmit queue so bursts wait instead of being dropped, bringing it up, adding the configured addresses and
 * routes) and closes it when the mode is left; in between it reads what the system routes into the device, and
 * the ingress thread writes what arrives from the peer.
 */
abstract class DeviceInterceptor implements PacketInterceptor, LocalDelivery {
    /** An Ethernet header, which a TAP device's frames carry on top of its MTU. */
    private static final int ETHERNET_HEADER = 14;

    /**
     * Packets the kernel queues in the device for the egress thread. A TUN/TAP device does not push back on its
     * senders: when this ring is full it drops, and a TCP sender takes every drop for congestion (the default of
     * 500 cost thousands of retransmits a second at 1 Gbit/s). 4096 full-size packets, 6 MB, hold more than one
     * TCP connection has in flight with Linux's default buffers, so a burst waits instead of being dropped.
     */
    static final int TX_QUEUE_LENGTH = 4096;

    private final TunDevice.Mode mode;
    private final Logger log;
    private volatile DeviceConfig config;
    private volatile TunDevice device;

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
    public synchronized void open(int maxPacketLength) throws IOException {
        DeviceConfig c = config;
        TunDevice d = TunDevice.open(c.name(), mode);
        try {
            int mtu = mode == TunDevice.Mode.TAP ? maxPacketLength - ETHERNET_HEADER : maxPacketLength;
            NetworkInterfaces.setMtu(d.name(), mtu);
            NetworkInterfaces.setTxQueueLength(d.name(), TX_QUEUE_LENGTH);
            NetworkInterfaces.setUp(d.name());
            for (String cidr : cidrs("address", c.address())) {
                ip("addr", "replace", cidr, "dev", d.name());
            }
            for (String cidr : cidrs("route", c.route())) {
                ip("route", "replace", cidr, "dev", d.name());
            }
            device = d;
            log.info("{} device {} up, MTU {}, transmit queue {} packets", mode, d.name(), mtu, TX_QUEUE_LENGTH);
        } catch (IOException | RuntimeException e) {
            d.close();
            throw e;
        }
    }

    @Override
    public synchronized void close() {
        TunDevice d = device;
        device = null;
        if (d != null) {
            d.wakeup();
            d.close();
            log.info("{} device {} closed", mode, d.name());
        }
    }

    @Override
    public int capture(PacketBatch batch, long timeoutNanos) throws IOException {
        TunDevice d = device;
        return d == null ? 0 : d.read(batch, timeoutNanos);
    }

    @Override
    public void wakeup() {
        TunDevice d = device;
        if (d != null) {
            d.wakeup();
        }
    }

    /** Writes received packets into the device; locked against {@link #close} so no write hits a closed descriptor. */
    @Override
    public synchronized int deliver(PacketBatch packets) throws IOException {
        TunDevice d = device;
        return d == null ? 0 : d.write(packets);
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
    private static void ip(String... args) throws IOException {
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
