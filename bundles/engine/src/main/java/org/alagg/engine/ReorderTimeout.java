package org.alagg.engine;

import java.util.concurrent.TimeUnit;

import org.alagg.api.LinkState;
import org.alagg.api.ReorderSettings;

/**
 * The reordering timeout the engine sizes for a peer whose configuration leaves it to the engine
 * ({@code reorder.timeout.ms = auto}, the default): long enough for a packet on the slowest link the peer uses to
 * arrive after the packets that left after it on the fastest one.
 *
 * <p>The rule: {@value #LEAST_MS} ms plus twice the links' delay spread, the spread being the largest
 * {@code srtt + 4 rttvar} (RFC 6298's margin) of the peer's links that are up less the smallest {@code srtt}; at most
 * {@value #MOST_MS} ms. Twice, because the smoothed round-trip time trails a queue that is still growing (the bed saw a
 * timeout of 19 ms give up packets behind a 20 ms token bucket). Round-trip times
 * rather than one-way delays, which one side cannot measure: a queue in front of one link (where the spread comes from
 * under load) lengthens its round trip by as much as its one-way delay. One link, or links of the same delay, keep
 * about the least timeout. A long timeout costs nothing while every link carries traffic: a gap that the other links
 * have passed is given up at once ({@link org.alagg.api.ReorderStrategy#lostBefore}); it is waited for only while a
 * link falls silent. With {@code fec.ratio} on, the peer's {@code fec.timeout.ms} is added: a lost packet's group may
 * send its parity that long after the group began.
 */
final class ReorderTimeout {
    static final long LEAST_MS = 5;
    static final long MOST_MS = 1000;
    static final long LEAST_NANOS = TimeUnit.MILLISECONDS.toNanos(LEAST_MS);
    private static final long MOST_NANOS = TimeUnit.MILLISECONDS.toNanos(MOST_MS);

    private ReorderTimeout() {
    }

    /** The timeout for the links' round-trip times now: {@link #LEAST_NANOS} while no link has one. */
    static long of(OpenLink[] links) {
        long fastest = Long.MAX_VALUE;
        long slowest = 0;
        for (OpenLink link : links) {
            long srtt = link.health.srttNanos;
            if (srtt <= 0 || link.state() == LinkState.DOWN) {
                continue;
            }
            fastest = Math.min(fastest, srtt);
            slowest = Math.max(slowest, srtt + 4 * link.health.rttVarNanos);
        }
        long spread = fastest == Long.MAX_VALUE ? 0 : slowest - fastest;
        return Math.min(MOST_NANOS, LEAST_NANOS + 2 * spread);
    }

    /**
     * Control thread: gives the peer a new timeout when it sizes its own and the links' figures moved it by more than an
     * eighth (the strategy is not told of every jitter).
     */
    static void follow(Peer peer) {
        if (!peer.reorderTimeoutAuto) {
            return;
        }
        ReorderSettings configured = peer.reordering.settings();
        ReorderSettings current = peer.timing == null ? configured : peer.timing;
        // with FEC on (both ends are configured alike), a gap may wait for its group's parity, which leaves up to
        // fec.timeout.ms after the group's first packet
        FecSettings fec = peer.fec;
        long wanted = Math.min(MOST_NANOS, of(peer.links) + (fec != null && fec.on() ? fec.timeoutNanos() : 0));
        long now = current.timeoutNanos();
        if (Math.abs(wanted - now) > now / 8) {
            peer.timing = new ReorderSettings(configured.window(), wanted);
        }
    }
}
