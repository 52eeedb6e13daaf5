package org.alagg.nfqueue;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import org.osgi.service.log.Logger;

/**
 * The rate-limited log line that keeps losses from being silent: at most every 10 s, one warning naming the
 * counters of drops, rejects and ICMP answers that grew since the last line, and the last failure. Called
 * from the data path after each batch; when no line is due that costs one clock read and allocates nothing.
 * Both data path threads call it, and neither ever waits for the other: the thread that finds a line due while
 * the other is writing one goes on without.
 */
final class LossReport {
    static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** Counters of traffic flowing as it should: not worth a warning. */
    private static final Set<String> NORMAL = Set.of("captured", "verdicts", "delivered", "kernel_waiting");

    private final Supplier<Map<String, Long>> counters;
    private final Supplier<String> lastFailure;
    private final Logger log;
    private volatile long next = System.nanoTime() + INTERVAL_NANOS;
    /** Held by the thread writing a line; the others do not wait for it. */
    private final AtomicBoolean reporting = new AtomicBoolean();
    private Map<String, Long> last = Map.of();

    LossReport(Supplier<Map<String, Long>> counters, Supplier<String> lastFailure, Logger log) {
        this.counters = counters;
        this.lastFailure = lastFailure;
        this.log = log;
    }

    /** Logs a line if one is due and anything grew. Any thread. */
    void tick() {
        if (System.nanoTime() - next >= 0 && reporting.compareAndSet(false, true)) {
            try {
                report();
            } finally {
                reporting.set(false);
            }
        }
    }

    private void report() {
        long now = System.nanoTime();
        if (now - next < 0) {
            return; // another thread just reported
        }
        next = now + INTERVAL_NANOS;
        Map<String, Long> current = counters.get();
        String grown = grown(last, current);
        last = current;
        if (!grown.isEmpty()) {
            String failure = lastFailure.get();
            log.warn("nfqueue capture mode, last {} s: {}{}", TimeUnit.NANOSECONDS.toSeconds(INTERVAL_NANOS), grown,
                    failure == null ? "" : " (last failure: " + failure + ")");
        }
    }

    /**
     * The counters that grew, as {@code name +n} separated by commas. A counter below its last value was
     * started again (the queue was bound anew): all of it is new.
     */
    static String grown(Map<String, Long> before, Map<String, Long> after) {
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, Long> e : after.entrySet()) {
            if (NORMAL.contains(e.getKey())) {
                continue;
            }
            long previous = before.getOrDefault(e.getKey(), 0L);
            long growth = e.getValue() >= previous ? e.getValue() - previous : e.getValue();
            if (growth > 0) {
                text.append(text.length() == 0 ? "" : ", ").append(e.getKey()).append(" +").append(growth);
            }
        }
        return text.toString();
    }
}
