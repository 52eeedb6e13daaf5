package org.alagg.api;

/**
 * Chooses the links each captured packet leaves by. The engine's own choice, {@code redundant}, is every link
 * that is up; a plugin registered with the service property {@link Alagg#SCHEDULER} can choose otherwise
 * (round robin, weighted, primary and backup links) and is selected by the engine configuration's
 * {@code scheduler} name.
 *
 * <p>Only the egress thread calls it: no locks; it must not allocate.
 */
public interface LinkScheduler {
    /**
     * @param sequence the packet's global sequence number
     * @param length the packet's length in bytes
     * @param up the ids of the links that are up, in {@code up[0 .. upCount)}
     * @param chosen where to write the ids of the links to send on; as long as {@code up}
     * @return how many ids were written to {@code chosen}; 0 sends the packet nowhere (counted unsent)
     */
    int choose(int sequence, int length, int[] up, int upCount, int[] chosen);

    /**
     * The form the engine calls: as {@link #choose(int, int, int[], int, int[])}, with the links' health. {@code up}
     * holds the links that can carry frames, {@link LinkState#UP} and {@link LinkState#DEGRADED} ones ({@code links}
     * tells which); when none can, every link whose transport is up. A scheduler that uses the links' health
     * overrides this method; the default ignores it.
     *
     * @param links the links' state, round-trip time and recent loss, valid during this call
     * @since 2.2
     */
    default int choose(int sequence, int length, int[] up, int upCount, LinkConditions links, int[] chosen) {
        return choose(sequence, length, up, upCount, chosen);
    }
}
