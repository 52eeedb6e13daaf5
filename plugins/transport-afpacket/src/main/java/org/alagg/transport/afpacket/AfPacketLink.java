package org.alagg.transport.afpacket;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.ClosedChannelException;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import org.alagg.api.Link;
import org.alagg.api.LinkState;
import org.alagg.api.MacAddress;
import org.alagg.api.PacketBatch;
import org.alagg.linux.LinuxException;
import org.alagg.linux.NetworkInterfaces;
import org.alagg.linux.PacketSocket;
import org.alagg.linux.PollSet;

/**
 * One link of the AF_PACKET transport: its own socket, bound to its interface and EtherType, and the interface's
 * state, checked by the transport's watcher.
 *
 * <p>The socket is opened, replaced (the interface came back with another index) and closed only by the
 * transport's control methods, under the transport's lock; the egress and ingress threads read it without a
 * lock. A socket closed while one of them uses it stays open until that call returns (PacketSocket counts its
 * users), and a call that finds it closed refuses (send) or skips (receive): no thread ever reaches a closed or
 * reused descriptor number.
 *
 * <p>The ingress thread also notes, without a lock and without allocating, when the configured peer was last heard on
 * the socket and what came from other sources meanwhile: while the peer is silent and another MAC sends frames of the
 * EtherType, {@link #stateDetail()} names that MAC (a peer MAC configured wrong). It publishes these figures once per
 * receive call, with release writes that other threads read with acquire reads.
 */
final class AfPacketLink implements Link {
    /**
     * How long the configured peer must have been silent, and how recent frames from another MAC must be, for the
     * detail to suspect the peer's MAC. Several peers may share an interface: another MAC alone is not suspicious.
     */
    static final long SUSPECT_NANOS = TimeUnit.SECONDS.toNanos(1);
    static final long NO_SUSPECT = -1;

    private static final VarHandle PEER_HEARD;
    private static final VarHandle FOREIGN_LAST;
    private static final VarHandle FOREIGN_MAC;
    private static final VarHandle FOREIGN_FRAMES;
    private static final VarHandle FOREIGN_MIXED;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            PEER_HEARD = lookup.findVarHandle(AfPacketLink.class, "peerHeardNanos", long.class);
            FOREIGN_LAST = lookup.findVarHandle(AfPacketLink.class, "foreignLastNanos", long.class);
            FOREIGN_MAC = lookup.findVarHandle(AfPacketLink.class, "foreignMac", long.class);
            FOREIGN_FRAMES = lookup.findVarHandle(AfPacketLink.class, "foreignFrames", long.class);
            FOREIGN_MIXED = lookup.findVarHandle(AfPacketLink.class, "foreignMixed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final AfPacketTransport transport;
    private final int id;
    private final String interfaceName;
    private final MacAddress peer;
    private final long peerMac;
    private final int etherType;
    /** Bound to the interface while it exists, registered in the transport's poll set with this link's id. */
    private volatile PacketSocket socket;
    private volatile int mtu;
    private volatile MacAddress local;
    private volatile LinkState state = LinkState.DOWN;
    private volatile String detail = "not checked yet";
    /** Why the last attempt to open the socket failed, or null. Under the transport's lock. */
    private IOException socketFailure;
    /**
     * The other MAC the transport's watcher logged when the peer's MAC became suspect, or {@link #NO_SUSPECT} while it
     * is not. Under the transport's lock.
     */
    long loggedSuspect = NO_SUSPECT;

    // what the ingress thread heard on the socket, published once per receive call (release; read with acquire)
    private final long openedNanos = System.nanoTime();
    /** When a frame from the configured peer last arrived; {@link #openedNanos} until one did. */
    private long peerHeardNanos = openedNanos;
    /** When a frame from another source last arrived; written last of the foreign figures. */
    private long foreignLastNanos = openedNanos;
    /** The last other source, as {@link MacAddress#toLong()}. */
    private long foreignMac;
    /** Frames from other sources since the configured peer was last heard (or the link opened). */
    private long foreignFrames;
    /** Whether they came from more than one source. */
    private boolean foreignMixed;
    // the ingress thread's own copies, carried from one receive call to the next
    private long rxForeignMac;
    private long rxForeignFrames;
    private boolean rxForeignMixed;

    AfPacketLink(AfPacketTransport transport, int id, String interfaceName, MacAddress peer, int etherType) {
        this.transport = transport;
        this.id = id;
        this.interfaceName = interfaceName;
        this.peer = peer;
        this.peerMac = peer.toLong();
        this.etherType = etherType;
    }

    /**
     * Looks at the interface again: its MTU and state, and a socket bound to it (opened when the interface
     * appears, replaced when it came back as another interface, closed when it is gone). Under the transport's
     * lock.
     */
    void refresh(PollSet poll) {
        String problem;
        int index = 0;
        try {
            index = NetworkInterfaces.index(interfaceName);
            mtu = NetworkInterfaces.mtu(interfaceName);
            local = NetworkInterfaces.mac(interfaceName);
            problem = !NetworkInterfaces.isUp(interfaceName) ? "interface " + interfaceName + " is down"
                    : !NetworkInterfaces.isRunning(interfaceName) ? "interface " + interfaceName + " has no carrier"
                    : null;
        } catch (LinuxException e) {
            index = 0;
            problem = e.errno() == LinuxException.ENODEV ? "interface " + interfaceName + " does not exist"
                    : "interface " + interfaceName + ": " + e.getMessage();
        }
        PacketSocket s = socket;
        if (s != null && !isBoundTo(s, index)) {
            closeSocket(poll);
            s = null;
        }
        if (s == null && index > 0) {
            s = openSocket(index, poll);
            if (s == null) {
                problem = "cannot open a socket on " + interfaceName + ": "
                        + (socketFailure.getMessage() != null ? socketFailure.getMessage() : socketFailure.toString());
            }
        }
        if (problem == null) {
            if (state != LinkState.UP) {
                clearError(s);
            }
            state = LinkState.UP;
            detail = "";
        } else {
            state = LinkState.DOWN;
            detail = problem;
        }
    }

    /** Whether the socket is still bound to interface {@code index}; not when the interface went away meanwhile. */
    private static boolean isBoundTo(PacketSocket s, int index) {
        try {
            return index > 0 && s.ifindex() == index && s.boundIfindex() == index;
        } catch (LinuxException | ClosedChannelException e) {
            return false;
        }
    }

    private PacketSocket openSocket(int index, PollSet poll) {
        PacketSocket s = null;
        try {
            s = PacketSocket.open(etherType, AfPacketTransport.BATCH, index);
            s.setDestination(id, index, peer);
            poll.add(s, id);
            socketFailure = null;
            socket = s;
            return s;
        } catch (IOException e) {
            socketFailure = e;
        }
        if (s != null) {
            s.close();
        }
        return null;
    }

    /** An ENETDOWN the kernel queued while the interface was down would refuse the next frame: dropped. */
    private static void clearError(PacketSocket s) {
        try {
            s.clearError();
        } catch (LinuxException | ClosedChannelException e) {
            // the next send or receive reports what is wrong
        }
    }

    /** Closes the socket (out of the poll set first). Under the transport's lock. */
    void closeSocket(PollSet poll) {
        PacketSocket s = socket;
        if (s != null) {
            socket = null;
            poll.remove(s);
            s.close();
        }
    }

    IOException socketFailure() {
        return socketFailure;
    }

    /**
     * Sends this link's frames of the batch. While the link is not UP, or its socket is being replaced, they are
     * refused with ENETDOWN. Egress thread.
     *
     * @return how many left
     */
    int send(PacketBatch frames) throws LinuxException, ClosedChannelException {
        PacketSocket s = socket;
        if (s != null && state == LinkState.UP) {
            try {
                return s.send(frames);
            } catch (ClosedChannelException e) {
                transport.checkRunning();
                // replaced or closed meanwhile: nothing was sent
            }
        }
        return refuse(frames, id, LinuxException.ENETDOWN);
    }

    /** Marks every frame of {@code link} in the batch as refused. @return 0, the frames that left */
    static int refuse(PacketBatch frames, int link, int errno) {
        for (int i = 0; i < frames.size(); i++) {
            if (frames.link(i) == link) {
                frames.refuse(i, errno);
            }
        }
        return 0;
    }

    /**
     * Appends at most {@code most} frames that arrived on this link's socket, without waiting, each tagged with
     * this link or, from another source on the interface, -1. Ingress thread.
     */
    int receive(PacketBatch into, int most) throws LinuxException, ClosedChannelException {
        PacketSocket s = socket;
        if (s == null) {
            return 0;
        }
        int first = into.size();
        int n;
        try {
            n = s.receive(into, most, 0);
        } catch (ClosedChannelException e) {
            transport.checkRunning();
            return 0;
        }
        // the figures in locals through the batch, published once after it
        boolean heard = false;
        boolean foreign = false;
        long frames = rxForeignFrames;
        long last = rxForeignMac;
        boolean mixed = rxForeignMixed;
        for (int i = first; i < first + n; i++) {
            long source = s.sourceMac(i);
            if (source == peerMac) {
                into.link(i, id);
                heard = true;
                frames = 0;
                mixed = false;
            } else {
                into.link(i, -1);
                foreign = true;
                mixed |= frames > 0 && source != last;
                last = source;
                frames++;
            }
        }
        if (heard || foreign) {
            rxForeignFrames = frames;
            rxForeignMac = last;
            rxForeignMixed = mixed;
            long now = System.nanoTime();
            if (heard) {
                PEER_HEARD.setRelease(this, now);
            }
            if (foreign) {
                FOREIGN_MAC.setOpaque(this, last);
                FOREIGN_FRAMES.setOpaque(this, frames);
                FOREIGN_MIXED.setOpaque(this, mixed);
                FOREIGN_LAST.setRelease(this, now);
            }
        }
        return n;
    }

    /**
     * The other source that makes the configured peer's MAC suspect at {@code now}, as {@link MacAddress#toLong()}:
     * the peer has not been heard on the socket for {@link #SUSPECT_NANOS} (or not since the link opened) while frames
     * from other sources came within that time. {@link #NO_SUSPECT} when not. Any thread.
     */
    long suspect(long now) {
        long foreignLast = (long) FOREIGN_LAST.getAcquire(this);
        long heard = (long) PEER_HEARD.getAcquire(this);
        return suspected(now, heard, foreignLast) ? (long) FOREIGN_MAC.getOpaque(this) : NO_SUSPECT;
    }

    /** Whether the configured peer was heard on the socket within {@link #SUSPECT_NANOS}. Any thread. */
    boolean peerHeard(long now) {
        long heard = (long) PEER_HEARD.getAcquire(this);
        return heard != openedNanos && now - heard < SUSPECT_NANOS;
    }

    private boolean suspected(long now, long heard, long foreignLast) {
        return now - heard >= SUSPECT_NANOS && now - foreignLast < SUSPECT_NANOS && foreignLast - heard > 0;
    }

    /**
     * The sentence of {@link #stateDetail()} that suspects the peer's MAC (see {@link #suspect}), or "" when the peer
     * is heard or nothing else sends. Any thread.
     */
    String suspectDetail(long now) {
        long foreignLast = (long) FOREIGN_LAST.getAcquire(this);
        long heard = (long) PEER_HEARD.getAcquire(this);
        if (!suspected(now, heard, foreignLast)) {
            return "";
        }
        long frames = (long) FOREIGN_FRAMES.getOpaque(this);
        boolean mixed = (boolean) FOREIGN_MIXED.getOpaque(this);
        String other = macText((long) FOREIGN_MAC.getOpaque(this));
        String silence = heard == openedNanos ? "since the link opened " + seconds(now - openedNanos) + " ago"
                : "for " + seconds(now - heard);
        String ago = TimeUnit.NANOSECONDS.toMillis(now - foreignLast) + " ms ago";
        return String.format(Locale.ROOT, "no frame from the configured peer %s on %s %s, yet %d Alagg frame%s"
                + " (EtherType 0x%04x) came from %s meanwhile, the last %s: is the peer's MAC right?",
                peer, interfaceName, silence, frames, frames == 1 ? "" : "s", etherType,
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
        return interfaceName;
    }

    @Override
    public MacAddress local() {
        return local;
    }

    @Override
    public MacAddress peer() {
        return peer;
    }

    @Override
    public int mtu() {
        return mtu;
    }

    @Override
    public LinkState state() {
        return state;
    }

    /**
     * Why the link is in its state: the interface's trouble, and, while the configured peer is silent but another
     * MAC sends frames of the EtherType on the interface, that MAC (the peer's may be configured wrong). Empty when
     * neither.
     */
    @Override
    public String stateDetail() {
        String interfaceDetail = detail;
        String suspectDetail = suspectDetail(System.nanoTime());
        return suspectDetail.isEmpty() ? interfaceDetail
                : interfaceDetail.isEmpty() ? suspectDetail : interfaceDetail + "; " + suspectDetail;
    }

    /** What the interface says: {@link #stateDetail()} without the peer's MAC suspected. */
    String interfaceDetail() {
        return detail;
    }

    @Override
    public void close() {
        transport.closed(this);
    }
}
