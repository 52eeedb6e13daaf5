package org.alagg.testkit;

import java.util.HashSet;
import java.util.Set;

import org.alagg.api.ReorderBuffer;
import org.alagg.api.ReorderSettings;
import org.alagg.api.ReorderStrategy;
import org.alagg.api.ReorderStrategyFactory;

/**
 * Plays {@link Arrivals} into a factory's strategies as the engine's ingress thread does, and checks what the engine
 * relies on:
 *
 * <ul>
 * <li>every packet handle comes back exactly once, delivered or late, with the sequence number it came with, by the
 * end (after a last {@code drain}) and by every {@code drain} (a swap);
 * <li>late only for a sequence number behind what was delivered or declared lost;
 * <li>for an {@link #ordering() ordering} strategy, deliveries and losses in sequence order (serial arithmetic: across
 * the wrap at 2^32 too);
 * <li>no more packets held than {@link ReorderBuffer#slotsFor} the window (the engine's packet pool is sized so);
 * <li>{@code expire} called at {@code deadline()} moves the deadline past that time (a deadline left in the past
 * makes the ingress thread spin); for a {@link #timed() timed} strategy, no packet held longer than the timeout;
 * <li>nothing allocated per packet by {@code accept} and {@code expire}, measured by the JVM's count of bytes the
 * thread allocated ({@code com.sun.management.ThreadMXBean}) on a third run of the pattern, after two to warm up.
 * </ul>
 *
 * Duplicates in the arrivals are discarded before the strategy sees them, as the engine does. A broken invariant
 * throws an {@link AssertionError} naming it, the arrival and the pattern.
 *
 * <pre>
 * StrategyCheck.of(new MyStrategy(), new ReorderSettings(64, 5_000_000)).ordering().timed()
 *         .run(Arrivals.random(1, -1000, 20_000, 10_000, 0.05, 0.05, 200_000).withSwapEvery(5_000));
 * </pre>
 */
public final class StrategyCheck {
    /** Bytes the measured run may allocate in all: anything per packet is far more over a pattern of thousands. */
    private static final long ALLOCATION_ALLOWANCE = 1024;

    private final ReorderStrategyFactory factory;
    private final ReorderSettings settings;
    private boolean ordering;
    private boolean timed;
    private boolean allocationMeasured = true;

    private StrategyCheck(ReorderStrategyFactory factory, ReorderSettings settings) {
        this.factory = factory;
        this.settings = settings;
    }

    /** A check of the strategies {@code factory} makes with {@code settings}. */
    public static StrategyCheck of(ReorderStrategyFactory factory, ReorderSettings settings) {
        if (factory == null || settings == null) {
            throw new IllegalArgumentException("a factory and settings are needed");
        }
        return new StrategyCheck(factory, settings);
    }

    /** The strategy promises sequence order: every delivery and loss after the ones before. */
    public StrategyCheck ordering() {
        ordering = true;
        return this;
    }

    /** The strategy promises to hold no packet longer than the settings' timeout (given {@code expire} on time). */
    public StrategyCheck timed() {
        timed = true;
        return this;
    }

    /** Leaves out the allocation check: for a debugging run, or a JVM that cannot count a thread's allocation. */
    public StrategyCheck withoutAllocationCheck() {
        allocationMeasured = false;
        return this;
    }

    /**
     * Plays {@code arrivals} and checks every invariant; when the allocation check is on, plays them three times and
     * measures the third.
     *
     * @return what the strategy did in the (last) run
     * @throws AssertionError naming the first invariant broken
     */
    public StrategyRun run(Arrivals arrivals) {
        boolean[] duplicate = duplicates(arrivals);
        CheckedOutput out = new CheckedOutput(ordering, timed ? settings.timeoutNanos() : Long.MAX_VALUE);
        ThreadAllocation allocation = allocationMeasured ? ThreadAllocation.ofThisThread() : null;
        if (allocation == null) {
            return play(arrivals, duplicate, out, null);
        }
        play(arrivals, duplicate, out, null);
        play(arrivals, duplicate, out, null);
        StrategyRun run = play(arrivals, duplicate, out, allocation);
        if (run.allocatedBytes() > ALLOCATION_ALLOWANCE) {
            throw new AssertionError(run.allocatedBytes() + " bytes allocated by accept and expire over "
                    + arrivals.size() + " arrivals (after two runs to warm up): the ingress thread must not allocate "
                    + "per packet (" + arrivals + ")");
        }
        return run;
    }

    private StrategyRun play(Arrivals arrivals, boolean[] duplicate, CheckedOutput out, ThreadAllocation allocation) {
        out.reset(arrivals);
        int limit = ReorderBuffer.slotsFor(settings.window());
        int swaps = 0;
        int discarded = 0;
        long allocated = 0;
        ReorderStrategy strategy = create(out, arrivals.first());
        for (int i = 0; i < arrivals.size(); i++) {
            long now = arrivals.nanos(i);
            allocated += expireUntil(strategy, now, i, out, allocation);
            out.at(i, now);
            out.checkNoneOverdue();
            if (duplicate[i]) {
                discarded++;
                continue;
            }
            out.at(i, now);
            out.give(i, arrivals.sequence(i));
            long before = allocation == null ? 0 : allocation.bytes();
            strategy.accept(arrivals.sequence(i), i, now, out);
            allocated += allocation == null ? 0 : allocation.bytes() - before;
            if (out.held() > limit) {
                out.fail(out.held() + " packets held, more than the window of " + settings.window() + " allows ("
                        + limit + " slots): the engine's packet pool is sized by the window");
            }
            if (arrivals.swapAfter(i)) {
                drain(strategy, out, "by drain before a swap");
                strategy = create(out, out.cursor());
                swaps++;
            }
        }
        int last = arrivals.size();
        long end = last == 0 ? 0 : arrivals.nanos(last - 1);
        for (int guard = 0; guard <= last + 16 && strategy.deadline() != Long.MAX_VALUE; guard++) {
            end = Math.max(end, strategy.deadline());
            allocated += expireUntil(strategy, end, last, out, allocation);
        }
        out.at(last, end);
        out.checkNoneOverdue();
        if (timed && strategy.deadline() == Long.MAX_VALUE) {
            out.checkAllBack("once every deadline had passed (a timed strategy holds nothing without one)");
        }
        drain(strategy, out, "by the last drain");
        return new StrategyRun(arrivals.size(), discarded, out.delivered(), out.late(), out.lost(), swaps, allocated);
    }

    /** Calls {@code expire} at each deadline up to {@code now}, as the ingress thread wakes for it; returns bytes allocated. */
    private static long expireUntil(ReorderStrategy strategy, long now, int arrival, CheckedOutput out, ThreadAllocation allocation) {
        long allocated = 0;
        long deadline;
        while ((deadline = strategy.deadline()) <= now) {
            out.at(arrival, deadline);
            long before = allocation == null ? 0 : allocation.bytes();
            strategy.expire(deadline, out);
            allocated += allocation == null ? 0 : allocation.bytes() - before;
            if (strategy.deadline() <= deadline) {
                out.fail("deadline() is " + strategy.deadline() + " after expire(" + deadline
                        + "): a deadline that does not move on makes the ingress thread spin");
            }
        }
        out.at(arrival, now);
        return allocated;
    }

    private static void drain(ReorderStrategy strategy, CheckedOutput out, String when) {
        out.draining(true);
        strategy.drain(out);
        out.draining(false);
        out.checkAllBack(when);
    }

    private ReorderStrategy create(CheckedOutput out, int next) {
        ReorderStrategy strategy = factory.create(settings, next);
        if (strategy == null) {
            out.fail("create(" + settings + ", " + Integer.toUnsignedString(next) + ") returned null");
        }
        return strategy;
    }

    /** Which arrivals repeat an earlier one: the engine discards those before its strategy. */
    private static boolean[] duplicates(Arrivals arrivals) {
        boolean[] duplicate = new boolean[arrivals.size()];
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < duplicate.length; i++) {
            duplicate[i] = !seen.add(arrivals.sequence(i));
        }
        return duplicate;
    }
}
