package org.alagg.transport.afpacket;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import org.alagg.api.Link;
import org.alagg.api.LinkState;
import org.alagg.api.MacAddress;

/**
 * One link of the AF_PACKET transport: a peer's MAC on a local interface. The interface's socket, which the link
 * shares with the interface's other links, and the interface's state, MTU and MAC are its {@link InterfaceSocket}'s:
 * all links of an interface follow it together (DOWN, UP, a socket replaced). A received frame is the link's when
 * its source is the link's peer.
 *
 * <p>The ingress thread also notes, without a lock and without allocating, when the configured peer was last heard,
 * and the interface counts the frames from sources that are no link's peer there: while the peer is silent and such a
 * foreign MAC sends frames of the EtherType, {@link #stateDetail()} names that MAC (a peer MAC configured wrong). The
 * peers of the interface's other links are not foreign: a hub's interface hears many peers, none of them suspicious.
 * Both figures are published with release writes that other threads read with acquire reads.
 */
final class AfPacketLink implements Link {
    /**
     * How long the configured peer must have been silent, and how recent frames from a foreign MAC must be, for the
     * detail to suspect the peer's MAC.
     */
    static final long SUSPECT_NANOS = TimeUnit.SECONDS.toNanos(1);
    static final long NO_SUSPECT = -1;

    private static final VarHandle PEER_HEARD;
    private static final VarHandle FOREIGN_BASE;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            PEER_HEARD = lookup.findVarHandle(AfPacketLink.class, "peerHeardNanos", long.class);
            FOREIGN_BASE = lookup.findVarHandle(AfPacketLink.class, "foreignBase", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final AfPacketTransport transport;
    private final int id;
    private final InterfaceSocket on;
    private final MacAddress peer;
    private final long peerMac;
    /**
     * The other MAC the transport's watcher logged when the peer's MAC became suspect, or {@link #NO_SUSPECT} while it
     * is not. Under the transport's lock.
     */
    long loggedSuspect = NO_SUSPECT;

    // what the ingress thread heard, published per frame from the peer (release; read with acquire)
    private final long openedNanos = System.nanoTime();
    /** When a frame from the configured peer last arrived; {@link #openedNanos} until one did. Written last. */
    private long peerHeardNanos = openedNanos;
    /** The interface's {@link InterfaceSocket#foreignFrames()} then (or when the link opened). */
    private long foreignBase;

    AfPacketLink(AfPacketTransport transport, int id, InterfaceSocket on, MacAddress peer) {
        this.transport = transport;
        this.id = id;
        this.on = on;
        this.peer = peer;
        this.peerMac = peer.toLong();
        this.foreignBase = on.foreignFrames();
    }

    /** The interface the link is on: its socket and state. */
    InterfaceSocket interfaceSocket() {
        return on;
    }

    /** The peer's MAC as {@link MacAddress#toLong()}. */
    long peerMac() {
        return peerMac;
    }

    /**
     * A frame from the configured peer arrived at {@code now}, when the interface had counted {@code foreignFrames}
     * (published before). Ingress thread.
     */
    void heard(long now, long foreignFrames) {
        FOREIGN_BASE.setOpaque(this, foreignFrames);
        PEER_HEARD.setRelease(this, now);
    }

    /**
     * The foreign source that makes the configured peer's MAC suspect at {@code now}, as {@link MacAddress#toLong()}:
     * the peer has not been heard for {@link #SUSPECT_NANOS} (or not since the link opened) while frames from sources
     * that are no link's peer on the interface came within that time. {@link #NO_SUSPECT} when not. Any thread.
     */
    long suspect(long now) {
        long heard = (long) PEER_HEARD.getAcquire(this);
        return suspected(now, heard, on.foreignLast()) ? on.foreignMac() : NO_SUSPECT;
    }

    /** Whether the configured peer was heard within {@link #SUSPECT_NANOS}. Any thread. */
    boolean peerHeard(long now) {
        long heard = (long) PEER_HEARD.getAcquire(this);
        return heard != openedNanos && now - heard < SUSPECT_NANOS;
    }

    private static boolean suspected(long now, long heard, long foreignLast) {
        return now - heard >= SUSPECT_NANOS && now - foreignLast < SUSPECT_NANOS && foreignLast - heard > 0;
    }

    /**
     * The sentence of {@link #stateDetail()} that suspects the peer's MAC (see {@link #suspect}), or "" when the peer
     * is heard or no foreign source sends. Any thread.
     */
    String suspectDetail(long now) {
        long heard = (long) PEER_HEARD.getAcquire(this);
        long base = (long) FOREIGN_BASE.getOpaque(this);
        long foreignLast = on.foreignLast();
        long frames = on.foreignFrames() - base;
        if (!suspected(now, heard, foreignLast) || frames <= 0) { // frames <= 0: the peer was heard just now
            return "";
        }
        boolean mixed = on.foreignChange() >= base + 2; // two of the frames since the peer was heard differ
        String other = macText(on.foreignMac());
        String silence = heard == openedNanos ? "since the link opened " + seconds(now - openedNanos) + " ago"
                : "for " + seconds(now - heard);
        String ago = TimeUnit.NANOSECONDS.toMillis(now - foreignLast) + " ms ago";
        return String.format(Locale.ROOT, "no frame from the configured peer %s on %s %s, yet %d Alagg frame%s"
                + " (EtherType 0x%04x) came from %s meanwhile, the last %s: is the peer's MAC right?",
                peer, on.name(), silence, frames, frames == 1 ? "" : "s", on.etherType(),
                mixed ? "other MACs" : other, mixed ? "from " + other + " " + ago : ago);
    }

    static String macText(long mac) {
        byte[] octets = new byte[6];
        for (int i = 0; i < 6; i++) {
            octets[i] = (byte) (mac >>> (40 - 8 * i));
        }
        return MacAddress.of(octets).toString();
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
    }

    @Override
    public int id() {
        return id;
    }

    @Override
    public String interfaceName() {
        return on.name();
    }

    @Override
    public MacAddress local() {
        return on.local();
    }

    @Override
    public MacAddress peer() {
        return peer;
    }

    @Override
    public int mtu() {
        return on.mtu();
    }

    @Override
    public LinkState state() {
        return on.state();
    }

    /**
     * Why the link is in its state: the interface's trouble, and, while the configured peer is silent but a MAC that is
     * no link's peer sends frames of the EtherType on the interface, that MAC (the peer's may be configured wrong).
     * Empty when neither.
     */
    @Override
    public String stateDetail() {
        String interfaceDetail = on.detail();
        String suspectDetail = suspectDetail(System.nanoTime());
        return suspectDetail.isEmpty() ? interfaceDetail
                : interfaceDetail.isEmpty() ? suspectDetail : interfaceDetail + "; " + suspectDetail;
    }

    @Override
    public void close() {
        transport.closed(this);
    }
}
