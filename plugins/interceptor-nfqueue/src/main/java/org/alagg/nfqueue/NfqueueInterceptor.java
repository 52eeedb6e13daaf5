package org.alagg.nfqueue;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

import org.alagg.api.Alagg;
import org.alagg.api.LocalDelivery;
import org.alagg.api.PacketBatch;
import org.alagg.api.PacketInterceptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.Designate;

/**
 * Capture mode {@code nfqueue}: packets that iptables/ip6tables rules send to a netfilter queue are taken
 * from it (and dropped from the kernel's path), and received packets are delivered on this host through
 * marked raw sockets. The egress thread binds the queue when the engine selects this mode and unbinds it when
 * the mode is left; delivery works whether or not the queue is bound.
 */
@Component(configurationPid = NfqueueInterceptor.PID, service = {PacketInterceptor.class, LocalDelivery.class},
        property = Alagg.INTERCEPTOR + "=nfqueue")
@Designate(ocd = NfqueueConfig.class)
public final class NfqueueInterceptor implements PacketInterceptor, LocalDelivery {
    static final String PID = "org.alagg.interceptor.nfqueue";

    private final Logger log;
    private final LossReport report;
    private volatile NfqueueConfig config;
    private volatile BoundQueue bound;
    private volatile MarkedDelivery delivery;

    @Activate
    public NfqueueInterceptor(NfqueueConfig config, @Reference(service = LoggerFactory.class) Logger log) {
        this.log = log;
        this.config = check(config);
        this.delivery = new MarkedDelivery(config.mark());
        this.report = new LossReport(this::counters, this::lastFailure, log);
    }

    @Modified
    void modified(NfqueueConfig next) {
        NfqueueConfig previous = config;
        config = check(next);
        if (next.mark() != previous.mark()) {
            MarkedDelivery old = delivery;
            delivery = new MarkedDelivery(next.mark());
            old.close();
        }
        if (bound != null) {
            log.warn("The NFQUEUE configuration changed: the queue settings apply when the capture mode is next"
                    + " selected (a new mark applies to delivery at once)");
        }
    }

    @Deactivate
    void deactivate() {
        close();
        delivery.close();
    }

    private static NfqueueConfig check(NfqueueConfig c) {
        NfqueueMessages.checkQueue(c.queue());
        if (c.queue_maxlen() <= 0) {
            throw new IllegalArgumentException("queue.maxlen must be positive: " + c.queue_maxlen());
        }
        if (c.mark() == 0) {
            throw new IllegalArgumentException("mark must not be 0: unmarked packets are the ones to capture");
        }
        return c;
    }

    /**
     * Binds the queue, then reads the firewall rules and logs which feed it (a warning names the rule to add
     * when none does).
     */
    @Override
    public synchronized void open(int maxPacketLength) throws IOException {
        close();
        NfqueueConfig c = config;
        BoundQueue q = BoundQueue.bind(c.queue(), c.queue_maxlen(), c.fail_open(), maxPacketLength, c.mark());
        bound = q;
        log.info("NFQUEUE {} bound: whole packets, queue length {}, fail-open {}; packets over {} bytes are"
                + " answered with ICMP too-big (IPv4 with DF, IPv6) or dropped", c.queue(), c.queue_maxlen(),
                c.fail_open() ? "on" : "off", maxPacketLength);
        if (maxPacketLength < TooBigMessages.IPV6_MIN_MTU) {
            log.warn("The links carry packets of at most {} bytes, less than the 1280 IPv6 needs: IPv6 packets"
                    + " over {} bytes cannot pass", maxPacketLength, maxPacketLength);
        }
        FirewallCheck.check(c.queue(), c.mark(), log);
    }

    @Override
    public synchronized void close() {
        BoundQueue q = bound;
        bound = null;
        if (q != null) {
            Map<String, Long> last = new LinkedHashMap<>();
            q.counters(last);
            last.values().removeIf(v -> v == 0);
            q.close();
            log.info("NFQUEUE {} released; its counters: {}", q.queue(), last);
        }
    }

    @Override
    public int capture(PacketBatch batch, long timeoutNanos) throws IOException {
        BoundQueue q = bound;
        if (q == null) {
            LockSupport.parkNanos(timeoutNanos); // closed under the engine's feet (deactivation): do not spin
            return 0;
        }
        int n = q.capture(batch, timeoutNanos);
        report.tick();
        return n;
    }

    @Override
    public void wakeup() {
        BoundQueue q = bound;
        if (q != null) {
            q.wakeup();
        }
    }

    @Override
    public int deliver(PacketBatch packets) throws IOException {
        int n = delivery.deliver(packets);
        report.tick();
        return n;
    }

    /**
     * The counters of the bound queue (since it was bound; absent while none is) and of delivery (since the
     * component started or its mark changed), by the names docs/nfqueue.md lists.
     */
    @Override
    public Map<String, Long> counters() {
        Map<String, Long> counters = new LinkedHashMap<>();
        BoundQueue q = bound;
        if (q != null) {
            q.counters(counters);
        }
        delivery.counters(counters);
        return counters;
    }

    private String lastFailure() {
        BoundQueue q = bound;
        String failure = q == null ? null : q.lastFailure();
        return failure != null ? failure : delivery.lastFailure();
    }
}
