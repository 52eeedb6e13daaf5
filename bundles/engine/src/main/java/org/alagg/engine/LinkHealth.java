package org.alagg.engine;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

import org.alagg.protocol.ProbeBody;
import org.alagg.protocol.ProbeReport;

/**
 * What the probes say about one link (issue 12): whether frames pass both ways, the round-trip time, and the loss of
 * both directions. Each field has one writer: the egress thread sends the probes and keeps the link's state; the
 * ingress thread takes the replies (round-trip time, the peer's report) and notes when the link was last heard. The
 * engine's control thread reads the published values. Nothing here allocates after construction.
 *
 * <p>The state, with hysteresis: an UP link is DOWN when nothing was heard on it for {@value #DETECT_INTERVALS} probe
 * intervals ({@link #SILENT}), or when the peer's frames arrive but none of this side's probes was answered for
 * {@value #UNANSWERED_INTERVALS} ({@link #UNANSWERED}: frames towards the peer are lost). A DOWN link keeps being probed, and is UP again after
 * {@value #UP_STREAK} probes in a row were answered since it went DOWN, the peer is heard, and it has been DOWN for at
 * least {@value #DOWN_HOLD_INTERVALS} probe intervals (500 ms). How well an UP link works (DEGRADED, latent errors) is {@link LinkQuality}'s.
 */
final class LinkHealth {
    /** How many probe intervals of silence make a link DOWN. */
    static final int DETECT_INTERVALS = 3;
    /**
     * How many probe intervals without an answer to this side's probes make a link DOWN while the peer is heard. Twice
     * the silence: a probe's round trip crosses the link twice, so on a link that loses 20 % each way 36 % of them fail,
     * and three failures in a row (5 % per probe) would flap a working link every few seconds; six in a row are 0.2 %.
     */
    static final int UNANSWERED_INTERVALS = 2 * DETECT_INTERVALS;
    /**
     * How recently a frame of the peer must have come on a link for a reply's heard list to name it: two probe
     * intervals (a working link brings a probe every interval), less than the detection time, so that when a link dies
     * both ways the peer's lists stop naming it before this side calls it DOWN.
     */
    static final int HEARD_INTERVALS = 2;
    /** How many probes in a row must be answered before a DOWN link is UP again. */
    static final int UP_STREAK = 3;
    /**
     * The least time a link stays DOWN, in probe intervals (500 ms at the default 100): a flapping link changes state
     * at most about once per this time plus the detection time.
     */
    static final int DOWN_HOLD_INTERVALS = 5;
    /** How many round-trip times are kept for the percentiles (a power of two). */
    static final int SAMPLES = 64;
    /** How far behind the latest probe a reply still counts (older ones, and forged ids, are ignored). */
    static final int REPLY_WINDOW = 64;
    /** The longest round trip taken as one; anything slower is not a reply to a live probe. */
    static final long MAX_RTT_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** The body of this side's health probes: a plain probe, so the reply carries the peer's report. */
    static final int PROBE_LENGTH = ProbeBody.LENGTH;

    /** Why a link whose transport is up is DOWN. */
    static final int NONE = 0;
    static final int SILENT = 1;
    static final int UNANSWERED = 2;
    /** The transport says the link is down (no interface, no carrier). */
    static final int TRANSPORT = 3;

    // --- written by the ingress thread ---
    /** When the last authentic frame of any kind arrived on the link. */
    volatile long lastHeardNanos;
    /** When the last reply to one of this side's health probes arrived. */
    volatile long lastAnsweredNanos;
    /** Replies to health probes taken, and how many of the latest ones answered consecutive probes. */
    volatile long answered;
    volatile int streak;
    /** RFC 6298: the smoothed round-trip time and its variation, in ns; 0 before the first sample. */
    volatile long srttNanos;
    volatile long rttVarNanos;
    /** The last {@link #SAMPLES} round-trip times, in ns, and how many were ever taken. */
    final AtomicLongArray rtts = new AtomicLongArray(SAMPLES);
    volatile long rttCount;
    /**
     * When the peer last listed this link in the heard list of a report (it hears this side's frames on it), and when
     * any heard list last arrived, on any link: with the two, a silent link tells which direction is broken.
     */
    volatile long peerListNanos;
    /** The number of the latest heard list (lists are numbered as they arrive), and of the latest that named this link. */
    volatile long peerListNumber;
    volatile long peerHearsNumber;
    private boolean anyAnswered;
    /** The id of the latest health probe answered. */
    volatile int lastAnsweredId;
    private boolean reportKnown;
    private int reportEpoch;
    private int reportReceived;
    private int reportLost;

    // --- MTU probes: every MTU_PROBE_EVERY-th probe is followed by one padded to the link's MTU ---
    /** How often a link is probed with a frame of its full MTU: every this many probes (1 s at the default). */
    static final int MTU_PROBE_EVERY = 10;
    /** Probe ids of MTU probes have this bit set: their replies never count as health probes' answers. */
    static final int MTU_ID_BIT = 0x4000_0000;
    /** Health probe ids count 1, 2, ... modulo 2^30 (0 is a challenge's), so they never reach the MTU probes' bit. */
    static final int ID_MASK = MTU_ID_BIT - 1;
    /**
     * How many MTU probes in a row must be missed (while every plain probe around them was answered) to call the MTU
     * too large: at 2 % loss each way, a false call every some 15 hours; detection takes about 3 s.
     */
    static final int MTU_MISSES = 3;
    /** Egress: the id and body length of the latest MTU probe sent, how many in a row went unanswered before it. */
    volatile int mtuProbeId;
    volatile int mtuProbeLength;
    volatile long mtuProbeSentNanos;
    volatile int mtuMisses;
    /** The id of the plain probe sent just before the latest MTU probe. */
    volatile int mtuFollowedBy;
    /** How many MTU probe periods may lie between two misses of one row. */
    static final int MTU_ROW_WINDOWS = 2;
    /** Egress: when the last MTU probe miss was counted. */
    private long lastMtuMissNanos;
    /** Egress: how many health probes had been answered when the latest MTU probe left. */
    private long answeredAtMtuProbe;
    /** Egress: the link's queue-full refusals of MTU probes, and of its other frames when the latest MTU probe left. */
    private long mtuProbesRefused;
    private long othersRefusedAtMtuProbe;
    private int mtuProbes;
    /** Ingress: the id of the last MTU probe answered, and its body length. */
    volatile int mtuAnsweredId;
    volatile int mtuAnsweredLength;

    // --- written by the egress thread ---
    /** The id of the latest health probe sent (ids start at 1; 0 is a challenge's). */
    volatile int lastProbeId;
    /** Whether the link carries data, why not, and since when (System.nanoTime()). */
    volatile boolean up = true;
    volatile int reason = NONE;
    volatile long sinceNanos;
    /** How often the state changed. */
    volatile long changes;
    private long nextProbeNanos;
    /** Egress: the gap to the next probe (an interval, longer while the link is silent). */
    private long gapNanos;
    private long answeredAtDown;

    /**
     * A link nothing came from for this many probe intervals (3 s at the default) is probed ever less often, the gap
     * doubling up to {@value #BACKOFF_MAX_INTERVALS} intervals: a peer that is not there (a hub's site that is off, a
     * cut cable) costs a probe a second per link, not ten. Anything heard from the peer on the link brings the next
     * probe at once and the normal pace back, so a link is UP again at most one long gap after both ends are back.
     */
    static final int BACKOFF_AFTER_INTERVALS = 30;
    /** The longest gap between two probes of a silent link, in probe intervals (1 s at the default). */
    static final int BACKOFF_MAX_INTERVALS = 10;

    LinkHealth(long nowNanos) {
        lastHeardNanos = nowNanos;
        lastAnsweredNanos = nowNanos; // a grace of one detection time after opening
        sinceNanos = nowNanos;
        nextProbeNanos = nowNanos;
    }

    // --- egress thread -------------------------------------------------------------------------------------

    /**
     * Whether a probe is due at {@code now}; if so, its id is taken and the next one scheduled a gap later: one interval,
     * or ever longer ones while the link is silent (see {@link #BACKOFF_AFTER_INTERVALS}).
     */
    boolean probeDue(long now, long intervalNanos) {
        boolean heardLately = now - lastHeardNanos < intervalNanos;
        if (heardLately && gapNanos > intervalNanos) {
            gapNanos = intervalNanos; // the peer is back: answer its probes' pace at once
            nextProbeNanos = Math.min(nextProbeNanos, now);
        }
        if (now - nextProbeNanos < 0) {
            return false;
        }
        long gap = intervalNanos;
        if (now - lastHeardNanos > BACKOFF_AFTER_INTERVALS * intervalNanos) {
            gap = Math.min(Math.max(gapNanos, intervalNanos) * 2, BACKOFF_MAX_INTERVALS * intervalNanos);
        }
        gapNanos = gap;
        nextProbeNanos = now - nextProbeNanos < gap ? nextProbeNanos + gap : now + gap;
        int id = lastProbeId + 1 & ID_MASK;
        lastProbeId = id == 0 ? 1 : id;
        return true;
    }

    /**
     * The kernel refused the latest probe because the link's queue was full (this side's own traffic fills it): the
     * probe never left, so it is not waited for; its id is taken again by a new try in {@link #RETRY_NANOS}. A link that
     * is only busy is not taken DOWN for the probes its own queue refused.
     */
    void probeRefused(long now) {
        lastProbeId = lastProbeId - 1 & ID_MASK; // 0 when it was 1: the retry takes 1 again
        nextProbeNanos = now + RETRY_NANOS;
    }

    /** How soon a probe the link's full queue refused is tried again. */
    static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    /**
     * Egress: whether the probe just taken ({@link #probeDue}) is to be followed by an MTU probe of {@code length} bytes
     * of body; if so, its id is taken, and what became of the one before is counted: answered, or a miss when every
     * plain probe sent since it was answered (the link lost nothing small meanwhile) and the link is not DEGRADED, or
     * no evidence either way (a lossy, silent or degraded link loses probes of any size).
     *
     * @param degraded whether the link is DEGRADED now (its loss or delay says nothing clean about sizes)
     */
    boolean mtuProbeDue(int length, long now, long intervalNanos, long queueFullRefusals, boolean degraded) {
        if (lastProbeId % MTU_PROBE_EVERY != 1
                || mtuProbes > 0 && now - mtuProbeSentNanos < MTU_PROBE_EVERY / 2 * intervalNanos) {
            return false; // not its turn, or a retried probe (the queue was full): the last MTU probe is recent
        }
        int previous = mtuProbeId;
        long answeredNow = answered;
        long othersRefused = queueFullRefusals - mtuProbesRefused;
        if (previous != 0) {
            // every plain probe since answered, and no other frame refused by a full queue (a congested queue drops
            // large frames before small ones): only then does a lost MTU probe say something about its size
            boolean clean = answeredNow - answeredAtMtuProbe >= idDistance(mtuFollowedBy, lastProbeId) - 1
                    && idDistance(mtuFollowedBy, lastAnsweredId) > 0 // a probe sent after it came back
                    && othersRefused == othersRefusedAtMtuProbe;
            if (mtuAnsweredId == previous && mtuAnsweredLength == mtuProbeLength) {
                mtuMisses = 0;
            } else if (clean && !degraded) {
                // in a row: a miss long after the last one (evidence from another spell of trouble) starts a new row
                boolean recent = now - lastMtuMissNanos <= MTU_ROW_WINDOWS * MTU_PROBE_EVERY * intervalNanos;
                mtuMisses = recent ? mtuMisses + 1 : 1;
                lastMtuMissNanos = now;
            }
        }
        mtuProbes++;
        mtuFollowedBy = lastProbeId;
        answeredAtMtuProbe = answeredNow;
        othersRefusedAtMtuProbe = othersRefused;
        mtuProbeId = MTU_ID_BIT | mtuProbes & (MTU_ID_BIT - 1);
        mtuProbeLength = length;
        mtuProbeSentNanos = now;
        return true;
    }

    /**
     * Egress: the kernel refused the MTU probe. With EAGAIN (the socket's buffer) it never left and is not waited for;
     * with ENOBUFS it may have been dropped by a full queue or by the far end of a veth that takes less (the kernel
     * says the same for both): it counts as sent, and as a queue refusal of its own, not of the link's other frames.
     */
    void mtuProbeRefused(boolean neverLeft, boolean queueFull) {
        if (queueFull) {
            mtuProbesRefused++;
        }
        if (neverLeft) {
            mtuProbes--;
            mtuProbeId = 0;
        }
    }

    /**
     * Whether frames of the link's MTU do not pass while smaller ones do: {@value #MTU_MISSES} MTU probes in a row were
     * missed (see {@link #mtuProbeDue}), and the latest is not answered.
     */
    boolean mtuTooLarge() {
        int id = mtuProbeId;
        return mtuMisses >= MTU_MISSES && (id == 0 || mtuAnsweredId != id);
    }

    /** The next probe's time. */
    long nextProbeNanos() {
        return nextProbeNanos;
    }

    /**
     * Follows the state at {@code now}; returns when it must be looked at again at the latest.
     *
     * @param transportUp whether the transport has the link up (interface, carrier)
     */
    long evaluate(long now, long intervalNanos, boolean transportUp) {
        long detect = DETECT_INTERVALS * intervalNanos;
        long unanswered = UNANSWERED_INTERVALS * intervalNanos;
        long heard = lastHeardNanos;
        long replied = lastAnsweredNanos;
        int why = !transportUp ? TRANSPORT
                : now - heard > detect ? SILENT
                : now - replied > unanswered ? UNANSWERED
                : NONE;
        if (up) {
            if (why != NONE) {
                answeredAtDown = answered;
                change(false, why, now);
                return nextProbeNanos;
            }
            return Math.min(heard + detect, replied + unanswered) + 1;
        }
        if (why == NONE && answered - answeredAtDown >= UP_STREAK && streak >= UP_STREAK
                && now - sinceNanos >= DOWN_HOLD_INTERVALS * intervalNanos) {
            change(true, NONE, now);
            return Math.min(heard + detect, replied + unanswered) + 1;
        }
        if (why != NONE && why != reason) {
            reason = why; // still DOWN, for another reason now (the peer's frames came back, ours are still lost)
        }
        return nextProbeNanos;
    }

    private void change(boolean nowUp, int why, long now) {
        reason = why;
        sinceNanos = now;
        changes = changes + 1;
        up = nowUp;
    }

    // --- ingress thread ------------------------------------------------------------------------------------

    void heard(long now) {
        lastHeardNanos = now;
    }

    /**
     * A PROBE_REPLY arrived on the link, authentic: when it answers one of this side's recent health probes, its round
     * trip is taken, and its report (if any) is added to the totals of what the peer received.
     *
     * @param epoch the reply's epoch (the responder's): its report's totals run within one run of the responder
     * @param totals the link's received counters: {@code peer_received}, {@code peer_lost} and {@code probes_answered}
     * @return whether it answered one of this side's health probes
     */
    boolean replied(ByteBuffer frame, int payloadOffset, int innerLength, int epoch, long now, Counters totals) {
        int id = ProbeBody.probeId(frame, payloadOffset);
        if ((id & MTU_ID_BIT) != 0) {
            if (id == mtuProbeId) { // an exact echo: the frame of the full MTU went to the peer and back
                mtuAnsweredLength = innerLength;
                mtuAnsweredId = id;
            }
            return false;
        }
        int behind = idDistance(id, lastProbeId);
        long rtt = now - ProbeBody.sentNanos(frame, payloadOffset);
        if (id == 0 || behind < 0 || behind >= REPLY_WINDOW || rtt < 0 || rtt > MAX_RTT_NANOS) {
            return false; // a challenge's reply, a stale or forged one
        }
        if (anyAnswered) {
            int ahead = idDistance(lastAnsweredId, id);
            if (ahead <= 0) {
                return false; // a reply already taken, or one overtaken by a later probe's
            }
            streak = ahead == 1 || ahead == 2 && id == 1 ? streak + 1 : 1; // 0 is skipped at the wrap
        } else {
            streak = 1;
        }
        anyAnswered = true;
        lastAnsweredId = id;
        sample(rtt);
        answered = answered + 1;
        lastAnsweredNanos = now;
        totals.add(OpenLink.PROBES_ANSWERED, 1);
        int at = ProbeReport.find(frame, payloadOffset, innerLength, PROBE_LENGTH);
        if (at >= 0) {
            report(epoch, ProbeReport.received(frame, at), ProbeReport.lost(frame, at), totals);
        }
        return true;
    }

    private void report(int epoch, int received, int lost, Counters totals) {
        if (reportKnown && epoch == reportEpoch) {
            int moreReceived = received - reportReceived;
            int moreLost = lost - reportLost;
            if (moreReceived < 0 || moreLost < 0) {
                return; // an older report than the last one: keep the newer baseline
            }
            totals.add(OpenLink.PEER_RECEIVED, moreReceived);
            totals.add(OpenLink.PEER_LOST, moreLost);
        }
        reportKnown = true; // the first report of a run of the responder is the baseline
        reportEpoch = epoch;
        reportReceived = received;
        reportLost = lost;
    }

    private void sample(long rtt) {
        long count = rttCount;
        rtts.lazySet((int) (count & (SAMPLES - 1)), rtt);
        rttCount = count + 1;
        long srtt = srttNanos;
        if (count == 0) {
            srttNanos = rtt;
            rttVarNanos = rtt / 2;
        } else {
            rttVarNanos = rttVarNanos - rttVarNanos / 4 + Math.abs(srtt - rtt) / 4;
            srttNanos = srtt - srtt / 8 + rtt / 8;
        }
    }

    // --- any thread (allocates) ------------------------------------------------------------------------------

    /** How far health probe id {@code to} is after {@code from}, in the ids' 30-bit serial arithmetic. */
    static int idDistance(int from, int to) {
        return (to - from) << 2 >> 2;
    }

    /** Any thread: the lowest of the round-trip times kept, in ns; 0 before the first. */
    long lowestRtt() {
        int n = (int) Math.min(rttCount, SAMPLES);
        long lowest = 0;
        for (int i = 0; i < n; i++) {
            long rtt = rtts.get(i);
            lowest = i == 0 ? rtt : Math.min(lowest, rtt);
        }
        return lowest;
    }

    /** The round-trip times kept, sorted; empty before the first. */
    long[] sortedRtts() {
        int n = (int) Math.min(rttCount, SAMPLES);
        long[] values = new long[n];
        for (int i = 0; i < n; i++) {
            values[i] = rtts.get(i);
        }
        Arrays.sort(values);
        return values;
    }

    /** The nearest-rank percentile {@code p} (0-100) of sorted values. */
    static long percentile(long[] sorted, int p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
