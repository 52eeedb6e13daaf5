package org.alagg.transport.afpacket;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;

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
 */
final class AfPacketLink implements Link {
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
        for (int i = first; i < first + n; i++) {
            into.link(i, s.sourceMac(i) == peerMac ? id : -1);
        }
        return n;
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

    @Override
    public String stateDetail() {
        return detail;
    }

    @Override
    public void close() {
        transport.closed(this);
    }
}
