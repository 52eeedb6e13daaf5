package org.alagg.api;

/** One open link: a local interface carrying frames to and from the peer's MAC address on it. */
public interface Link extends AutoCloseable {
    /** The engine's number for this link. */
    int id();

    /** The local interface, e.g. {@code eth1}. */
    String interfaceName();

    /** The peer's MAC address on this link. */
    MacAddress peer();

    /**
     * This side's Ethernet address on the link, as it is now; null when not known (the interface is missing). With
     * a key, frames are authenticated between this address and {@link #peer()} (docs/protocol.md section 7), so a
     * transport that cannot tell it cannot carry authenticated frames.
     *
     * @since 2.1
     */
    default MacAddress local() {
        return null;
    }

    /** Whether frames can pass now. */
    LinkState state();

    /** The largest frame the link carries (its interface's MTU), or 0 while it is not known. */
    int mtu();

    /**
     * Why the link is in its state, or what else people should know of it (e.g. "interface eth1 does not exist", a
     * silent peer MAC while another MAC sends); empty when nothing needs saying.
     */
    String stateDetail();

    /** Stops the link; frames still queued for it are dropped. Closing twice is harmless. */
    @Override
    void close();
}
