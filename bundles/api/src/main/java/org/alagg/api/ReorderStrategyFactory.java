package org.alagg.api;

/**
 * Makes reordering strategies: one per peer, since each peer has its own sequence space.
 * Registered with the service property {@link Alagg#STRATEGY} naming the strategy ({@code strict},
 * {@code windowed}, {@code none}, or a plugin's own name).
 */
public interface ReorderStrategyFactory {
    /**
     * A new, empty strategy for one peer.
     *
     * @param nextSequence the sequence number the strategy delivers next: every number before it has been
     *        delivered or given up already (by the strategy this one replaces, when the engine swaps
     *        strategies or changes the settings), so a packet numbered before it is late. After a peer restart
     *        it is the first number of the new epoch that arrived. A strategy that waits for gaps starts
     *        waiting here, never at whatever happens to arrive first.
     * @since 2.0
     */
    ReorderStrategy create(ReorderSettings settings, int nextSequence);
}
