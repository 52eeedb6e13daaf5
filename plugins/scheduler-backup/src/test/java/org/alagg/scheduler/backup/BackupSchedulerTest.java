package org.alagg.scheduler.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.alagg.api.LinkState;
import org.alagg.testkit.SchedulerCheck;
import org.alagg.testkit.TestLinks;
import org.junit.jupiter.api.Test;

class BackupSchedulerTest {
    private static final long S = 1_000_000_000L;
    private final BackupScheduler scheduler = new BackupScheduler();
    private final TestLinks links = new TestLinks();
    private final int[] chosen = new int[4];
    private final int[] all = {0, 1, 2};

    private String choose() {
        int n = scheduler.choose(0, 1000, all, 3, links, chosen);
        return Arrays.toString(Arrays.copyOf(chosen, n));
    }

    @Test
    void meetsTheEnginesContractWithoutAllocating() {
        SchedulerCheck.of(scheduler).run(11, 20_000);
        scheduler.configure(0, "weighted");
        SchedulerCheck.of(scheduler).run(12, 20_000);
    }

    @Test
    void onlyTheBestTierWithAnUpLinkCarriesAndHandsBackAfterTheHoldTime() {
        long now = System.nanoTime();
        links.set(0, LinkState.UP, 1_000_000, 0, 0).configure(0, 0, 0).since(0, now - 60 * S);
        links.set(1, LinkState.UP, 1_000_000, 0, 0).configure(1, 0, 0).since(1, now - 60 * S);
        links.set(2, LinkState.UP, 1_000_000, 0, 0).configure(2, 0, 1).since(2, now - 60 * S);
        assertEquals("[0, 1]", choose(), "tier 0, redundantly");
        links.set(0, LinkState.DEGRADED, 1_000_000, 200_000, 0);
        assertEquals("[1]", choose(), "the tier's UP links only");
        links.set(1, LinkState.DOWN, -1, -1, -1);
        assertEquals("[2]", choose(), "no UP link in tier 0: tier 1 takes over");
        links.set(1, LinkState.UP, 1_000_000, 0, 0); // back just now
        assertEquals("[2]", choose(), "the primary is back, but not for the hold time yet");
        links.since(1, System.nanoTime() - BackupScheduler.DEFAULT_HOLD_MS * 1_000_000 - 1);
        assertEquals("[1]", choose(), "held UP long enough: traffic returns");
    }

    @Test
    void atStartTheBestTierWithAnUpLinkIsUsedAtOnce() {
        long now = System.nanoTime();
        links.set(0, LinkState.UP, 1_000_000, 0, 0).configure(0, 0, 1).since(0, now);
        links.set(1, LinkState.UP, 1_000_000, 0, 0).configure(1, 0, 0).since(1, now);
        links.set(2, LinkState.DOWN, -1, -1, -1).configure(2, 0, 0);
        assertEquals("[1]", choose());
        links.set(1, LinkState.DEGRADED, 1_000_000, 200_000, 0);
        links.set(0, LinkState.DEGRADED, 1_000_000, 200_000, 0);
        links.set(2, LinkState.DEGRADED, 1_000_000, 200_000, 0);
        assertEquals("[1, 2]", choose(), "no link UP: the best tier offered, on all its links");
    }

    @Test
    void weightedWithinATierSendsEachPacketOnce() {
        scheduler.configure(0, "weighted");
        long now = System.nanoTime();
        links.set(0, LinkState.UP, 1_000_000, 0, 0).configure(0, 1, 0).since(0, now - 60 * S);
        links.set(1, LinkState.UP, 1_000_000, 0, 0).configure(1, 1, 0).since(1, now - 60 * S);
        links.set(2, LinkState.UP, 1_000_000, 0, 0).configure(2, 1, 1).since(2, now - 60 * S);
        int[] count = new int[3];
        for (int p = 0; p < 100; p++) {
            assertEquals(1, scheduler.choose(p, 1000, all, 3, links, chosen));
            count[chosen[0]]++;
        }
        assertEquals("[50, 50, 0]", Arrays.toString(count));
    }

    @Test
    void badSettingsAreRefusedWithTheirName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> scheduler.configure(-1, "redundant"));
        assertTrue(e.getMessage().contains("plugin.backup.hold.ms -1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> scheduler.configure(0, "fastest"));
        assertTrue(e.getMessage().contains("plugin.backup.within 'fastest'"), e.getMessage());
    }
}
