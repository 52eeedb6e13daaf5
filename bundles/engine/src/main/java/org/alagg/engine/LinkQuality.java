package org.alagg.engine;

import java.util.concurrent.TimeUnit;

/**
 * What a link's recent history says, followed by the engine's control thread every {@link Engine#TICK_MILLIS}: the loss
 * of both directions over the last {@value #RECENT_TICKS} ticks (2 s), the round-trip time above the link's floor,
 * whether the link is DEGRADED, and IEEE 802.1CB's latent error: a link that delivers nothing of the stream while the
 * others carry it. {@link LinkHealth} (the egress thread's, from the probes) says whether frames pass at all; this says
 * how well. One per open link; only the control thread writes, readers see the volatile results.
 *
 * <p>DEGRADED, with hysteresis: entered at the first tick where the recent loss of either direction reaches
 * {@value #DEGRADED_LOSS_PPM} ppm (5 %) or the smoothed RTT is {@value #DEGRADED_RTT_EXCESS_MS} ms above the lowest
 * RTT of the last 30 s; left when loss stayed below {@value #RECOVERED_LOSS_PPM} ppm (2 %) and the RTT excess below
 * {@value #RECOVERED_RTT_EXCESS_MS} ms for {@value #RECOVER_HOLD_MS} ms. A direction with fewer than
 * {@value #MIN_FRAMES} frames in the window says nothing about loss.
 */
final class LinkQuality {
    /** The recent window, in control ticks: 2 s. */
    static final int RECENT_TICKS = 8;
    /** The latent error's test period, in control ticks: 1 s, so the alarm comes within 2 s. */
    static final int LATENT_TICKS = 4;
    /** How far back the RTT floor looks, in control ticks: 30 s. */
    static final int FLOOR_TICKS = 120;
    static final int DEGRADED_LOSS_PPM = 50_000;
    static final int RECOVERED_LOSS_PPM = 20_000;
    static final long DEGRADED_RTT_EXCESS_MS = 50;
    static final long RECOVERED_RTT_EXCESS_MS = 25;
    static final long RECOVER_HOLD_MS = 1000;
    static final int MIN_FRAMES = 10;
    /** Packets the stream must have passed in a test period for a link that delivered none of them to be latent. */
    static final int LATENT_MIN_PASSED = 10;

    private static final int SEQUENCED = 0;
    private static final int LOST = 1;
    private static final int PEER_RECEIVED = 2;
    private static final int PEER_LOST = 3;
    private static final int DATA = 4;
    private static final int PASSED = 5;
    private static final int REFUSED = 6;

    /** The totals at each of the last ticks, a ring. */
    private final long[][] history = new long[RECENT_TICKS + 1][7];
    private long ticks;
    private final long[] floors = new long[FLOOR_TICKS];

    /** The recent loss towards the peer (its reports) and from it (link sequence), in ppm; -1: not known. */
    volatile int lossToPeerPpm = -1;
    volatile int lossFromPeerPpm = -1;
    /** The lowest round-trip time of the last 30 s, in ns; 0: none yet. */
    volatile long rttFloorNanos;
    volatile boolean degraded;
    /** Why the link is DEGRADED, for people; empty when it is not. */
    volatile String degradedWhy = "";
    /** When {@link #degraded} last changed (System.nanoTime()); 0: never. */
    volatile long changedNanos;
    /** The latent error alarm: the link delivered none of the stream in the last test period, though frames went. */
    volatile boolean latent;
    private long recoveringSince = -1;
    private boolean wasUp = true;

    /** What changed in a tick, for the engine's events. */
    enum Change { NONE, DEGRADED, RECOVERED, LATENT, LATENT_CLEARED }

    /**
     * Takes this tick's totals and judges the link.
     *
     * @param counters the link's counters, received and sent (published values)
     * @param passed   the instance's passed counter
     * @param up       whether the probes have the link UP (a DOWN link is neither DEGRADED nor latent: it is DOWN)
     * @param onChange told of each change, in order
     */
    void tick(long now, java.util.Map<String, Long> counters, long passed, LinkHealth health, boolean up,
              java.util.function.Consumer<Change> onChange) {
        long[] row = history[(int) (ticks % history.length)];
        row[SEQUENCED] = counters.get("frames_sequenced");
        row[LOST] = counters.get("lost");
        row[PEER_RECEIVED] = counters.get("peer_received");
        row[PEER_LOST] = counters.get("peer_lost");
        row[REFUSED] = refused(counters);
        row[DATA] = counters.get("data_received");
        row[PASSED] = passed;
        if (up && !wasUp) {
            // what was lost while it was DOWN is counted when frames flow again: the windows start at the recovery
            for (long[] r : history) {
                System.arraycopy(row, 0, r, 0, row.length);
            }
        }
        wasUp = up;
        long[] recent = back(RECENT_TICKS);
        lossFromPeerPpm = ppm(row[SEQUENCED] - recent[SEQUENCED], row[LOST] - recent[LOST]);
        lossToPeerPpm = ppm(row[PEER_RECEIVED] - recent[PEER_RECEIVED], lostOnTheWay(row[PEER_LOST] - recent[PEER_LOST],
                row[REFUSED] - recent[REFUSED]));
        floors[(int) (ticks % FLOOR_TICKS)] = health.lowestRtt();
        rttFloorNanos = floor();
        long[] period = back(LATENT_TICKS);
        ticks++;

        long excessMs = rttExcessMillis(health);
        int worstLoss = Math.max(lossToPeerPpm, lossFromPeerPpm);
        if (!up) {
            set(false, "", now, onChange);
        } else if (worstLoss >= DEGRADED_LOSS_PPM || excessMs >= DEGRADED_RTT_EXCESS_MS) {
            recoveringSince = -1;
            set(true, worstLoss >= DEGRADED_LOSS_PPM ? loss() : "round-trip time " + excessMs + " ms above its floor of "
                    + TimeUnit.NANOSECONDS.toMicros(rttFloorNanos) / 1000.0 + " ms (threshold " + DEGRADED_RTT_EXCESS_MS
                    + " ms)", now, onChange);
        } else if (degraded) {
            boolean calm = worstLoss < RECOVERED_LOSS_PPM && excessMs < RECOVERED_RTT_EXCESS_MS;
            if (!calm) {
                recoveringSince = -1;
            } else if (recoveringSince < 0) {
                recoveringSince = now;
            } else if (now - recoveringSince >= TimeUnit.MILLISECONDS.toNanos(RECOVER_HOLD_MS)) {
                set(false, "", now, onChange);
            }
        }

        boolean full = ticks > LATENT_TICKS;
        // frames of the stream went missing on it (not a lost probe or two on a link that carries none of it)
        boolean nothingDelivered = full && row[DATA] - period[DATA] == 0 && row[LOST] - period[LOST] >= LATENT_MIN_PASSED
                && row[PASSED] - period[PASSED] >= LATENT_MIN_PASSED;
        if (up && nothingDelivered && !latent) {
            latent = true;
            onChange.accept(Change.LATENT);
        } else if (latent && (!up || row[DATA] - period[DATA] > 0)) {
            latent = false;
            onChange.accept(Change.LATENT_CLEARED);
        }
    }

    /** The recent loss of both directions, for people. */
    String loss() {
        return "loss " + percent(lossToPeerPpm) + " towards the peer, " + percent(lossFromPeerPpm)
                + " from it (last 2 s; threshold " + DEGRADED_LOSS_PPM / 10_000 + " %)";
    }

    private void set(boolean nowDegraded, String why, long now, java.util.function.Consumer<Change> onChange) {
        degradedWhy = why;
        if (nowDegraded != degraded) {
            degraded = nowDegraded;
            changedNanos = now;
            recoveringSince = -1;
            onChange.accept(nowDegraded ? Change.DEGRADED : Change.RECOVERED);
        }
    }

    /** How far the smoothed RTT is above the floor, in ms; 0 without samples. */
    private long rttExcessMillis(LinkHealth health) {
        long srtt = health.srttNanos;
        long floor = rttFloorNanos;
        return srtt == 0 || floor == 0 ? 0 : TimeUnit.NANOSECONDS.toMillis(Math.max(0, srtt - floor));
    }

    /** The totals {@code n} ticks before this one (the oldest kept while fewer were taken). */
    private long[] back(int n) {
        return history[(int) (Math.max(0, ticks - n) % history.length)];
    }

    private long floor() {
        long lowest = 0;
        for (int i = 0; i < Math.min(ticks + 1, FLOOR_TICKS); i++) {
            long f = floors[i];
            if (f > 0 && (lowest == 0 || f < lowest)) {
                lowest = f;
            }
        }
        return lowest;
    }

    /**
     * The frames this side sent on the link that its own kernel refused (full queue, too big, link down): they took a
     * link sequence number, so the peer counts them lost, though they never reached the link.
     */
    static long refused(java.util.Map<String, Long> counters) {
        return counters.getOrDefault("refused_queue_full", 0L) + counters.getOrDefault("refused_too_big", 0L)
                + counters.getOrDefault("refused_down", 0L) + counters.getOrDefault("refused_other", 0L);
    }

    /** What the peer found missing, less what never left this side: the loss of the link itself. */
    static long lostOnTheWay(long peerLost, long refused) {
        return Math.max(0, peerLost - refused);
    }

    private static int ppm(long received, long lost) {
        return (int) ppm(received, lost, MIN_FRAMES);
    }

    /** Lost of received plus lost, in parts per million; -1 with fewer than {@code minFrames} frames. */
    static long ppm(long received, long lost, int minFrames) {
        return received + lost < Math.max(1, minFrames) ? -1 : lost * 1_000_000 / (received + lost);
    }

    private static String percent(int ppm) {
        return ppm < 0 ? "unknown" : String.format(java.util.Locale.ROOT, "%.1f %%", ppm / 10_000.0);
    }
}
