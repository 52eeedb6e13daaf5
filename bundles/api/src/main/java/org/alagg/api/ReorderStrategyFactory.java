package org.alagg.api;

/**
 * Makes reordering strategies: one per peer, since each peer has its own sequence space.
 * Registered with the service property {@link Alagg#STRATEGY} naming the strategy ({@code strict},
 * {@code windowed}, {@code none}, or a plugin's own name).
 */
public interface ReorderStrategyFactory {
    /** A new, empty strategy for one peer. */
    ReorderStrategy create(ReorderSettings settings);
}
