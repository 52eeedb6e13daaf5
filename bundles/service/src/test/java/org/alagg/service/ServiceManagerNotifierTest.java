package org.alagg.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;

import org.alagg.api.HotThread;
import org.junit.jupiter.api.Test;

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
}
