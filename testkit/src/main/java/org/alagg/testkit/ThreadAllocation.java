package org.alagg.testkit;

import java.lang.management.ManagementFactory;

/**
 * The JVM's count of the bytes the current thread allocated ({@code com.sun.management.ThreadMXBean}), for a test of
 * code the engine runs on a hot thread: take {@link #bytes()} before and after a run that has been warmed up, and
 * expect the difference to be about 0, as {@link StrategyCheck} and {@link SchedulerCheck} do.
 */
public final class ThreadAllocation {
    private final com.sun.management.ThreadMXBean threads;

    private ThreadAllocation(com.sun.management.ThreadMXBean threads) {
        this.threads = threads;
    }

    /**
     * The count for the calling thread.
     *
     * @throws AssertionError when this JVM cannot count a thread's allocation, saying how to do without
     */
    public static ThreadAllocation ofThisThread() {
        if (!(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads)
                || !threads.isThreadAllocatedMemorySupported()) {
            throw new AssertionError("this JVM cannot count the bytes a thread allocates "
                    + "(com.sun.management.ThreadMXBean): check allocation on HotSpot, or use withoutAllocationCheck()");
        }
        threads.setThreadAllocatedMemoryEnabled(true);
        return new ThreadAllocation(threads);
    }

    /** Bytes allocated by the calling thread so far. */
    public long bytes() {
        return threads.getCurrentThreadAllocatedBytes();
    }
}
