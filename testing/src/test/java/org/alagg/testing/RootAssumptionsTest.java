package org.alagg.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class RootAssumptionsTest {
    @Test
    void readsTheEffectiveUid() {
        assertEquals(1000, RootAssumptions.parseEffectiveUid(List.of("Name:\tjava", "Uid:\t0\t1000\t1000\t1000", "Gid:\t0")));
        assertEquals(0, RootAssumptions.parseEffectiveUid(List.of("Uid:\t0\t0\t0\t0")));
        assertEquals(-1, RootAssumptions.parseEffectiveUid(List.of("Name:\tjava")));
        assertTrue(RootAssumptions.effectiveUid() >= 0, "this process has a /proc/self/status");
    }

    @Test
    void findsToolsOnThePath() {
        assertTrue(RootAssumptions.hasTool("sh"));
        assertFalse(RootAssumptions.hasTool("alagg-no-such-tool"));
    }

    @Test
    void namesWhyARootTestCannotRun() {
        String reason = RootAssumptions.whyNot("alagg-no-such-tool");
        if (RootAssumptions.isRoot()) {
            assertEquals("needs the command(s) alagg-no-such-tool on PATH", reason);
        } else {
            assertTrue(reason.startsWith("needs root, but runs as uid "), reason);
        }
        assertTrue(RootAssumptions.skipReason("x").contains("CI=true"));
        assertTrue(RootAssumptions.ciFailure("x").contains("CI=true"));
    }

    @Test
    void ownerPidIsPartOfTheName() {
        assertEquals(1234, TestNetwork.ownerPid("alagg-t-1234-beef-a"));
        assertEquals(-1, TestNetwork.ownerPid("other-1234"));
        assertEquals(-1, TestNetwork.ownerPid("alagg-t-x-beef"));
    }
}
