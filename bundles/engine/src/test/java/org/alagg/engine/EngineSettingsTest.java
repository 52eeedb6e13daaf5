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

    @Test
    void forwardErrorCorrectionIsOffUnlessARatioIsGivenAndAPeerMayHaveItsOwn() {
        assertEquals(FecSettings.OFF, EngineSettings.DEFAULTS.fec());
        EngineSettings s = EngineSettings.parse(Map.of(Alagg.ENGINE_FEC_RATIO, "4 : 2", Alagg.ENGINE_FEC_TIMEOUT_MS, "3",
                Alagg.ENGINE_FEC_TARGET_LOSS, "0.5%"), EngineSettings.DEFAULTS);
        assertEquals(new FecSettings(4, 2, false, 3_000_000L, 0.005), s.fec());
        assertEquals(s.fec(), s.forPeer(Map.of()).fec(), "a peer that gives none takes the engine's");
        FecSettings auto = s.forPeer(Map.of(Alagg.ENGINE_FEC_RATIO, "auto", Alagg.ENGINE_FEC_TARGET_LOSS, "0.0001")).fec();
        assertTrue(auto.auto() && !auto.on(), "auto sends nothing until the control thread chose: " + auto);
        assertEquals(0.0001, auto.targetLoss());
        assertEquals(3, auto.timeoutMs(), "the engine's timeout");
        EngineSettings.Invalid e = assertThrows(EngineSettings.Invalid.class, () -> EngineSettings.parse(Map.of(
                Alagg.ENGINE_FEC_RATIO, "21:1", Alagg.ENGINE_FEC_TIMEOUT_MS, 0L, Alagg.ENGINE_FEC_TARGET_LOSS, "50%"),
                EngineSettings.DEFAULTS));
        String m = e.getMessage();
        assertTrue(m.contains("fec.ratio = 21:1") && m.contains("1..20"), m);
        assertTrue(m.contains("fec.timeout.ms = 0") && m.contains("1..1000"), m);
        assertTrue(m.contains("fec.target.loss = 50%") && m.contains("below 50%"), m);
        assertEquals(FecSettings.OFF, e.usable.fec());
    }

    @Test
    void autoChoosesTheLeastOverheadThatMeetsTheTarget() {
        assertEquals(0.008146, FecAuto.residual(4, 2, 0.1), 1e-6, "4:2 at 10 %: a packet lost, and 2 of the other 5 frames");
        int[] chosen = FecAuto.choose(0.1, 0.001);
        assertEquals(19, chosen[0]);
        assertEquals(7, chosen[1]);
        int[] bad = FecAuto.choose(0.5, 0.001);
        assertTrue(bad[1] <= bad[0], "never more parity than data, even for a link losing half: " + bad[0] + ":" + bad[1]);
        int[] clean = FecAuto.choose(0.0, 0.001);
        assertEquals(20, clean[0], "no loss measured: the least overhead");
        assertEquals(1, clean[1]);
    }
}
