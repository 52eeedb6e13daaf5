package org.alagg.api;

import org.osgi.annotation.versioning.ProviderType;

/** Where a {@link ReorderStrategy} releases packets, implemented by the engine. */
@ProviderType
public interface ReorderOutput {
    /** Delivers the packet now; the handle goes back to the engine. */
    void deliver(int sequence, int packet);

    /** Declares {@code count} sequence numbers from {@code firstSequence} on lost: they will not be waited for. */
    void lost(int firstSequence, int count);

    /**
     * Gives back a packet that came after its place in the sequence was given up: delivering it now would
     * break the order, so the engine drops it and counts it late. The handle goes back to the engine.
     */
    void late(int sequence, int packet);
}
