package org.alagg.api;

/**
 * Puts one peer's packets back in sequence. Only the engine's ingress thread calls it, so an
 * implementation needs no locks; it must not allocate per packet.
 *
 * <p>The engine has already discarded duplicates. A strategy never sees packet bytes: it sees sequence
 * numbers and the engine's handles for the packets, and tells the engine through {@link ReorderOutput}
 * which to deliver and which gaps to give up on. Sequence numbers are 32-bit and wrap; compare them with
 * serial-number arithmetic ({@code (int) (a - b) > 0} means a is after b).
 */
public interface ReorderStrategy {
    /**
     * Takes a packet that is not a duplicate.
     *
     * @param sequence its global sequence number
     * @param packet the engine's handle for the packet; give it back through {@code out} exactly once
     * @param nowNanos the current {@link System#nanoTime()}
     */
    void accept(int sequence, int packet, long nowNanos, ReorderOutput out);

    /** When {@link #expire} should next be called ({@link System#nanoTime()} scale), or {@link Long#MAX_VALUE}. */
    long deadline();

    /** Gives up on gaps whose wait has ended and releases what they held back. */
    void expire(long nowNanos, ReorderOutput out);

    /** Releases everything held, in sequence order, before the strategy is replaced or its peer goes away. */
    void drain(ReorderOutput out);
}
