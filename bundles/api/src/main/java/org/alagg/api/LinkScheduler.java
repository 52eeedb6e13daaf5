package org.alagg.api;

import java.nio.ByteBuffer;

/**
 * Chooses the links each captured packet leaves by. The engine's own choice, {@code redundant}, is every link
 * that is up; a plugin registered with the service property {@link Alagg#SCHEDULER} can choose otherwise
 * (round robin, weighted, primary and backup links) and is selected by the engine configuration's
 * {@code scheduler} name.
 *
 * <p>Only the egress thread calls it: no locks; it must not allocate. One instance serves every peer that selects it,
 * each with its own links: a scheduler that remembers something between packets keeps it per link id (ids are below
 * {@link #MAX_LINK_ID}), never per instance.
 */
public interface LinkScheduler {
    /**
     * Link ids are below this number.
     *
     * @since 2.5
     */
    int MAX_LINK_ID = 256;

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

    /**
     * The form the engine calls since 2.5: as {@link #choose(int, int, int[], int, LinkConditions, int[])}, with the
     * packet itself, for a scheduler that chooses by what the packet is (its DSCP, protocol or ports). The default
     * ignores it.
     *
     * @param type what the packet is: an IPv4 or IPv6 packet, or an Ethernet frame (a TAP device)
     * @param packet the packet in {@code packet[0 .. length)}, valid during this call; read it with absolute gets and
     *        never change it, it is the packet that will be sent
     * @since 2.5
     */
    default int choose(int sequence, PayloadType type, ByteBuffer packet, int length, int[] up, int upCount,
                       LinkConditions links, int[] chosen) {
        return choose(sequence, length, up, upCount, links, chosen);
    }
}
