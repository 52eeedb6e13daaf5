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
 * Links over Ethernet interfaces: each link has its own AF_PACKET socket, bound to its interface and its
 * EtherType, so a link whose queue is full (or whose interface is down or gone) refuses its own frames only.
 * A batch to send takes one sendmmsg per link it has frames for; one wait (an epoll set of every link's socket)
 * covers all links, and each ready socket is read with one recvmmsg. A received frame belongs to its socket's
 * link when it comes from the link's peer MAC; any other source on the interface is handed on with link -1 for
 * the engine to count, and a link whose peer is silent while another MAC sends names that MAC in its state detail
 * (and in the log, once): the peer's MAC may be configured wrong.
 *
 * <p>Every frame that does not leave is marked in the batch ({@link PacketBatch#refuse}) with the kernel's
 * errno (EAGAIN/ENOBUFS: queue full, EMSGSIZE: longer than the MTU, ENETDOWN/ENXIO: interface down or gone), or
 * ENETDOWN when the transport does not send it at all: its link is DOWN, closed or was never opened.
 *
 * <p>Interfaces are watched twice a second: a link whose interface does not exist, disappears, or goes down
 * is DOWN and comes back UP by itself when the interface does; one that comes back as another interface (a new
 * index) gets a new socket. Sockets are opened and closed only under this object's lock (open, close, the
 * watcher, stop); the egress and ingress threads take no lock and never use a closed descriptor (see
 * {@link AfPacketLink}).
 */
@Component(property = Alagg.TRANSPORT + "=afpacket")
public final class AfPacketTransport implements LinkTransport {
    static final int BATCH = 64;
    static final long WATCH_MILLIS = 500;
    private static final int MAX_LINKS = PacketSocket.MAX_LINKS;

    private final AtomicReferenceArray<AfPacketLink> links = new AtomicReferenceArray<>(MAX_LINKS);
    private final PollSet poll;
    private final ScheduledExecutorService watcher;
    private final Logger log;
    private volatile boolean stopped;

    // egress thread: which links a batch has frames for, without allocating
    private final int[] seenIn = new int[MAX_LINKS];
    private final int[] batchLinks = new int[MAX_LINKS];
    private int batchNumber;

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
     * Closes every link's socket and the poll set. A send or receive racing with it ends with
     * {@link ClosedChannelException}; so does any later one.
     */
    @Deactivate
    synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        watcher.shutdownNow();
        for (int id = 0; id < MAX_LINKS; id++) {
            AfPacketLink link = links.get(id);
            if (link != null) {
                link.closeSocket(poll);
            }
        }
        poll.close();
    }

    void checkRunning() throws ClosedChannelException {
        if (stopped) {
            throw new ClosedChannelException();
        }
    }

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
        for (int other = 0; other < MAX_LINKS; other++) {
            AfPacketLink link = links.get(other);
            if (link != null && link.interfaceName().equals(interfaceName)) {
                throw new IOException("link " + interfaceName + ": the interface carries link " + other
                        + " already (one link per interface)");
            }
        }
        AfPacketLink link = new AfPacketLink(this, id, interfaceName, peer, etherType);
        if (!links.compareAndSet(id, null, link)) {
            throw new IOException("link id " + id + " is in use by " + links.get(id).interfaceName());
        }
        link.refresh(poll);
        if (link.socketFailure() instanceof LinuxException e
                && (e.errno() == LinuxException.EPERM || e.errno() == LinuxException.EACCES)) {
            closed(link);
            throw e;
        }
        return link;
    }

    /** Called by a link's close: its socket is closed and out of the poll set on return. */
    synchronized void closed(AfPacketLink link) {
        if (links.compareAndSet(link.id(), link, null)) {
            link.closeSocket(poll);
        }
    }

    @Override
    public int send(PacketBatch frames) throws IOException {
        checkRunning();
        int batch = ++batchNumber;
        if (batch == 0) {
            java.util.Arrays.fill(seenIn, 0);
            batch = batchNumber = 1;
        }
        int count = 0;
        int n = frames.size();
        for (int i = 0; i < n; i++) {
            int id = frames.link(i);
            if (id < 0 || id >= MAX_LINKS) {
                frames.refuse(i, LinuxException.ENETDOWN);
            } else if (seenIn[id] != batch) {
                seenIn[id] = batch;
                batchLinks[count++] = id;
            }
        }
        int sent = 0;
        for (int k = 0; k < count; k++) {
            int id = batchLinks[k];
            AfPacketLink link = links.get(id);
            sent += link != null ? link.send(frames) : AfPacketLink.refuse(frames, id, LinuxException.ENETDOWN);
        }
        return sent;
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
            int id = poll.token((start + k) % ready);
            AfPacketLink link = id >= 0 && id < MAX_LINKS ? links.get(id) : null;
            if (link != null) {
                link.receive(frames, Math.max(1, free / (ready - k)));
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
        for (int id = 0; id < MAX_LINKS; id++) {
            AfPacketLink link = links.get(id);
            if (link != null) {
                String before = link.interfaceDetail();
                link.refresh(poll);
                String after = link.interfaceDetail();
                if (!before.equals(after)) {
                    log.info("Link {}: {}", link.interfaceName(), link.state() + (after.isEmpty() ? "" : " (" + after + ")"));
                }
                logSuspect(link);
            }
        }
    }
}
