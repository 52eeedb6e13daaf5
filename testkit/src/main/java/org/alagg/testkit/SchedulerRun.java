package org.alagg.testkit;

/**
 * What a scheduler chose in one run of {@link SchedulerCheck}.
 *
 * @param packets calls made
 * @param sends links chosen, over all calls
 * @param unsent calls that chose no link
 * @param allocatedBytes bytes the thread allocated in {@code choose} (0 when not measured)
 */
public record SchedulerRun(int packets, long sends, int unsent, long allocatedBytes) {
}
