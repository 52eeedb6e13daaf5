package org.alagg.nfqueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The kernel's queue counters and the rate-limited loss line. */
class CounterReportTest {
    @Test
    void kernelQueueLine() {
        // net/netfilter/nfnetlink_queue.c seq_show: "%5u %6u %5u %1u %5u %5u %5u %8u %2d\n"
        String proc = "    0  12345     0 2 65531     0     0        0  1\n"
                + "    7   4242    12 2 65531     3     5      901  1\n";
        long[] seven = KernelQueueStatistics.parse(proc, 7);
        assertEquals(12, seven[2], "waiting");
        assertEquals(3, seven[5], "queue_dropped");
        assertEquals(5, seven[6], "queue_user_dropped");
        assertNull(KernelQueueStatistics.parse(proc, 8));
        assertNull(KernelQueueStatistics.parse("", 0));
    }

    @Test
    void lossLineNamesWhatGrewButNotNormalTraffic() {
        Map<String, Long> before = Map.of("captured", 5L, "too_big_icmp_sent", 1L);
        Map<String, Long> after = new LinkedHashMap<>();
        after.put("captured", 9L);
        after.put("too_big_icmp_sent", 3L);
        after.put("rejected_wrong_queue", 1L);
        after.put("verdict_failures", 0L);
        assertEquals("too_big_icmp_sent +2, rejected_wrong_queue +1", LossReport.grown(before, after));
        assertEquals("", LossReport.grown(after, after));
    }

    @Test
    void aCounterStartedAgainCountsWhole() {
        assertEquals("kernel_dropped_queue_full +4", LossReport.grown(Map.of("kernel_dropped_queue_full", 10L),
                Map.of("kernel_dropped_queue_full", 4L)), "the queue was bound anew");
    }
}
