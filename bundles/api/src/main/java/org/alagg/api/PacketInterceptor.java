package org.alagg.api;

import java.io.IOException;

/**
 * Captures the packets bound for the peer: from a netfilter queue, or from a TUN/TAP device the
 * destinations are routed into. Registered with the service property {@link Alagg#INTERCEPTOR} naming
 * the capture mode ({@code nfqueue}, {@code tun}, {@code tap}).
 *
 * <p>Only the engine's egress thread calls {@link #capture}. The engine's control thread calls {@link #open},
 * {@link #close} and {@link #limitPacketLength}: {@code open} and {@code close} never while a {@code capture} runs
 * (they may take their time: run subprocesses, talk netlink), {@code limitPacketLength} at any time.
 * {@link #wakeup} may be called from any thread.
 * A packet handed over by {@code capture} is the interceptor's no longer: it has been taken from the kernel
 * (an NFQUEUE verdict DROP, a TUN read), so the engine must send it or count it lost.
 */
public interface PacketInterceptor {
    /**
     * Takes hold of the capture source: binds the netfilter queue, creates or attaches to the device. The
     * engine calls it when it selects this interceptor, before the first {@link #capture}; until then an
     * interceptor holds nothing, so an installed but unselected one captures nothing.
     *
     * @param maxPacketLength the largest packet the links carry once wrapped in an Alagg frame; a device
     *        interceptor sets its MTU to it
     * @throws IOException when the source cannot be had (no permission, queue owned by another program);
     *         the engine reports it and tries again later
     */
    void open(int maxPacketLength) throws IOException;

    /**
     * The largest packet the links carry changed (a link's MTU changed, a link came or went): from now on a
     * device interceptor's MTU is {@code maxPacketLength}, and a queue interceptor answers larger packets with
     * ICMP "fragmentation needed" / "packet too big". A packet larger than the limit that is captured anyway is
     * counted {@code too_big} by the engine and dropped, so an interceptor that cannot follow loses packets.
     * Called between {@link #open} and {@link #close}, possibly while {@link #capture} runs on another thread.
     *
     * @since 2.0
     */
    default void limitPacketLength(int maxPacketLength) throws IOException {
    }

    /** Lets go of the capture source; {@link #capture} is not called until the next {@link #open}. */
    void close();

    /**
     * Waits at most {@code timeoutNanos} for captured packets and appends as many as are ready,
     * up to the batch's free room, each with its {@link PayloadType} and link -1.
     *
     * @return how many packets were appended; 0 when the wait timed out or {@link #wakeup} was called
     * @throws IOException when the capture source failed; the engine reports it and retries later
     */
    int capture(PacketBatch batch, long timeoutNanos) throws IOException;

    /** Makes a {@link #capture} blocked in another thread return soon, e.g. before the engine swaps interceptors. */
    void wakeup();
}
