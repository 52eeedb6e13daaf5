package org.alagg.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.alagg.engine.LinkQuality.Change;
import org.junit.jupiter.api.Test;

/** DEGRADED with its hysteresis, the recent loss, the RTT floor and the latent error alarm, tick by tick. */
class LinkQualityTest {
    private static final long TICK = TimeUnit.MILLISECONDS.toNanos(Engine.TICK_MILLIS);

    private final LinkQuality quality = new LinkQuality();
    private final LinkHealth health = new LinkHealth(0);
    private final List<Change> changes = new ArrayList<>();
    private final Map<String, Long> counters = new HashMap<>(Map.of("frames_sequenced", 0L, "lost", 0L,
            "peer_received", 0L, "peer_lost", 0L, "data_received", 0L));
    private long passed;
    private long now;

    /** One tick in which the link took {@code received} frames and lost {@code lost} each way, {@code data} of them DATA. */
    private void tick(long received, long lost, long data, boolean up) {
        counters.merge("frames_sequenced", received, Long::sum);
        counters.merge("lost", lost, Long::sum);
        counters.merge("peer_received", received, Long::sum);
        counters.merge("peer_lost", lost, Long::sum);
        counters.merge("data_received", data, Long::sum);
        passed += 100;
        now += TICK;
        quality.tick(now, counters, passed, health, up, changes::add);
    }

    @Test
    void lossAboveFivePercentDegradesAtOnceAndRecoversAfterASecondBelowTwo() {
        for (int i = 0; i < 8; i++) {
            tick(100, 0, 90, true);
        }
        assertEquals(0, quality.lossFromPeerPpm);
        assertFalse(quality.degraded);
        tick(90, 10, 80, true); // 10 of 100 lost in this tick: 10 of 800 in the 2 s window
        assertEquals(12_500, quality.lossToPeerPpm);
        assertFalse(quality.degraded, "1.25 % over 2 s");
        tick(60, 40, 50, true);
        assertTrue(quality.degraded, "6.25 % over 2 s");
        assertEquals(List.of(Change.DEGRADED), changes);
        assertTrue(quality.degradedWhy.contains("towards the peer"), quality.degradedWhy);
        int ticks = 0;
        while (quality.degraded) {
            tick(100, 0, 90, true);
            ticks++;
        }
        // the lost frames leave the 2 s window after 8 ticks (below 2 % after 6), then 1 s (4 ticks) calm
        assertTrue(ticks >= 9 && ticks <= 12, ticks + " ticks to recover");
        assertEquals(List.of(Change.DEGRADED, Change.RECOVERED), changes);
    }

    @Test
    void aFlappingLossDoesNotFlapTheState() {
        for (int i = 0; i < 8; i++) {
            tick(100, 0, 90, true);
        }
        for (int i = 0; i < 40; i++) { // 6 % lost every other second: never calm for a second
            tick(i % 8 < 4 ? 88 : 100, i % 8 < 4 ? 12 : 0, 80, true);
        }
        assertEquals(List.of(Change.DEGRADED), changes, "one change in 10 s");
    }

    @Test
    void fewFramesSayNothingAboutLoss() {
        for (int i = 0; i < 8; i++) {
            tick(0, 1, 0, true);
        }
        assertEquals(-1, quality.lossToPeerPpm, "8 frames in 2 s");
        assertFalse(quality.degraded);
    }

    @Test
    void aRoundTripFiftyMillisecondsAboveTheFloorDegrades() {
        health.rtts.set(0, TimeUnit.MILLISECONDS.toNanos(1));
        health.rttCount = 1;
        health.srttNanos = TimeUnit.MILLISECONDS.toNanos(1);
        tick(100, 0, 90, true);
        assertEquals(TimeUnit.MILLISECONDS.toNanos(1), quality.rttFloorNanos);
        health.rtts.set(0, TimeUnit.MILLISECONDS.toNanos(80)); // the samples rise (a queue fills)...
        health.srttNanos = TimeUnit.MILLISECONDS.toNanos(60);
        tick(100, 0, 90, true);
        assertEquals(TimeUnit.MILLISECONDS.toNanos(1), quality.rttFloorNanos, "...the floor of the last 30 s stays");
        assertTrue(quality.degraded);
        assertTrue(quality.degradedWhy.startsWith("round-trip time 59 ms above its floor"), quality.degradedWhy);
        health.srttNanos = TimeUnit.MILLISECONDS.toNanos(20);
        for (int i = 0; i < 5; i++) {
            tick(100, 0, 90, true);
        }
        assertFalse(quality.degraded, "19 ms above the floor for 1 s");
    }

    @Test
    void whatWasLostWhileDownDoesNotDegradeTheLinkOnceUp() {
        for (int i = 0; i < 8; i++) {
            tick(100, 0, 90, true);
        }
        tick(0, 0, 0, false);
        tick(0, 0, 0, false);
        tick(50, 400, 40, true); // the gap of the outage counted when frames flow again
        tick(100, 0, 90, true);
        assertFalse(quality.degraded, "loss " + quality.lossFromPeerPpm);
        assertTrue(changes.isEmpty(), changes.toString());
    }

    @Test
    void aLinkThatDeliversNoneOfTheStreamRaisesTheLatentErrorAlarmAndClearsIt() {
        for (int i = 0; i < 8; i++) {
            tick(100, 0, 90, true);
        }
        int ticks = 0;
        while (!quality.latent) { // its DATA frames vanish, its probes pass: the other link carries the stream
            tick(10, 90, 0, true);
            ticks++;
            assertTrue(ticks <= 5, "the alarm within 5 ticks (1.25 s)");
        }
        assertTrue(changes.contains(Change.LATENT));
        tick(100, 0, 90, true);
        assertFalse(quality.latent, "cleared as soon as it delivers again");
        assertEquals(Change.LATENT_CLEARED, changes.get(changes.size() - 1));
    }

    @Test
    void aLinkThatCarriesOnlyProbesIsNotLatent() {
        for (int i = 0; i < 20; i++) { // a backup link: no DATA sent on it, a probe or two lost now and then
            tick(10, i % 3 == 0 ? 2 : 0, 0, true);
        }
        assertFalse(quality.latent);
        assertFalse(changes.contains(Change.LATENT), "lost probes are the link's loss (DEGRADED), not a latent error: "
                + changes);
    }
}
