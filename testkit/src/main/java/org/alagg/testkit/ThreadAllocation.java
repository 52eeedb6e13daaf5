package org.alagg.testkit;

import java.lang.management.ManagementFactory;

/** The JVM's count of the bytes the current thread allocated ({@code com.sun.management.ThreadMXBean}). */
final class ThreadAllocation {
    private final com.sun.management.ThreadMXBean threads;

    private ThreadAllocation(com.sun.management.ThreadMXBean threads) {
        this.threads = threads;
    }

    /** @throws AssertionError when this JVM cannot count a thread's allocation, saying how to do without */
    static ThreadAllocation ofThisThread() {
        if (!(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads)
                || !threads.isThreadAllocatedMemorySupported()) {
            throw new AssertionError("this JVM cannot count the bytes a thread allocates "
                    + "(com.sun.management.ThreadMXBean): check allocation on HotSpot, or use withoutAllocationCheck()");
        }
        threads.setThreadAllocatedMemoryEnabled(true);
        return new ThreadAllocation(threads);
    }

    /** Bytes allocated by this thread so far. */
    long bytes() {
        return threads.getCurrentThreadAllocatedBytes();
    }
}
