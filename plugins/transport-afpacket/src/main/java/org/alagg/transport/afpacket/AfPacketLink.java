package org.alagg.transport.afpacket;

import org.alagg.api.Link;
import org.alagg.api.LinkState;
import org.alagg.api.MacAddress;
import org.alagg.linux.LinuxException;
import org.alagg.linux.NetworkInterfaces;
import org.alagg.linux.PacketSocket;

/** One link of the AF_PACKET transport: its interface's index and state, checked by the transport's watcher. */
final class AfPacketLink implements Link {
    private final AfPacketTransport transport;
    private final int id;
    private final String interfaceName;
    private final MacAddress peer;
    private volatile int ifindex;
    private volatile int mtu;
    private volatile LinkState state = LinkState.DOWN;
    private volatile String detail = "not checked yet";

    AfPacketLink(AfPacketTransport transport, int id, String interfaceName, MacAddress peer) {
        this.transport = transport;
        this.id = id;
        this.interfaceName = interfaceName;
        this.peer = peer;
    }

    /** Looks at the interface again and points the socket's destination for this link at it, or clears it. */
    void refresh(PacketSocket socket) {
        String problem;
        int index = 0;
        try {
            index = NetworkInterfaces.index(interfaceName);
            mtu = NetworkInterfaces.mtu(interfaceName);
            problem = !NetworkInterfaces.isUp(interfaceName) ? "interface " + interfaceName + " is down"
                    : !NetworkInterfaces.isRunning(interfaceName) ? "interface " + interfaceName + " has no carrier"
                    : null;
        } catch (LinuxException e) {
            problem = e.errno() == LinuxException.ENODEV ? "interface " + interfaceName + " does not exist"
                    : "interface " + interfaceName + ": " + e.getMessage();
        }
        if (problem == null) {
            socket.setDestination(id, index, peer);
            ifindex = index;
            state = LinkState.UP;
            detail = "";
        } else {
            socket.clearDestination(id);
            ifindex = 0;
            state = LinkState.DOWN;
            detail = problem;
        }
    }

    int ifindex() {
        return ifindex;
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
