package org.alagg.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.alagg.api.LinkScheduler;
import org.junit.jupiter.api.Test;

/** The scheduler check passes a sound scheduler and catches broken ones. */
class SchedulerCheckTest {
    /** Sound: the first link offered, the next one for the next packet. */
    private static final LinkScheduler ROUND_ROBIN = (sequence, length, up, upCount, chosen) -> {
        if (upCount == 0) {
            return 0;
        }
        chosen[0] = up[Integer.remainderUnsigned(sequence, upCount)];
        return 1;
    };

    @Test
    void aSoundSchedulerPasses() {
        SchedulerRun run = SchedulerCheck.of(ROUND_ROBIN).run(5, 10_000);
        assertEquals(10_000, run.sends() + run.unsent());
        assertTrue(run.allocatedBytes() <= 1024, "within the allowance: " + run.allocatedBytes());
    }

    @Test
    void aLinkThatWasNotOfferedIsCaught() {
        assertCaught((sequence, length, up, upCount, chosen) -> {
            chosen[0] = 7;
            return 1;
        }, "link 7 chosen, but it was not offered");
    }

    @Test
    void aLinkChosenTwiceIsCaught() {
        assertCaught((sequence, length, up, upCount, chosen) -> {
            if (upCount == 0) {
                return 0;
            }
            chosen[0] = up[0];
            chosen[1] = up[0];
            return 2;
        }, "chosen twice for one packet");
    }

    @Test
    void aCountBeyondTheLinksOfferedIsCaught() {
        assertCaught((sequence, length, up, upCount, chosen) -> upCount + 1, "links offered");
    }

    @Test
    void aSchedulerThatAllocatesIsCaught() {
        List<Integer> log = new ArrayList<>();
        assertCaught((sequence, length, up, upCount, chosen) -> {
            log.add(sequence);
            return 0;
        }, "the egress thread must not allocate per packet");
    }

    @Test
    void aSchedulerThatWritesIntoTheOfferedLinksIsCaught() {
        assertCaught((sequence, length, up, upCount, chosen) -> {
            if (upCount > 1) {
                up[0] = up[1];
            }
            return 0;
        }, "the offered link ids were changed");
    }

    private static void assertCaught(LinkScheduler scheduler, String expected) {
        AssertionError e = assertThrows(AssertionError.class, () -> SchedulerCheck.of(scheduler).run(11, 5_000));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
