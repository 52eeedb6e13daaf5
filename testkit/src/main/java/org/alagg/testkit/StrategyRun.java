package org.alagg.testkit;

/**
 * What a strategy did with one run of {@link Arrivals} under {@link StrategyCheck}.
 *
 * @param arrivals arrivals played, duplicates included
 * @param duplicates arrivals discarded as duplicates before the strategy (as the engine does)
 * @param delivered packets delivered
 * @param late packets given back late
 * @param lost sequence numbers declared lost
 * @param swaps times the strategy was drained and replaced
 * @param allocatedBytes bytes the thread allocated in {@code accept} and {@code expire} (0 when not measured)
 */
public record StrategyRun(int arrivals, int duplicates, int delivered, int late, long lost, int swaps, long allocatedBytes) {
}
