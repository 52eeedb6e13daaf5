package org.alagg.testkit;

import java.util.SplittableRandom;

import org.alagg.api.LinkScheduler;
import org.alagg.api.LinkState;
import org.alagg.api.PayloadType;

/**
 * Calls a {@link LinkScheduler} as the engine's egress thread does, with random sets of links that come and go, random
 * health, weights and tiers, packets (random bytes behind a plausible first byte) and sequence numbers that wrap at
 * 2^32, and checks what the engine relies on: the count returned is between 0 and the links offered, every link chosen
 * is one of those offered and none twice, the offered ids and the packet are left as they were, and nothing is
 * allocated per packet (measured on a third run, after two to warm up).
 * A broken invariant throws an {@link AssertionError} naming it, the call and the seed.
 *
 * <pre>
 * SchedulerRun run = SchedulerCheck.of(new MyScheduler()).run(42, 20_000);
 * </pre>
 */
public final class SchedulerCheck {
    /** Bytes the measured run may allocate in all. */
    private static final long ALLOCATION_ALLOWANCE = 1024;
    /** Link ids the random sets are taken from: small ones and large ones, as the engine numbers links in turn. */
    private static final int[] IDS = {0, 1, 2, 3, 5, 8, 13, 100, 200, LinkScheduler.MAX_LINK_ID - 1};
    private static final PayloadType[] TYPES = PayloadType.values();
    private static final LinkState[] STATES = LinkState.values();

    private final LinkScheduler scheduler;
    private boolean allocationMeasured = true;

    private SchedulerCheck(LinkScheduler scheduler) {
        this.scheduler = scheduler;
    }

    public static SchedulerCheck of(LinkScheduler scheduler) {
        if (scheduler == null) {
            throw new IllegalArgumentException("a scheduler is needed");
        }
        return new SchedulerCheck(scheduler);
    }

    /** Leaves out the allocation check: for a debugging run, or a JVM that cannot count a thread's allocation. */
    public SchedulerCheck withoutAllocationCheck() {
        allocationMeasured = false;
        return this;
    }

    /**
     * Makes {@code packets} calls from {@code seed} and checks each.
     *
     * @return what the scheduler chose in the (last) run
     * @throws AssertionError naming the first invariant broken
     */
    public SchedulerRun run(long seed, int packets) {
        if (packets < 0) {
            throw new IllegalArgumentException("packets must not be negative: " + packets);
        }
        ThreadAllocation allocation = allocationMeasured ? ThreadAllocation.ofThisThread() : null;
        if (allocation == null) {
            return play(seed, packets, null);
        }
        play(seed, packets, null);
        play(seed, packets, null);
        SchedulerRun run = play(seed, packets, allocation);
        if (run.allocatedBytes() > ALLOCATION_ALLOWANCE) {
            throw new AssertionError(run.allocatedBytes() + " bytes allocated by choose over " + packets
                    + " packets (after two runs to warm up, seed " + seed + "): the egress thread must not allocate per packet");
        }
        return run;
    }

    private SchedulerRun play(long seed, int packets, ThreadAllocation allocation) {
        SplittableRandom random = new SplittableRandom(seed);
        TestLinks links = new TestLinks();
        int[] up = new int[IDS.length];
        int[] offered = new int[IDS.length];
        int[] chosen = new int[IDS.length];
        java.nio.ByteBuffer packet = java.nio.ByteBuffer.allocate(1500);
        byte[] bytes = new byte[packet.capacity()];
        random.nextBytes(bytes);
        int upCount = 0;
        long sends = 0;
        int unsent = 0;
        long allocated = 0;
        int sequence = -packets / 2; // crosses the wrap at 2^32 half way
        for (int p = 0; p < packets; p++, sequence++) {
            if (p % 64 == 0) { // the links that are up change now and then, as probes and carriers say
                upCount = 0;
                for (int id : IDS) {
                    if (random.nextInt(3) > 0) {
                        up[upCount++] = id;
                        links.set(id, STATES[random.nextInt(STATES.length)], random.nextLong(-1, 50_000_000),
                                random.nextInt(-1, 1_000_000), random.nextInt(-1, 1_000_000))
                                .configure(id, random.nextInt(2) == 0 ? 0 : random.nextInt(1, 100), random.nextInt(3))
                                .since(id, System.nanoTime() - random.nextLong(0, 10_000_000_000L));
                    }
                }
            }
            System.arraycopy(up, 0, offered, 0, upCount);
            int length = 20 + random.nextInt(1481);
            PayloadType type = TYPES[random.nextInt(TYPES.length)];
            bytes[0] = (byte) (type == PayloadType.IPV4 ? 0x45 : type == PayloadType.IPV6 ? 0x60 : 0x02);
            packet.clear();
            packet.put(bytes).clear().limit(length);
            long before = allocation == null ? 0 : allocation.bytes();
            int count = scheduler.choose(sequence, type, packet, length, offered, upCount, links, chosen);
            allocated += allocation == null ? 0 : allocation.bytes() - before;
            for (int i = 0; i < length; i++) {
                if (packet.get(i) != bytes[i]) {
                    throw new AssertionError("the packet was changed at byte " + i + " (call " + p + ", seed " + seed + ")");
                }
            }
            check(count, up, offered, upCount, chosen, p, seed);
            sends += count;
            unsent += count == 0 ? 1 : 0;
        }
        return new SchedulerRun(packets, sends, unsent, allocated);
    }

    private static void check(int count, int[] up, int[] offered, int upCount, int[] chosen, int call, long seed) {
        String where = " (call " + call + ", seed " + seed + ")";
        for (int i = 0; i < upCount; i++) {
            if (offered[i] != up[i]) {
                throw new AssertionError("the offered link ids were changed: " + up[i] + " became " + offered[i] + where);
            }
        }
        if (count < 0 || count > upCount) {
            throw new AssertionError("choose returned " + count + " with " + upCount + " links offered" + where);
        }
        for (int i = 0; i < count; i++) {
            boolean offeredNow = false;
            for (int j = 0; j < upCount; j++) {
                offeredNow |= up[j] == chosen[i];
            }
            if (!offeredNow) {
                throw new AssertionError("link " + chosen[i] + " chosen, but it was not offered" + where);
            }
            for (int j = 0; j < i; j++) {
                if (chosen[j] == chosen[i]) {
                    throw new AssertionError("link " + chosen[i] + " chosen twice for one packet" + where);
                }
            }
        }
    }
}
