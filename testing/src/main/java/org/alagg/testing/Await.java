package org.alagg.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting in tests for something another thread or the kernel does: polls a condition until it holds or time is up. */
public final class Await {
    private static final long POLL_MILLIS = 10;

    private Await() {
    }

    /**
     * Returns once {@code condition} holds; fails with {@code what} when it does not within {@code within}.
     *
     * @throws AssertionError naming what did not happen in time
     */
    public static void until(String what, Duration within, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + within.toMillis() + " ms: " + what);
            }
            Thread.sleep(POLL_MILLIS);
        }
    }
}
