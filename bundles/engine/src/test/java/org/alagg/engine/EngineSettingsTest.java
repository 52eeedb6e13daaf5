package org.alagg.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.alagg.api.Alagg;
import org.junit.jupiter.api.Test;

/** Values set through Config Admin directly (a FileInstall .cfg, a command) pass the checks the file's keys pass. */
class EngineSettingsTest {
    @Test
    void valuesAsConfigAdminHoldsThemAreRead() {
        EngineSettings s = EngineSettings.parse(Map.of(Alagg.ENGINE_ETHERTYPE, "0x88B6", Alagg.ENGINE_REORDER_WINDOW, 512L,
                Alagg.ENGINE_REORDER_TIMEOUT_MS, "20", Alagg.ENGINE_STRATEGY, "strict", Alagg.ENGINE_PROBE_INTERVAL_MS, 50L),
                EngineSettings.DEFAULTS);
        assertEquals(50, s.probeIntervalMs());
        assertEquals(100, EngineSettings.DEFAULTS.probeIntervalMs());
        assertEquals(0x88B6, s.ethertype());
        assertEquals(512, s.reorder().window());
        assertEquals(20_000_000L, s.reorder().timeoutNanos());
        assertEquals("strict", s.strategy());
        assertEquals("nfqueue", s.interceptor(), "a missing property takes its default");
    }

    @Test
    void theReorderTimeoutIsAutoUnlessAValueIsGiven() {
        assertTrue(EngineSettings.DEFAULTS.reorderTimeoutAuto());
        for (Object auto : new Object[] {"auto", -1L, "-1"}) {
            EngineSettings s = EngineSettings.parse(Map.of(Alagg.ENGINE_REORDER_TIMEOUT_MS, auto), EngineSettings.DEFAULTS);
            assertTrue(s.reorderTimeoutAuto(), "" + auto);
            assertEquals(ReorderTimeout.LEAST_NANOS, s.reorder().timeoutNanos(), "auto starts at the least timeout");
        }
        EngineSettings fixed = EngineSettings.parse(Map.of(Alagg.ENGINE_REORDER_TIMEOUT_MS, 9L), EngineSettings.DEFAULTS);
        assertEquals(false, fixed.reorderTimeoutAuto());
        assertEquals(9_000_000L, fixed.reorder().timeoutNanos());
        assertTrue(EngineSettings.parse(Map.of(), fixed).reorderTimeoutAuto(), "a missing value takes the default: auto");
        assertTrue(fixed.forPeer(Map.of(Alagg.ENGINE_REORDER_TIMEOUT_MS, "auto")).reorderTimeoutAuto(), "a peer's own");
        assertEquals(false, EngineSettings.DEFAULTS.forPeer(Map.of(Alagg.ENGINE_REORDER_TIMEOUT_MS, 30L)).reorderTimeoutAuto());
    }

    @Test
    void everyBadValueIsNamedAndTheUsableSettingsKeepTheFallback() {
        EngineSettings.Invalid e = assertThrows(EngineSettings.Invalid.class, () -> EngineSettings.parse(Map.of(
                Alagg.ENGINE_ETHERTYPE, 0x0800, Alagg.ENGINE_REORDER_WINDOW, 65537, Alagg.ENGINE_REORDER_TIMEOUT_MS, "soon",
                Alagg.ENGINE_STRATEGY, "Not A Name", Alagg.ENGINE_SCHEDULER, "ok", Alagg.ENGINE_PROBE_INTERVAL_MS, "5"),
                EngineSettings.DEFAULTS));
        String m = e.getMessage();
        assertTrue(m.contains("ethertype = 2048") && m.contains("IPv4"), m);
        assertTrue(m.contains("reorder.window = 65537") && m.contains("1..65536"), m);
        assertTrue(m.contains("reorder.timeout.ms = soon") && m.contains("not a number"), m);
        assertTrue(m.contains("strategy = Not A Name"), m);
        assertTrue(m.contains("probe.interval.ms = 5") && m.contains("10..10000"), m);
        assertEquals(100, e.usable.probeIntervalMs());
        assertEquals(EngineSettings.DEFAULTS.reorder(), e.usable.reorder());
        assertEquals("ok", e.usable.scheduler(), "good values are kept");
    }
}
