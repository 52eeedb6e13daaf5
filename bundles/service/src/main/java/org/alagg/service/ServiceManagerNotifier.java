package org.alagg.service;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.alagg.api.HotThread;
import org.alagg.api.InstanceStatus;
import org.alagg.linux.LinuxException;
import org.alagg.linux.UnixDatagram;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * Tells a service manager (systemd, {@code Type=notify}) how the instance is, over the socket it names in
 * {@code NOTIFY_SOCKET}, as {@code sd_notify} does: {@code READY=1} once the data path forwards (the interceptor open,
 * a link open: {@link InstanceStatus#forwarding()}), then {@code WATCHDOG=1} every half
 * {@code WATCHDOG_USEC} while every hot thread is alive and turning (a thread stuck in a plugin stops the pings, and
 * systemd restarts the service), {@code STOPPING=1} when the instance stops (the framework shuts down; not when only
 * this component goes, say while the engine is replaced). Without {@code NOTIFY_SOCKET} it does nothing.
 */
@Component(immediate = true)
public final class ServiceManagerNotifier {
    /** How long a hot thread may go without a turn before the watchdog is no longer fed (a live one turns every 100 ms). */
    static final long STALL_MILLIS = 2000;
    private static final long POLL_MILLIS = 100;

    private final InstanceStatus status;
    private final Logger log;
    private final String socket;
    /** Half the watchdog interval, ms; 0: no watchdog. */
    private final long pingMillis;
    private final UnixDatagram sender;
    private final Thread thread;
    /** Whether the instance as a whole stops (the framework shuts down), not only this component. */
    private final BooleanSupplier instanceStopping;
    private volatile boolean stopping;

    @Activate
    public ServiceManagerNotifier(@Reference InstanceStatus status, @Reference(service = LoggerFactory.class) Logger log,
                                  BundleContext context) throws LinuxException {
        this(status, log, System.getenv(), () -> context.getBundle(0).getState() == Bundle.STOPPING);
    }

    ServiceManagerNotifier(InstanceStatus status, Logger log, Map<String, String> env, BooleanSupplier instanceStopping)
            throws LinuxException {
        this.status = status;
        this.log = log;
        this.instanceStopping = instanceStopping;
        this.socket = env.get("NOTIFY_SOCKET");
        this.pingMillis = socket == null ? 0 : pingMillis(env);
        if (socket == null) {
            sender = null;
            thread = null;
            return;
        }
        sender = UnixDatagram.open();
        thread = new Thread(this::run, "alagg-notify");
        thread.setDaemon(true);
        thread.start();
        log.info("Service manager: notifying {} (READY=1 once forwarding{})", socket,
                pingMillis == 0 ? "" : ", WATCHDOG=1 every " + pingMillis + " ms while the hot threads turn");
    }

    /** Half of WATCHDOG_USEC when the watchdog is meant for this process (WATCHDOG_PID, when given, is its pid). */
    static long pingMillis(Map<String, String> env) {
        String usec = env.get("WATCHDOG_USEC");
        String pid = env.get("WATCHDOG_PID");
        if (usec == null || pid != null && !pid.equals(Long.toString(ProcessHandle.current().pid()))) {
            return 0;
        }
        try {
            return Math.max(1, TimeUnit.MICROSECONDS.toMillis(Long.parseLong(usec)) / 2);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private void run() {
        boolean ready = false;
        boolean stalled = false;
        boolean failing = false;
        long nextPing = 0;
        while (!stopping) {
            try {
                if (!ready && status.forwarding()) {
                    send("READY=1\nSTATUS=forwarding: interceptor " + status.interceptor().active() + ", "
                            + status.links().size() + " link(s) open\nMAINPID=" + ProcessHandle.current().pid());
                    ready = true;
                    log.info("Service manager: READY=1 sent (the data path forwards)");
                }
                long now = System.nanoTime();
                if (pingMillis > 0 && now - nextPing >= 0) {
                    String stuck = stuck(status.threads());
                    if (stuck == null) {
                        send("WATCHDOG=1");
                        stalled = false;
                    } else if (!stalled) {
                        stalled = true;
                        log.error("Service manager: not feeding the watchdog: {}", stuck);
                    }
                    nextPing = now + TimeUnit.MILLISECONDS.toNanos(pingMillis);
                }
                if (failing) {
                    failing = false;
                    log.info("Service manager: notifying {} works again", socket);
                }
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                return;
            } catch (LinuxException | RuntimeException e) {
                if (!failing) { // once per spell, not every second: the journal is not flooded
                    failing = true;
                    log.warn("Service manager: notifying {} failed: {} (tried again every second)", socket,
                            e.getMessage());
                }
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException again) {
                    return;
                }
            }
        }
    }

    /** Why the hot threads are not well, or null when all are alive and turning. */
    static String stuck(List<HotThread> threads) {
        if (threads.isEmpty()) {
            return "the engine runs no hot thread";
        }
        for (HotThread t : threads) {
            if (!t.alive()) {
                return "hot thread " + t.name() + " is not alive";
            }
            if (t.lastTurnMillis() > STALL_MILLIS) {
                return "hot thread " + t.name() + " has not turned for " + t.lastTurnMillis() + " ms";
            }
        }
        return null;
    }

    private void send(String message) throws LinuxException {
        sender.send(socket, message);
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        if (sender == null) {
            return;
        }
        stopping = true;
        thread.interrupt();
        thread.join(2000);
        if (thread.isAlive()) {
            // held up in a status call: it may still send, so its socket stays open (closed with the process)
            log.warn("Service manager: the notifying thread did not end within 2 s");
            return;
        }
        if (!instanceStopping.getAsBoolean()) {
            sender.close(); // a new component sends READY=1 again (systemd takes it as a no-op)
            return;
        }
        try {
            send("STOPPING=1");
        } catch (LinuxException e) {
            log.warn("Service manager: STOPPING=1 to {} failed: {}", socket, e.getMessage());
        }
        sender.close();
    }
}
