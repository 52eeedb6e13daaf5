package org.alagg.api;

import java.io.IOException;

/**
 * Carries Alagg frames over links of one kind (AF_PACKET on Ethernet interfaces, or an in-memory
 * transport in tests). Registered with the service property {@link Alagg#TRANSPORT}.
 *
 * <p>One transport serves every link of its kind so that one wait covers all of them and a batch is sent
 * with few system calls; a link's trouble (a full queue, an interface down) must not refuse another link's
 * frames. The engine's egress thread alone calls {@link #send}, its ingress thread alone calls
 * {@link #receive}; {@link #open}, {@link Link#close} and {@link #wakeup} may come from any thread.
 */
public interface LinkTransport {
    /**
     * Opens a link to the peer's MAC address on a local interface. An interface that does not exist yet,
     * or disappears later, leaves the link {@link LinkState#DOWN} while the transport keeps trying.
     *
     * @param id the engine's number for the link, carried in {@link PacketBatch#link(int)}
     * @throws IOException when the link can never work (no permission, invalid interface name)
     */
    Link open(int id, String interfaceName, MacAddress peer, int etherType) throws IOException;

    /**
     * Sends the batch's frames, each on the link its {@link PacketBatch#link(int)} names. Every frame that does
     * not leave is marked with {@link PacketBatch#refuse(int, int)} and the reason as a Linux errno: EAGAIN or
     * ENOBUFS (the link's queue is full), EMSGSIZE (longer than the link's MTU), ENETDOWN or ENXIO (the interface
     * is down or gone; ENETDOWN also for a frame whose link is DOWN, closed or unknown), any other errno as the
     * kernel gave it. The rest of the batch still goes.
     *
     * @return how many frames left: those not marked
     */
    int send(PacketBatch frames) throws IOException;

    /**
     * Waits at most {@code timeoutNanos} for frames of the link EtherType and appends those ready, each
     * tagged with the link it arrived on: the link whose interface and peer MAC match. A frame from any
     * other source on a link's interface is appended with link -1, so that the engine drops it and counts it.
     *
     * @return how many frames were appended; 0 on timeout or {@link #wakeup}
     */
    int receive(PacketBatch frames, long timeoutNanos) throws IOException;

    /** Makes a {@link #receive} blocked in another thread return soon. */
    void wakeup();
}
