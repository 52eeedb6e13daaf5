package org.alagg.api;

import java.io.IOException;
import java.util.Map;

/**
 * Delivers received packets on this host: a raw IP socket that keeps the original source address, or a
 * write into the TUN/TAP device. Registered with the service property {@link Alagg#INTERCEPTOR} of the
 * capture mode it pairs with. Only the engine's ingress thread calls it.
 */
public interface LocalDelivery {
    /**
     * Delivers every packet of the batch, in batch order.
     *
     * @return how many packets were delivered; the engine counts the rest as lost
     * @throws IOException when the delivery path itself failed
     */
    int deliver(PacketBatch packets) throws IOException;

    /**
     * The delivery path's own counters, e.g. packets it refused and why. {@code alagg:stats} shows them after the
     * engine's, each prefixed with the capture mode's name ({@code nfqueue_delivery_not_local}). Any thread.
     *
     * @return counter name to value; empty by default
     * @since 1.1
     */
    default Map<String, Long> counters() {
        return Map.of();
    }
}
