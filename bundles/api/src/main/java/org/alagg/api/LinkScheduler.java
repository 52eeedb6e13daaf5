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
}
