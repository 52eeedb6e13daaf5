package org.alagg.engine;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

import org.alagg.api.HotThread;
import org.alagg.api.LinkTransport;
import org.alagg.api.LocalDelivery;
import org.alagg.api.PacketInterceptor;
import org.alagg.protocol.FrameCodec;

/**
 * The two hot threads and the parts they work with. The engine changes the parts here (volatile fields) when
 * plugins come and go or the configuration changes; each thread picks a change up at its next turn, so a swap
 * never stops the traffic and never needs a lock on the hot path.
 *
 * <p>Taking a part out is two steps: the engine clears or replaces the field, then calls {@link #quiesce()};
 * once it returns, neither thread uses the old part any more and it may be closed. No descriptor is closed
 * under a thread that may still be inside a system call on it.
 */
final class DataPath {
    /** Packets per system call. */
    static final int BATCH = 64;
    /** The largest captured packet carried; larger ones are counted and dropped. */
    static final int MAX_PACKET = 2048;
    /** The most links; the wire format's link id is one byte. */
    static final int MAX_LINKS = 256;
    /** How long a hot thread waits at most before it looks at its parts again. */
    static final long TURN_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** How long {@link #quiesce} waits for a thread to finish its turn. */
    static final long QUIESCE_NANOS = TimeUnit.SECONDS.toNanos(2);

    /** Frames the ingress thread has the egress thread send. */
    final ControlQueue control = new ControlQueue(MAX_PACKET);
    final PluginFaults faults;
    final Egress egress;
    final Ingress ingress;

    /** The interceptor to capture from: open (the engine's control thread opens and closes interceptors). */
    volatile PacketInterceptor interceptor;
    volatile LocalDelivery delivery;
    volatile LinkTransport transport;
    /** The largest packet the links carry once wrapped; larger captured packets are counted too_big. */
    volatile int maxPacketLength = 1500 - FrameCodec.HEADER_LENGTH;
    /** The interval between two health probes on each link ({@code probe.interval.ms}). */
    volatile long probeIntervalNanos = TimeUnit.MILLISECONDS.toNanos(org.alagg.api.Alagg.DEFAULT_PROBE_INTERVAL_MS);
    /** Indexed by link id; replaced whole when a link comes or goes ({@link #publish}). */
    volatile OpenLink[] links = new OpenLink[0];
    /** The peers; replaced whole when one comes or goes ({@link #publish}). */
    volatile Peer[] peers = new Peer[0];
    /** Which peer stands behind an inner address; replaced with {@link #peers}. */
    volatile AllowedNetworks networks = AllowedNetworks.NONE;
    volatile boolean running = true;

    /** @param problems told each new failure of either thread (see {@link PathError}) and each plugin fault */
    DataPath(Consumer<String> problems) {
        this.faults = new PluginFaults(problems);
        this.egress = new Egress(this, new PathError(problems));
        this.ingress = new Ingress(this, new PathError(problems));
    }

    /**
     * Puts peers and links in place for the hot threads: the link table by id, each peer's own links, and the allowed
     * networks of the peers' trust. A peer left out hands over what it holds at the ingress thread's next turn; call {@link #quiesce} before
     * letting it or a link left out go.
     *
     * @param links the open links, each to one of {@code peers}
     */
    void publish(List<Peer> peers, List<OpenLink> links) {
        OpenLink[] table = new OpenLink[links.stream().mapToInt(OpenLink::id).max().orElse(-1) + 1];
        links.forEach(l -> table[l.id()] = l);
        this.links = table; // before the peers' own lists: a link a thread finds in a peer's list is in the table
        for (Peer peer : peers) {
            peer.links = links.stream().filter(l -> l.peer == peer).sorted(Comparator.comparingInt(OpenLink::id))
                    .toArray(OpenLink[]::new);
        }
        this.networks = AllowedNetworks.of(peers);
        this.peers = peers.toArray(new Peer[0]);
    }

    /** The totals of the ingress counters: this thread's own and the current peers'. */
    Map<String, Long> receiveTotals() {
        return Counters.total(ingress.counters, Arrays.stream(peers).map(p -> p.receive.counters).toList());
    }

    /** The totals of the egress counters: this thread's own and the current peers'. */
    Map<String, Long> sendTotals() {
        return Counters.total(egress.counters, Arrays.stream(peers).map(p -> p.send.counters).toList());
    }

    void start() {
        egress.start();
        ingress.start();
    }

    /** Has the egress thread look at its control queue now (the ingress thread calls it after queuing). */
    void wakeEgress() {
        PacketInterceptor in = interceptor;
        if (in != null) {
            in.wakeup();
        }
        Thread thread = egress.thread();
        if (thread != null) {
            LockSupport.unpark(thread);
        }
    }

    /** Makes both threads look at their parts now instead of at the end of their current wait. */
    void wakeUp() {
        PacketInterceptor in = interceptor;
        if (in != null) {
            in.wakeup();
        }
        LinkTransport t = transport;
        if (t != null) {
            t.wakeup();
        }
        for (HotLoop loop : loops()) {
            Thread thread = loop.thread();
            if (thread != null) {
                LockSupport.unpark(thread);
            }
        }
    }

    /**
     * Waits until each hot thread has finished the turn it is in (or is not running): a part taken out of the
     * fields before this call is no longer used by either thread when it returns true. Never call it from a hot
     * thread.
     *
     * @return false when a thread did not finish its turn in time (stuck inside a plugin call)
     */
    boolean quiesce() {
        List<HotLoop> loops = loops();
        long[] before = new long[loops.size()];
        for (int i = 0; i < before.length; i++) {
            before[i] = loops.get(i).turns();
        }
        wakeUp();
        long deadline = System.nanoTime() + QUIESCE_NANOS;
        for (int i = 0; i < before.length; i++) {
            HotLoop loop = loops.get(i);
            while (loop.isAlive() && loop.turns() == before[i]) {
                if (System.nanoTime() > deadline) {
                    return false;
                }
                wakeUp();
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
            }
        }
        return true;
    }

    /** Starts a hot thread again that died while the data path runs. The engine's control thread calls it. */
    void supervise() {
        for (HotLoop loop : loops()) {
            loop.restartIfDead();
        }
    }

    List<HotThread> threads() {
        return List.of(egress.status(), ingress.status());
    }

    private List<HotLoop> loops() {
        return List.of(egress, ingress);
    }

    /** Stops both threads; the ingress thread hands over what its strategy still holds before it ends. */
    void stop() throws InterruptedException {
        running = false;
        wakeUp();
        egress.join(TimeUnit.SECONDS.toMillis(5));
        ingress.join(TimeUnit.SECONDS.toMillis(5));
    }

    OpenLink link(int id) {
        OpenLink[] table = links;
        return id >= 0 && id < table.length ? table[id] : null;
    }

    /** Waits a turn when a part is missing; a swap unparks the thread. */
    static void idle() {
        LockSupport.parkNanos(TURN_NANOS);
    }

    /** Waits a turn, or less when something is due earlier. */
    static void idle(long nanos) {
        LockSupport.parkNanos(Math.min(TURN_NANOS, nanos));
    }
}
