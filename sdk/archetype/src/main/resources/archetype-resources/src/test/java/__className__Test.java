#if( $kind == "strategy" )
package ${package};

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.alagg.api.ReorderSettings;
import org.alagg.api.ReorderStrategy;
import org.alagg.testkit.Arrivals;
import org.alagg.testkit.RecordingOutput;
import org.alagg.testkit.StrategyCheck;
import org.alagg.testkit.StrategyRun;
import org.junit.jupiter.api.Test;

class ${className}Test {
    private static final ReorderSettings SETTINGS = new ReorderSettings(256, 5_000_000);

    @Test
    void deliversAtOnceAndCountsWhatArrivedOutOfOrder() {
        ${className} plugin = new ${className}();
        ReorderStrategy strategy = plugin.create(SETTINGS, -2);
        RecordingOutput out = new RecordingOutput();
        for (int sequence : new int[] {-2, 0, -1, 1}) { // across the wrap at 2^32
            strategy.accept(sequence, sequence + 10, 0, out);
        }
        assertEquals(List.of("d4294967294", "d0", "d4294967295", "d1"), out.events());
        assertEquals(Map.of("delivered", 4L, "out_of_order", 1L), plugin.counters());
        assertEquals(List.of("25.0 % of 4 packets arrived out of order"), plugin.status());
    }

    @Test
    void meetsWhatTheEngineReliesOnUnderLossDuplicatesReorderingWrapAndSwaps() {
        StrategyRun run = StrategyCheck.of(new ${className}(), SETTINGS).timed()
                .run(Arrivals.random(42, -5_000, 10_000, 10_000, 0.05, 0.05, 300_000).withSwapEvery(2_500));
        assertEquals(run.arrivals() - run.duplicates(), run.delivered(), "every packet delivered, none late");
    }
}
#elseif( $kind == "scheduler" )
package ${package};

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Map;

import org.alagg.testkit.SchedulerCheck;
import org.alagg.testkit.SchedulerRun;
import org.junit.jupiter.api.Test;

class ${className}Test {
    @Test
    void eachPacketGoesOnTheNextLinksInTurn() {
        ${className} scheduler = new ${className}();
        scheduler.copies(2);
        int[] up = {4, 7, 9};
        int[] chosen = new int[3];
        int count = scheduler.choose(0, 100, up, 3, chosen);
        assertArrayEquals(new int[] {4, 7}, Arrays.copyOf(chosen, count));
        count = scheduler.choose(1, 100, up, 3, chosen);
        assertArrayEquals(new int[] {7, 9}, Arrays.copyOf(chosen, count));
        assertEquals(0, scheduler.choose(2, 100, up, 0, chosen), "no link up: sent nowhere");
        assertEquals(Map.of("packets", 3L, "sends", 4L, "unsent", 1L), scheduler.counters());
    }

    @Test
    void meetsWhatTheEngineReliesOnWithOneCopyAndWithSeveral() {
        for (int copies : new int[] {1, 3}) {
            ${className} scheduler = new ${className}();
            scheduler.copies(copies);
            SchedulerRun run = SchedulerCheck.of(scheduler).run(copies, 20_000);
            assertEquals(run.packets(), scheduler.counters().get("packets") / 3, "three runs: two to warm up, one measured");
        }
    }

    @Test
    void aNumberOfCopiesOutOfRangeIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ${className}().copies(0));
        assertEquals("plugin.${pluginName}.copies 0 is out of range 1..16", e.getMessage());
    }
}
#end
