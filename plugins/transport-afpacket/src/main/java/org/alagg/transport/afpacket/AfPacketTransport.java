package org.alagg.transport.afpacket;

import java.io.IOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

import org.alagg.api.Alagg;
import org.alagg.api.InterfaceName;
import org.alagg.api.Link;
import org.alagg.api.LinkTransport;
import org.alagg.api.MacAddress;
import org.alagg.api.PacketBatch;
import org.alagg.linux.PacketSocket;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * Links over Ethernet interfaces: one AF_PACKET socket for the Alagg EtherType serves every link, so one
 * sendmmsg sends a batch across all links and one recvmmsg receives from all of them. A received frame
 * belongs to the link whose interface and peer MAC it came from; any other source is handed on with link
 * -1 for the engine to count.
 *
 * <p>Interfaces are watched twice a second: a link whose interface does not exist, disappears, or goes down
 * is DOWN (its frames are not sent) and comes back UP by itself when the interface does.
 */
@Component(property = Alagg.TRANSPORT + "=afpacket")
public final class AfPacketTransport implements LinkTransport {
    static final int BATCH = 64;
    static final long WATCH_MILLIS = 500;

    private final AtomicReferenceArray<AfPacketLink> links = new AtomicReferenceArray<>(PacketSocket.MAX_LINKS);
    /** One more than the highest id of an open link: the receiver looks no further for a frame's link. */
    private volatile int linkIdLimit;
    private final ScheduledExecutorService watcher;
    private final Logger log;
    private volatile PacketSocket socket;

    @Activate
    public AfPacketTransport(@Reference(service = LoggerFactory.class) Logger log) {
        this.log = log;
        watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "alagg-afpacket-watch");
            t.setDaemon(true);
            return t;
        });
        watcher.scheduleWithFixedDelay(this::watch, WATCH_MILLIS, WATCH_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Deactivate
    void stop() {
        watcher.shutdownNow();
        PacketSocket s = socket;
        socket = null;
        if (s != null) {
            s.wakeup();
            s.close();
        }
    }

    @Override
    public synchronized Link open(int id, String interfaceName, MacAddress peer, int etherType) throws IOException {
        InterfaceName.check(interfaceName);
        if (peer.isMulticast()) {
            throw new IOException("link " + interfaceName + ": peer " + peer + " is a multicast address");
        }
        PacketSocket s = socket;
        if (s == null) {
            s = PacketSocket.open(etherType, BATCH);
            socket = s;
        } else if (s.etherType() != etherType) {
            throw new IOException(String.format("link %s: EtherType 0x%04x differs from the 0x%04x of the other links",
                    interfaceName, etherType, s.etherType()));
        }
        AfPacketLink link = new AfPacketLink(this, id, interfaceName, peer);
        if (!links.compareAndSet(id, null, link)) {
            throw new IOException("link id " + id + " is in use by " + links.get(id).interfaceName());
        }
        linkIdLimit = Math.max(linkIdLimit, id + 1);
        link.refresh(s);
        return link;
    }

    /** Called by a link's close. */
    synchronized void closed(AfPacketLink link) {
        if (links.compareAndSet(link.id(), link, null)) {
            PacketSocket s = socket;
            if (s != null) {
                s.clearDestination(link.id());
            }
            int limit = linkIdLimit;
            while (limit > 0 && links.get(limit - 1) == null) {
                limit--;
            }
            linkIdLimit = limit;
        }
    }

    @Override
    public int send(PacketBatch frames) throws IOException {
        PacketSocket s = socket;
        return s == null ? 0 : s.send(frames);
    }

    @Override
    public int receive(PacketBatch frames, long timeoutNanos) throws IOException {
        PacketSocket s = socket;
        if (s == null) {
            LockSupport.parkNanos(timeoutNanos); // no link opened yet
            return 0;
        }
        int first = frames.size();
        int n = s.receive(frames, timeoutNanos);
        for (int i = first; i < first + n; i++) {
            frames.link(i, linkOf(s.sourceIfindex(i), s.sourceMac(i)));
        }
        return n;
    }

    /** The link a frame came from: its interface and the configured peer MAC on it; -1 for anything else. */
    private int linkOf(int ifindex, long mac) {
        int limit = linkIdLimit;
        for (int id = 0; id < limit; id++) {
            AfPacketLink link = links.get(id);
            if (link != null && link.ifindex() == ifindex && link.peer().toLong() == mac) {
                return id;
            }
        }
        return -1;
    }

    @Override
    public void wakeup() {
        PacketSocket s = socket;
        if (s != null) {
            s.wakeup();
        }
    }

    private void watch() {
        PacketSocket s = socket;
        if (s == null) {
            return;
        }
        for (int id = 0; id < links.length(); id++) {
            AfPacketLink link = links.get(id);
            if (link != null) {
                String before = link.stateDetail();
                link.refresh(s);
                if (!before.equals(link.stateDetail())) {
                    log.info("Link {}: {}", link.interfaceName(), link.state() + (link.stateDetail().isEmpty() ? "" : " (" + link.stateDetail() + ")"));
                }
            }
        }
    }
}
