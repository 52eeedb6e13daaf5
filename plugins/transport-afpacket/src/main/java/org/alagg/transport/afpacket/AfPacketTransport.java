package org.alagg.transport.afpacket;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

import org.alagg.api.Alagg;
import org.alagg.api.InterfaceName;
import org.alagg.api.Link;
import org.alagg.api.LinkState;
import org.alagg.api.LinkTransport;
import org.alagg.api.MacAddress;
import org.alagg.api.PacketBatch;
import org.alagg.linux.LinuxException;
import org.alagg.linux.PacketSocket;
import org.alagg.linux.PollSet;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * Links over Ethernet interfaces, each a peer's MAC on a local interface; one interface carries links to many peers.
 * Each interface has one AF_PACKET socket, bound to it and the EtherType ({@link InterfaceSocket}), which all its
 * links share: it is opened with the interface's first link and closed with its last, and every frame arrives
 * once, however many links the interface carries. A received frame belongs to the link whose peer's MAC is its
 * source (a binary search over the interface's peers, {@link LinksByMac}); one from any other source on the
 * interface is handed on with link -1 for the engine to count, and a link whose peer is silent while such a
 * foreign MAC sends names that MAC in its state detail (and in the log, once): the peer's MAC may be configured
 * wrong. The peers of the interface's other links are never foreign.
 *
 * <p>A batch to send takes one sendmmsg per interface it has frames for, each frame addressed to its own link's
 * peer (a destination per link id on the interface's socket, set and cleared by the egress thread alone, so that a
 * frame's link and its destination never disagree, whatever opens and closes meanwhile). One wait (an epoll set of
 * every interface's socket) covers all links, and each ready socket is read with one recvmmsg. A link's trouble
 * never refuses another interface's frames: an interface that is down or gone refuses only its links' frames, and
 * a slow interface's full queue (its qdisc, or its socket's send buffer) only the frames for that interface. The
 * links of one interface share its queue, so a full queue refuses their frames alike.
 *
 * <p>Every frame that does not leave is marked in the batch ({@link PacketBatch#refuse}) with the kernel's
 * errno (EAGAIN/ENOBUFS: queue full, EMSGSIZE: longer than the MTU, ENETDOWN/ENXIO: interface down or gone), or
 * ENETDOWN when the transport does not send it at all: its link is DOWN, closed or was never opened.
 *
 * <p>Interfaces are watched twice a second: an interface that does not exist, disappears, or goes down makes its
 * links DOWN, and they come back UP by themselves when it does; one that comes back as another interface (a new
 * index) gets a new socket, which all its links use. Sockets are opened and closed only under this object's lock
 * (open, close, the watcher, stop); the egress and ingress threads take no lock and never use a closed descriptor
 * (see {@link InterfaceSocket}).
 */
@Component(property = Alagg.TRANSPORT + "=afpacket")
public final class AfPacketTransport implements LinkTransport {
    static final int BATCH = 64;
    static final long WATCH_MILLIS = 500;
    private static final int MAX_LINKS = PacketSocket.MAX_LINKS;

    private final AtomicReferenceArray<AfPacketLink> links = new AtomicReferenceArray<>(MAX_LINKS);
    /** The interfaces links are on, each in its own slot: its token in the poll set. At most one per link. */
    private final AtomicReferenceArray<InterfaceSocket> interfaces = new AtomicReferenceArray<>(MAX_LINKS);
    private final PollSet poll;
    private final ScheduledExecutorService watcher;
    private final Logger log;
    private volatile boolean stopped;

    // egress thread: which socket each link of a batch goes by, without allocating
    private final int[] seenIn = new int[MAX_LINKS];
    /** The socket that sends a link's frames of the current batch, or null: they are refused. */
    private final PacketSocket[] via = new PacketSocket[MAX_LINKS];
    /** The sockets of the current batch, {@link #batchSocketCount} of them. */
    private final PacketSocket[] batchSockets = new PacketSocket[MAX_LINKS];
    private int batchSocketCount;
    private int batchNumber;
    /**
     * The socket that has a destination for each link id, and the link it is for (its peer), or null: only the egress
     * thread sets and clears destinations, and never more than one socket has a link id's.
     */
    private final PacketSocket[] destinationOn = new PacketSocket[MAX_LINKS];
    private final AfPacketLink[] destinationOf = new AfPacketLink[MAX_LINKS];

    // ingress thread: which ready socket is read first
    private int rotation;

    @Activate
    public AfPacketTransport(@Reference(service = LoggerFactory.class) Logger log) throws LinuxException {
        this.log = log;
        this.poll = new PollSet(MAX_LINKS);
        watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "alagg-afpacket-watch");
            t.setDaemon(true);
            return t;
        });
        watcher.scheduleWithFixedDelay(this::watch, WATCH_MILLIS, WATCH_MILLIS, TimeUnit.MILLISECONDS);
    }

    /**
     * Closes every interface's socket and the poll set. A send or receive racing with it ends with
     * {@link ClosedChannelException}; so does any later one.
     */
    @Deactivate
    synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        watcher.shutdownNow();
        for (int slot = 0; slot < MAX_LINKS; slot++) {
            InterfaceSocket on = interfaces.get(slot);
            if (on != null) {
                on.closeSocket(poll);
            }
        }
        poll.close();
    }

    private void checkRunning() throws ClosedChannelException {
        if (stopped) {
            throw new ClosedChannelException();
        }
    }

    /**
     * Opens a link to {@code peer} on the interface: on the interface's socket, opened now for its first link. Any
     * number of links may share an interface, one per peer MAC.
     *
     * @throws IOException also when a link to the same peer MAC on the same interface is open already
     */
    @Override
    public synchronized Link open(int id, String interfaceName, MacAddress peer, int etherType) throws IOException {
        checkRunning();
        InterfaceName.check(interfaceName);
        if (peer.isMulticast()) {
            throw new IOException("link " + interfaceName + ": peer " + peer + " is a multicast address");
        }
        if (etherType < 0x0600 || etherType > 0xFFFF) {
            throw new IOException(String.format("link %s: EtherType 0x%04x is not 0x0600 to 0xffff", interfaceName, etherType));
        }
        if (id < 0 || id >= MAX_LINKS) {
            throw new IOException("link " + interfaceName + ": id " + id + " is not 0 to " + (MAX_LINKS - 1));
        }
        AfPacketLink inUse = links.get(id);
        if (inUse != null) {
            throw new IOException("link id " + id + " is in use by " + inUse.interfaceName());
        }
        for (int other = 0; other < MAX_LINKS; other++) {
            AfPacketLink link = links.get(other);
            if (link != null && link.interfaceName().equals(interfaceName) && link.peerMac() == peer.toLong()) {
                throw new IOException("link " + id + " on " + interfaceName + ": link " + other + " has peer " + peer
                        + " on " + interfaceName + " already (one link per peer MAC and interface)");
            }
        }
        InterfaceSocket on = interfaceSocket(interfaceName, etherType);
        AfPacketLink link = new AfPacketLink(this, id, on, peer);
        on.add(link);
        links.set(id, link);
        if (on.socketFailure() instanceof LinuxException e
                && (e.errno() == LinuxException.EPERM || e.errno() == LinuxException.EACCES)) {
            closed(link);
            throw e;
        }
        return link;
    }

    /** The interface's socket for the EtherType: the one its links have, or a new one, looked at. Under the lock. */
    private InterfaceSocket interfaceSocket(String interfaceName, int etherType) {
        int free = -1;
        for (int slot = 0; slot < MAX_LINKS; slot++) {
            InterfaceSocket on = interfaces.get(slot);
            if (on == null) {
                free = free < 0 ? slot : free;
            } else if (on.name().equals(interfaceName) && on.etherType() == etherType) {
                return on;
            }
        }
        // a slot is free: there are fewer interfaces than links, and fewer links than MAX_LINKS (id is not in use)
        InterfaceSocket on = new InterfaceSocket(interfaceName, etherType, free);
        interfaces.set(free, on);
        on.refresh(poll);
        return on;
    }

    /**
     * Called by a link's close: frames from its peer are foreign from now on, and when it was its interface's last
     * link, the interface's socket is closed and out of the poll set on return.
     */
    synchronized void closed(AfPacketLink link) {
        if (links.compareAndSet(link.id(), link, null)) {
            InterfaceSocket on = link.interfaceSocket();
            if (on.remove(link, poll)) {
                interfaces.compareAndSet(on.slot(), on, null);
            }
        }
    }

    /**
     * Sends the batch: one sendmmsg per interface it has frames for. Frames of a link that is closed, unknown or
     * DOWN are refused with ENETDOWN first and go nowhere (their link id has no destination on any socket of the
     * batch); a socket closed under the call (its interface replaced, its last link closed) refuses its frames so.
     */
    @Override
    public int send(PacketBatch frames) throws IOException {
        checkRunning();
        int batch = ++batchNumber;
        if (batch == 0) {
            java.util.Arrays.fill(seenIn, 0);
            batch = batchNumber = 1;
        }
        batchSocketCount = 0;
        int n = frames.size();
        for (int i = 0; i < n; i++) {
            int id = frames.link(i);
            if (id < 0 || id >= MAX_LINKS) {
                frames.refuse(i, LinuxException.ENETDOWN);
                continue;
            }
            if (seenIn[id] != batch) {
                seenIn[id] = batch;
                via[id] = route(id);
            }
            if (via[id] == null) {
                frames.refuse(i, LinuxException.ENETDOWN);
            }
        }
        int sent = 0;
        for (int k = 0; k < batchSocketCount; k++) {
            PacketSocket s = batchSockets[k];
            try {
                sent += s.send(frames);
            } catch (ClosedChannelException e) {
                checkRunning();
                refuseVia(frames, s); // nothing was sent
            }
        }
        return sent;
    }

    /**
     * The socket that sends link {@code id}'s frames of this batch, its destination set there (to the link's peer)
     * and on no other socket; null, and no destination anywhere, when the link is closed, unknown or not UP. Each
     * socket is listed once in {@link #batchSockets}. Egress thread.
     */
    private PacketSocket route(int id) {
        AfPacketLink link = links.get(id);
        PacketSocket s = link != null && link.state() == LinkState.UP ? link.interfaceSocket().socket() : null;
        AfPacketLink to = s != null ? link : null;
        if (destinationOn[id] != s || destinationOf[id] != to) {
            if (destinationOn[id] != null) {
                destinationOn[id].clearDestination(id);
            }
            if (s != null) {
                s.setDestination(id, s.ifindex(), to.peer());
            }
            destinationOn[id] = s;
            destinationOf[id] = to;
        }
        if (s != null) {
            int k = 0;
            while (k < batchSocketCount && batchSockets[k] != s) {
                k++;
            }
            if (k == batchSocketCount) {
                batchSockets[batchSocketCount++] = s;
            }
        }
        return s;
    }

    /** Refuses (ENETDOWN) every frame of the batch that socket {@code s} was to send. Egress thread. */
    private void refuseVia(PacketBatch frames, PacketSocket s) {
        for (int i = 0; i < frames.size(); i++) {
            int id = frames.link(i);
            if (id >= 0 && id < MAX_LINKS && via[id] == s) {
                frames.refuse(i, LinuxException.ENETDOWN);
            }
        }
    }

    @Override
    public int receive(PacketBatch frames, long timeoutNanos) throws IOException {
        int ready = poll.await(timeoutNanos);
        int first = frames.size();
        if (ready == 0) {
            return 0;
        }
        // each ready socket gets an equal share of the free slots, the first one in turn
        int start = rotation = (rotation + 1) & 0xFFFF;
        for (int k = 0; k < ready; k++) {
            int free = frames.capacity() - frames.size();
            if (free == 0) {
                break;
            }
            int slot = poll.token((start + k) % ready);
            InterfaceSocket on = slot >= 0 && slot < MAX_LINKS ? interfaces.get(slot) : null;
            if (on != null) {
                on.receive(frames, Math.max(1, free / (ready - k)));
            }
        }
        return frames.size() - first;
    }

    @Override
    public void wakeup() {
        poll.wakeup();
    }

    /**
     * Logs once when a link's peer MAC becomes suspect (another MAC sends while the peer is silent), and once when
     * that ends; not each time the other MAC changes (several other sources take turns).
     */
    private void logSuspect(AfPacketLink link) {
        long now = System.nanoTime();
        long suspect = link.suspect(now);
        boolean was = link.loggedSuspect != AfPacketLink.NO_SUSPECT;
        if (suspect != AfPacketLink.NO_SUSPECT && !was) {
            String why = link.suspectDetail(now);
            if (!why.isEmpty()) { // else it ended between the two looks
                log.warn("Link {}: {}", link.interfaceName(), why);
                link.loggedSuspect = suspect;
            }
        } else if (suspect == AfPacketLink.NO_SUSPECT && was) {
            log.info("Link {}: {}", link.interfaceName(), link.peerHeard(now)
                    ? "the configured peer " + link.peer() + " is heard"
                    : "no more frames from " + AfPacketLink.macText(link.loggedSuspect) + " (the configured peer "
                            + link.peer() + " is still silent)");
            link.loggedSuspect = AfPacketLink.NO_SUSPECT;
        }
    }

    private synchronized void watch() {
        if (stopped) {
            return;
        }
        for (int slot = 0; slot < MAX_LINKS; slot++) {
            InterfaceSocket on = interfaces.get(slot);
            if (on != null) {
                String before = on.detail();
                on.refresh(poll);
                String after = on.detail();
                if (!before.equals(after)) {
                    log.info("Interface {} (links {}): {}", on.name(), on.peers().ids(),
                            on.state() + (after.isEmpty() ? "" : " (" + after + ")"));
                }
            }
        }
        for (int id = 0; id < MAX_LINKS; id++) {
            AfPacketLink link = links.get(id);
            if (link != null) {
                logSuspect(link);
            }
        }
    }
}
