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

    /**
     * The engine knows that every packet before {@code sequence} that has not arrived is lost: each link that carried
     * the peer's packets lately has since delivered a later one, and a link delivers in order. A strategy that waits
     * for gaps gives those up now rather than at its timeout (one lost packet on one of several links then costs the
     * time it takes the other links to pass it, not the timeout). The default ignores it.
     *
     * @since 2.5
     */
    default void lostBefore(int sequence, long nowNanos, ReorderOutput out) {
    }

    /**
     * The settings changed while the strategy holds packets: the engine sizes the timeout from the links' measured
     * delay spread unless the user sets it. Returns whether the strategy follows the new settings; when it does not,
     * it keeps those it was made with (a new window always makes a new strategy). The default does not follow.
     *
     * @since 2.5
     */
    default boolean adjust(ReorderSettings settings) {
        return false;
    }
}
