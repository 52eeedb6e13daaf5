package org.alagg.transport.afpacket;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.ClosedChannelException;

import org.alagg.api.LinkState;
import org.alagg.api.MacAddress;
import org.alagg.api.PacketBatch;
import org.alagg.linux.LinuxException;
import org.alagg.linux.NetworkInterfaces;
import org.alagg.linux.PacketSocket;
import org.alagg.linux.PollSet;

/**
 * One interface of the AF_PACKET transport, for one EtherType: the socket bound to it, which every link on the
 * interface shares (opened with the first of them, closed with the last), those links by their peer's MAC, and
 * the interface's state, MTU and MAC, checked by the transport's watcher; the links report them as theirs.
 *
 * <p>The socket is opened, replaced (the interface came back with another index) and closed only by the
 * transport's control methods, under the transport's lock; the egress and ingress threads read it without a
 * lock. A socket closed while one of them uses it stays open until that call returns (PacketSocket counts its
 * users), and a call that finds it closed refuses (send) or skips (receive): no thread ever reaches a closed or
 * reused descriptor number. Each AF_PACKET socket bound to an interface receives every frame of its EtherType
 * there: one socket per interface receives each frame once, however many links the interface carries.
 *
 * <p>The ingress thread tags each frame it receives with the link whose peer sent it, or -1 when the source is
 * no link's peer here, and counts, without a lock and without allocating, the frames of such foreign sources:
 * how many, the last one's MAC, when. These figures, published with release writes (read with acquire reads),
 * tell a link whether another MAC sends while its peer is silent ({@link AfPacketLink#suspect}).
 */
final class InterfaceSocket {
    private static final VarHandle FOREIGN_LAST;
    private static final VarHandle FOREIGN_MAC;
    private static final VarHandle FOREIGN_FRAMES;
    private static final VarHandle FOREIGN_CHANGE;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            FOREIGN_LAST = lookup.findVarHandle(InterfaceSocket.class, "foreignLastNanos", long.class);
            FOREIGN_MAC = lookup.findVarHandle(InterfaceSocket.class, "foreignMac", long.class);
            FOREIGN_FRAMES = lookup.findVarHandle(InterfaceSocket.class, "foreignFrames", long.class);
            FOREIGN_CHANGE = lookup.findVarHandle(InterfaceSocket.class, "foreignChange", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String name;
    private final int etherType;
    /** The socket's token in the transport's poll set, and where the transport keeps this object. */
    private final int slot;
    /** Bound to the interface while it exists, registered in the transport's poll set with {@link #slot}. */
    private volatile PacketSocket socket;
    private volatile LinksByMac peers = LinksByMac.EMPTY;
    private volatile int mtu;
    private volatile MacAddress local;
    private volatile LinkState state = LinkState.DOWN;
    private volatile String detail = "not checked yet";
    /** Why the last attempt to open the socket failed, or null. Under the transport's lock. */
    private IOException socketFailure;

    // frames from sources that are no link's peer: written by the ingress thread alone, published at the end of a
    // receive call and before it tells a link it heard its peer (a link's count of foreign frames since its peer
    // was heard is never negative)
    /** When the last foreign frame arrived (written last of the figures); when this object was made until one did. */
    private long foreignLastNanos = System.nanoTime();
    /** The last foreign source, as {@link MacAddress#toLong()}. */
    private long foreignMac;
    /** Foreign frames so far. */
    private long foreignFrames;
    /** The number ({@link #foreignFrames} counting) of the last foreign frame whose source differed from the one before. */
    private long foreignChange;

    InterfaceSocket(String name, int etherType, int slot) {
        this.name = name;
        this.etherType = etherType;
        this.slot = slot;
    }

    String name() {
        return name;
    }

    int etherType() {
        return etherType;
    }

    int slot() {
        return slot;
    }

    /** The socket bound to the interface, or null while there is none. Any thread. */
    PacketSocket socket() {
        return socket;
    }

    LinkState state() {
        return state;
    }

    int mtu() {
        return mtu;
    }

    MacAddress local() {
        return local;
    }

    /** What is wrong with the interface, or "". */
    String detail() {
        return detail;
    }

    IOException socketFailure() {
        return socketFailure;
    }

    LinksByMac peers() {
        return peers;
    }

    /** Frames from now on from {@code link}'s peer are the link's. Under the transport's lock. */
    void add(AfPacketLink link) {
        peers = peers.with(link);
    }

    /**
     * Frames from {@code link}'s peer are foreign from now on; the last link's leaving closes the socket (out of the
     * poll set first). Under the transport's lock.
     *
     * @return whether no link is left
     */
    boolean remove(AfPacketLink link, PollSet poll) {
        peers = peers.without(link);
        if (!peers.isEmpty()) {
            return false;
        }
        closeSocket(poll);
        return true;
    }

    /**
     * Looks at the interface again: its MTU, MAC and state, and a socket bound to it (opened when the interface
     * appears, replaced when it came back as another interface, closed when it is gone). Under the transport's
     * lock.
     */
    void refresh(PollSet poll) {
        String problem;
        int index = 0;
        try {
            index = NetworkInterfaces.index(name);
            mtu = NetworkInterfaces.mtu(name);
            local = NetworkInterfaces.mac(name);
            problem = !NetworkInterfaces.isUp(name) ? "interface " + name + " is down"
                    : !NetworkInterfaces.isRunning(name) ? "interface " + name + " has no carrier"
                    : null;
        } catch (LinuxException e) {
            index = 0;
            problem = e.errno() == LinuxException.ENODEV ? "interface " + name + " does not exist"
                    : "interface " + name + ": " + e.getMessage();
        }
        PacketSocket s = socket;
        if (s != null && !isBoundTo(s, index)) {
            closeSocket(poll);
            s = null;
        }
        if (s == null && index > 0) {
            s = openSocket(index, poll);
            if (s == null) {
                problem = "cannot open a socket on " + name + ": "
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
            poll.add(s, slot);
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

    /**
     * Appends at most {@code most} frames that arrived on the socket, without waiting, each tagged with the link
     * whose peer sent it or, from a source that is no link's peer, -1. Nothing when the socket is closed or being
     * replaced. Ingress thread.
     */
    int receive(PacketBatch into, int most) throws LinuxException {
        PacketSocket s = socket;
        if (s == null) {
            return 0;
        }
        int first = into.size();
        int n;
        try {
            n = s.receive(into, most, 0);
        } catch (ClosedChannelException e) {
            return 0;
        }
        if (n == 0) {
            return 0;
        }
        LinksByMac table = peers;
        long now = System.nanoTime();
        // the foreign figures (written by this thread alone) in locals through the batch, published before a link
        // hears its peer and at the end
        long frames = foreignFrames;
        long last = foreignMac;
        long change = foreignChange;
        boolean unpublished = false;
        for (int i = first; i < first + n; i++) {
            long source = s.sourceMac(i);
            AfPacketLink link = table.find(source);
            if (link != null) {
                if (unpublished) {
                    publishForeign(now, frames, last, change);
                    unpublished = false;
                }
                into.link(i, link.id());
                link.heard(now, frames);
            } else {
                into.link(i, -1);
                if (frames > 0 && source != last) {
                    change = frames + 1;
                }
                frames++;
                last = source;
                unpublished = true;
            }
        }
        if (unpublished) {
            publishForeign(now, frames, last, change);
        }
        return n;
    }

    private void publishForeign(long now, long frames, long last, long change) {
        FOREIGN_FRAMES.setOpaque(this, frames);
        FOREIGN_MAC.setOpaque(this, last);
        FOREIGN_CHANGE.setOpaque(this, change);
        FOREIGN_LAST.setRelease(this, now);
    }

    /** When the last frame from a source that is no link's peer arrived ({@link System#nanoTime()}). Any thread. */
    long foreignLast() {
        return (long) FOREIGN_LAST.getAcquire(this);
    }

    /** The source of that frame, as {@link MacAddress#toLong()}. Any thread, after {@link #foreignLast()}. */
    long foreignMac() {
        return (long) FOREIGN_MAC.getOpaque(this);
    }

    /** How many frames came from sources that are no link's peer so far. Any thread, after {@link #foreignLast()}. */
    long foreignFrames() {
        return (long) FOREIGN_FRAMES.getOpaque(this);
    }

    /**
     * The number, as {@link #foreignFrames()} counts, of the last foreign frame whose source was not the one of the
     * foreign frame before it; 0 when all came from one source. Any thread, after {@link #foreignLast()}.
     */
    long foreignChange() {
        return (long) FOREIGN_CHANGE.getOpaque(this);
    }
}
