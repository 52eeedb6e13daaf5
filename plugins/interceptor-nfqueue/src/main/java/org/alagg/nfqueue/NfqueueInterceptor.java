package org.alagg.nfqueue;

import org.alagg.linux.Shared;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.nio.channels.ClosedChannelException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.alagg.api.Alagg;
import org.alagg.api.IpNetwork;
import org.alagg.api.LocalDelivery;
import org.alagg.api.PacketBatch;
import org.alagg.api.PacketInterceptor;
import org.alagg.api.PluginReport;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceRegistration;
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
 * marked raw sockets. The engine's control thread binds the queue when the engine selects this mode, follows
 * the links' packet limit, and unbinds the queue when the mode is left; delivery works whether or not the queue
 * is bound.
 *
 * <p>The data path never waits for the control thread: open, close and {@link #limitPacketLength} serialize on a
 * lock of their own, which neither {@link #capture} nor {@link #deliver} takes; open binds the queue before it
 * publishes it through a volatile reference, and reads the firewall rules (subprocesses) after. The bound queue
 * and the delivery sockets are {@link Shared}: closed only once no capture or delivery uses them, so neither
 * sends on a closed or reused descriptor. After deactivation a delivery fails with a
 * {@link ClosedChannelException}.
 */
@Component(configurationPid = NfqueueInterceptor.PID, service = {PacketInterceptor.class, LocalDelivery.class},
        property = Alagg.INTERCEPTOR + "=nfqueue")
@Designate(ocd = NfqueueConfig.class)
public final class NfqueueInterceptor implements PacketInterceptor, LocalDelivery {
    static final String PID = "org.alagg.interceptor.nfqueue";
    /** How long close waits for a capture or delivery in progress to end before it leaves the closing to that thread. */
    private static final long CLOSE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final Logger log;
    private final LossReport report;
    /** Taken by open, close and limitPacketLength only: never by the data path. */
    private final Object control = new Object();
    private volatile NfqueueConfig config;
    private volatile Shared<BoundQueue> bound;
    private volatile Shared<MarkedDelivery> delivery;
    /** capture.destinations: the rules and routes Alagg makes itself; used under the control lock only. */
    private final ManagedCapture managed;
    /** Whether managed capture made something that is still in place (or may be, after a failure). */
    private boolean managing;
    /** Runs {@link #watchManaged}. */
    private final ScheduledExecutorService watcher;
    /** Why the managed rules and routes are not as configured; null when they are. */
    private volatile String managedProblem;
    /** The start-up check of the firewall rules (subprocesses); replaced by tests to make it slow. */
    RuleCheck ruleCheck = FirewallCheck::check;

    interface RuleCheck {
        void check(int queue, int mark, Logger log);
    }

    /** The managed capture's problems for alagg:status: a report of its own, so the counters are not shown twice. */
    private ServiceRegistration<PluginReport> problems;

    @Activate
    public NfqueueInterceptor(NfqueueConfig config, BundleContext context,
                              @Reference(service = LoggerFactory.class) Logger log) {
        this(config, managedCapture(context), log);
        problems = context.registerService(PluginReport.class, new PluginReport() {
            @Override
            public Map<String, Long> counters() {
                return Map.of();
            }

            @Override
            public List<String> status() {
                String problem = managedProblem;
                return problem == null ? List.of() : List.of(problem);
            }
        }, FrameworkUtil.asDictionary(Map.of(Alagg.INTERCEPTOR, "nfqueue")));
        if (managed.leftovers()) {
            // a run that did not stop cleanly left rules that queue packets nobody reads: removed whatever mode runs
            // now, on a thread of its own (tools take seconds; not on SCR's), under the control lock
            Thread cleanup = new Thread(() -> {
                synchronized (control) {
                    if (!managing && managed.leftovers()) {
                        managing = true;
                        removeManaged();
                    }
                }
            }, "alagg-nfqueue-leftovers");
            cleanup.setDaemon(true);
            cleanup.start(); // an open first does it itself (applyManaged), and this one then finds nothing
        }
    }

    /** Without a framework (tests): managed capture as instance {@code alagg}, without a state file. */
    NfqueueInterceptor(NfqueueConfig config, Logger log) {
        this(config, managedCapture("alagg", null), log);
    }

    private NfqueueInterceptor(NfqueueConfig config, ManagedCapture managed, Logger log) {
        this.log = log;
        this.config = check(config);
        this.delivery = delivery(config.mark());
        this.report = new LossReport(this::counters, this::lastFailure, log);
        this.managed = managed;
        this.watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "alagg-nfqueue-watch");
            t.setDaemon(true);
            return t;
        });
        watcher.scheduleWithFixedDelay(this::watchManaged, WATCH_SECONDS, WATCH_SECONDS, TimeUnit.SECONDS);
    }

    /** The instance's managed capture; its state file beside the control socket, in the run directory. */
    private static ManagedCapture managedCapture(BundleContext context) {
        String instance = Objects.requireNonNullElse(context.getProperty("alagg.instance"), "alagg");
        String socket = context.getProperty("alagg.control.socket");
        return managedCapture(instance, socket == null ? null : Path.of(socket).resolveSibling(instance + ".capture"));
    }

    private static ManagedCapture managedCapture(String instance, Path state) {
        return new ManagedCapture(instance, state, (tool, args) -> {
            Tools.Result r = Tools.run(tool, args);
            if (!r.ok()) {
                throw new IOException(r.problem());
            }
            return r.output();
        });
    }

    private static Shared<MarkedDelivery> delivery(int mark) {
        return new Shared<>(new MarkedDelivery(mark), MarkedDelivery::close);
    }

    @Modified
    void modified(NfqueueConfig next) {
        NfqueueConfig previous = config;
        config = check(next);
        if (next.mark() != previous.mark()) {
            Shared<MarkedDelivery> old = delivery;
            delivery = delivery(next.mark());
            old.close(CLOSE_WAIT_NANOS); // a delivery in progress ends with the old mark, the next takes the new
        }
        synchronized (control) {
            Shared<BoundQueue> s = bound;
            if (s == null && next.destinations().isBlank() && !managing) {
                managedProblem = null; // asked for nothing now: an old problem says nothing more
            }
            if (s != null) {
                BoundQueue q = s.peek();
                applyManaged(q.queue(), q.limit());
                if (next.queue() != previous.queue() || next.queue_maxlen() != previous.queue_maxlen()
                        || next.fail_open() != previous.fail_open()) {
                    log.warn("The NFQUEUE configuration changed: the queue settings apply when the capture mode is next"
                            + " selected (a new mark applies to delivery at once, managed destinations now)");
                }
            }
        }
    }

    /**
     * Brings the managed rules and routes in line with the configuration, for the bound queue and the links' packet
     * limit. Runs only when the configuration asks for it or something made before is to go. A destination left out
     * (another route is there) or a failure is logged and shown in alagg:status; capture goes on with the rules there
     * are, for the destinations that have them (one bad destination does not stop the others).
     */
    private void applyManaged(int queue, int mtu) {
        NfqueueConfig c = config;
        List<IpNetwork> destinations = c.destinations().isBlank() ? List.of() : IpNetwork.parseList(c.destinations());
        if (destinations.isEmpty() && !managing && !managed.leftovers()) {
            managedProblem = null; // nothing asked for, nothing made, nothing a crashed run left
            return;
        }
        managing = true;
        try {
            String leftOut = managed.apply(new ManagedCapture.Settings(destinations, c.forward(), queue, c.mark(), mtu));
            managing = !destinations.isEmpty();
            if (destinations.isEmpty()) {
                log.info("NFQUEUE {}: managed capture off; chain {} and its routes removed", queue, managed.chain());
            } else {
                log.info("NFQUEUE {}: managed capture of {}{} (chain {}, routes through lo with MTU {})", queue,
                        c.destinations(), c.forward() ? ", forwarded too" : "", managed.chain(), mtu);
            }
            String previous = managedProblem;
            managedProblem = leftOut.isEmpty() ? null : "managed capture: " + leftOut;
            if (managedProblem != null && !managedProblem.equals(previous)) {
                log.error("NFQUEUE {}: {}", queue, managedProblem);
            }
        } catch (IOException | RuntimeException e) {
            managedProblem = "managed capture of " + c.destinations() + " failed: " + e.getMessage()
                    + "; capture goes on with the rules there are";
            log.error("NFQUEUE {}: {}", queue, managedProblem);
        }
    }

    /** How often managed capture looks whether its rules and routes are still there. */
    static final long WATCH_SECONDS = 10;

    /**
     * Every {@link #WATCH_SECONDS} while the queue is bound: rules or routes of managed capture that someone else took
     * away (a firewall reload that flushed the tables, a route deleted by hand) are made again, and said so.
     */
    private void watchManaged() {
        synchronized (control) {
            Shared<BoundQueue> s = bound;
            if (s == null || !managing) {
                return;
            }
            try {
                String missing = managed.missing();
                if (!missing.isEmpty()) {
                    log.warn("NFQUEUE {}: managed capture: {} gone (a firewall reload? a route deleted?): made again",
                            s.peek().queue(), missing);
                    applyManaged(s.peek().queue(), s.peek().limit());
                }
            } catch (IOException | RuntimeException e) {
                log.warn("Managed capture: looking at the rules and routes failed: {}", e.getMessage());
            }
        }
    }

    /** Removes the managed rules and routes, if any. */
    private void removeManaged() {
        if (!managing) {
            return;
        }
        try {
            managed.remove();
            managedProblem = null;
            log.info("Managed capture: chain {} and its routes removed", managed.chain());
        } catch (IOException | RuntimeException e) {
            managedProblem = "removing chain " + managed.chain() + " and its routes failed: " + e.getMessage()
                    + " (the next start tries again)";
            log.error("Managed capture: {}", managedProblem);
        }
        managing = false;
    }

    @Deactivate
    void deactivate() {
        watcher.shutdownNow();
        try {
            close();
            delivery.close(CLOSE_WAIT_NANOS);
        } finally {
            if (problems != null) {
                try {
                    problems.unregister();
                } catch (IllegalStateException e) {
                    // unregistered already: the bundle stops
                }
            }
        }
    }

    private static NfqueueConfig check(NfqueueConfig c) {
        NfqueueMessages.checkQueue(c.queue());
        if (c.queue_maxlen() <= 0) {
            throw new IllegalArgumentException("queue.maxlen must be positive: " + c.queue_maxlen());
        }
        if (c.mark() == 0) {
            throw new IllegalArgumentException("mark must not be 0: unmarked packets are the ones to capture");
        }
        if (!c.destinations().isBlank()) {
            ManagedCapture.checkDestinations(IpNetwork.parseList(c.destinations()));
        }
        return c;
    }

    /**
     * Binds the queue, then reads the firewall rules and logs which feed it (a warning names the rule to add
     * when none does).
     */
    @Override
    public void open(int maxPacketLength) throws IOException {
        NfqueueConfig c;
        synchronized (control) {
            close();
            c = config;
            BoundQueue q = BoundQueue.bind(c.queue(), c.queue_maxlen(), c.fail_open(), maxPacketLength, c.mark());
            bound = new Shared<>(q, BoundQueue::close);
            log.info("NFQUEUE {} bound: whole packets, queue length {}, fail-open {}; packets over {} bytes are"
                    + " answered with ICMP too-big (IPv4 with DF, IPv6) or dropped", c.queue(), c.queue_maxlen(),
                    c.fail_open() ? "on" : "off", maxPacketLength);
            if (maxPacketLength < TooBigMessages.IPV6_MIN_MTU) {
                warnIpv6(maxPacketLength);
            }
            applyManaged(c.queue(), maxPacketLength);
        }
        ruleCheck.check(c.queue(), c.mark(), log); // subprocesses: outside the lock, so close need not wait for them
    }

    /**
     * From the next captured batch on, packets longer than {@code maxPacketLength} are answered with ICMP
     * "fragmentation needed" / "packet too big" naming it as the MTU (or dropped, IPv4 without DF).
     */
    @Override
    public void limitPacketLength(int maxPacketLength) {
        synchronized (control) {
            Shared<BoundQueue> s = bound;
            if (s == null) {
                return; // not bound: open takes the limit
            }
            BoundQueue q = s.peek();
            int previous = q.limit(maxPacketLength);
            if (previous == maxPacketLength) {
                return;
            }
            log.info("NFQUEUE {}: packets over {} bytes are answered with ICMP too-big from now on (was {}): the links'"
                    + " packet limit changed", q.queue(), maxPacketLength, previous);
            applyManaged(q.queue(), maxPacketLength);
            if (maxPacketLength < TooBigMessages.IPV6_MIN_MTU && previous >= TooBigMessages.IPV6_MIN_MTU) {
                warnIpv6(maxPacketLength);
            }
        }
    }

    private void warnIpv6(int maxPacketLength) {
        log.warn("The links carry packets of at most {} bytes, less than the 1280 IPv6 needs: IPv6 packets"
                + " over {} bytes cannot pass", maxPacketLength, maxPacketLength);
    }

    @Override
    public void close() {
        synchronized (control) {
            removeManaged();
            Shared<BoundQueue> s = bound;
            bound = null;
            if (s == null) {
                return;
            }
            BoundQueue q = s.peek();
            Map<String, Long> last = new LinkedHashMap<>();
            q.counters(last);
            last.values().removeIf(v -> v == 0);
            q.wakeup(); // a capture in progress returns, and unbinds the queue when it lets go
            if (s.close(CLOSE_WAIT_NANOS)) {
                log.info("NFQUEUE {} released; its counters: {}", q.queue(), last);
            } else {
                log.warn("NFQUEUE {}: a capture still runs after {} s; the queue is released when it ends; its counters: {}",
                        q.queue(), TimeUnit.NANOSECONDS.toSeconds(CLOSE_WAIT_NANOS), last);
            }
        }
    }

    @Override
    public int capture(PacketBatch batch, long timeoutNanos) throws IOException {
        Shared<BoundQueue> s = bound;
        BoundQueue q = s == null ? null : s.acquire();
        if (q == null) {
            if (timeoutNanos > 0) {
                LockSupport.parkNanos(timeoutNanos); // closed under the engine's feet (deactivation): do not spin
            }
            return 0;
        }
        int n;
        try {
            n = q.capture(batch, timeoutNanos);
        } finally {
            s.release();
        }
        report.tick();
        return n;
    }

    @Override
    public void wakeup() {
        Shared<BoundQueue> s = bound;
        if (s != null) {
            s.peek().wakeup(); // ignored once closed
        }
    }

    @Override
    public int deliver(PacketBatch packets) throws IOException {
        Shared<MarkedDelivery> s = delivery;
        MarkedDelivery d = s.acquire();
        if (d == null) {
            s = delivery; // closed just now: a new mark replaced it, or the component is deactivated
            d = s.acquire();
            if (d == null) {
                throw new Closed("nfqueue delivery is closed: the component is deactivated");
            }
        }
        int n;
        try {
            n = d.deliver(packets);
        } finally {
            s.release();
        }
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
        Shared<BoundQueue> q = bound;
        if (q != null) {
            q.peek().counters(counters);
        }
        delivery.peek().counters(counters);
        return counters;
    }

    private String lastFailure() {
        Shared<BoundQueue> q = bound;
        String failure = q == null ? null : q.peek().lastFailure();
        return failure != null ? failure : delivery.peek().lastFailure();
    }

    /** Delivery is closed: a {@link ClosedChannelException} that says why. */
    static final class Closed extends ClosedChannelException {
        private static final long serialVersionUID = 1L;
        private final String message;

        Closed(String message) {
            this.message = message;
        }

        @Override
        public String getMessage() {
            return message;
        }
    }
}
