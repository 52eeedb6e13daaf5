package org.alagg.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.alagg.api.HotThread;
import org.alagg.api.InstanceStatus;
import org.alagg.api.Selection;
import org.alagg.linux.UnixDatagram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.service.log.Logger;

/** When the watchdog is fed, and how often. */
class ServiceManagerNotifierTest {
    @Test
    void theWatchdogIsFedOnlyWhileEveryHotThreadIsAliveAndTurning() {
        assertNull(ServiceManagerNotifier.stuck(List.of(new HotThread("alagg-egress", true, 80, 0),
                new HotThread("alagg-ingress", true, 2000, 1))));
        assertEquals("hot thread alagg-ingress is not alive", ServiceManagerNotifier.stuck(List.of(
                new HotThread("alagg-egress", true, 80, 0), new HotThread("alagg-ingress", false, 10, 0))));
        assertEquals("hot thread alagg-egress has not turned for 2001 ms", ServiceManagerNotifier.stuck(List.of(
                new HotThread("alagg-egress", true, 2001, 0))));
        assertEquals("the engine runs no hot thread", ServiceManagerNotifier.stuck(List.of()));
    }

    @Test
    void pingsEveryHalfWatchdogIntervalWhenTheWatchdogIsThisProcesss() {
        String pid = Long.toString(ProcessHandle.current().pid());
        assertEquals(15_000, ServiceManagerNotifier.pingMillis(Map.of("WATCHDOG_USEC", "30000000")));
        assertEquals(500, ServiceManagerNotifier.pingMillis(Map.of("WATCHDOG_USEC", "1000000", "WATCHDOG_PID", pid)));
        assertEquals(0, ServiceManagerNotifier.pingMillis(Map.of("WATCHDOG_USEC", "1000000", "WATCHDOG_PID", "1")));
        assertEquals(0, ServiceManagerNotifier.pingMillis(Map.of()));
        assertEquals(0, ServiceManagerNotifier.pingMillis(Map.of("WATCHDOG_USEC", "soon")));
    }

    /**
     * READY=1 once forwarding; STOPPING=1 only when the instance stops: the component going while the framework runs
     * on (the engine replaced) says nothing, and its successor's READY=1 is harmless.
     */
    @Test
    void stoppingIsSaidOnlyWhenTheInstanceStops(@TempDir Path temp) throws Exception {
        String path = temp.resolve("notify").toString();
        AtomicBoolean forwarding = new AtomicBoolean();
        InstanceStatus status = (InstanceStatus) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {InstanceStatus.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "forwarding" -> forwarding.get();
                    case "threads", "links", "warnings" -> List.of();
                    case "interceptor" -> new Selection("nfqueue", "nfqueue", List.of("nfqueue"));
                    default -> null;
                });
        Logger log = (Logger) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Logger.class},
                (proxy, method, args) -> null);
        AtomicBoolean shuttingDown = new AtomicBoolean();
        try (UnixDatagram manager = UnixDatagram.bind(path)) {
            ServiceManagerNotifier n = new ServiceManagerNotifier(status, log, Map.of("NOTIFY_SOCKET", path),
                    shuttingDown::get);
            assertNull(manager.receive(300), "nothing before the data path forwards");
            forwarding.set(true);
            String ready = manager.receive(2000);
            assertEquals(true, ready != null && ready.startsWith("READY=1\n"), ready);
            n.deactivate();
            assertNull(manager.receive(300), "the component went, the instance runs on: no STOPPING=1");

            n = new ServiceManagerNotifier(status, log, Map.of("NOTIFY_SOCKET", path), shuttingDown::get);
            ready = manager.receive(2000);
            assertEquals(true, ready != null && ready.startsWith("READY=1\n"), ready);
            shuttingDown.set(true);
            n.deactivate();
            assertEquals("STOPPING=1", manager.receive(2000));
        }
    }
}
