package org.alagg.engine;

import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

import org.alagg.api.LinkScheduler;
import org.alagg.api.LinkTransport;
import org.alagg.api.LocalDelivery;
import org.alagg.api.PacketInterceptor;
import org.alagg.api.ReorderSettings;
import org.alagg.api.ReorderStrategyFactory;

/**
 * The two hot threads and what they work with. The engine component changes the parts here (volatile
 * fields) when plugins come and go or the configuration changes; each thread picks a change up at its next
 * turn, so a swap never stops the traffic and never needs a lock on the hot path.
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

    /** This sender's epoch: random per process run, so the peer recognises a restart. */
    final int epoch = new SecureRandom().nextInt();
    final Thread egressThread;
    final Thread ingressThread;
    final Egress egress;
    final Ingress ingress;

    volatile PacketInterceptor interceptor;
    volatile LocalDelivery delivery;
    volatile LinkTransport transport;
    volatile ReorderStrategyFactory strategy;
    /** Null: the engine's own choice, every link that is up. */
    volatile LinkScheduler scheduler;
    volatile ReorderSettings reorderSettings;
    volatile int etherType;
    /** The largest packet the links carry once wrapped: what an interceptor is opened with. */
    volatile int maxPacketLength = 1500 - org.alagg.protocol.FrameCodec.HEADER_LENGTH;
    /** Indexed by link id; replaced whole when a link comes or goes. */
    volatile OpenLink[] links = new OpenLink[0];
    volatile boolean running = true;

    /** @param problems told each new failure of either thread (see {@link PathError}) */
    DataPath(ReorderSettings reorderSettings, int etherType, Consumer<String> problems) {
        this.reorderSettings = reorderSettings;
        this.etherType = etherType;
        this.egress = new Egress(this, new PathError(problems));
        this.ingress = new Ingress(this, new PathError(problems));
        this.egressThread = new Thread(egress, "alagg-egress");
        this.ingressThread = new Thread(ingress, "alagg-ingress");
    }

    void start() {
        egressThread.start();
        ingressThread.start();
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
        LockSupport.unpark(egressThread);
        LockSupport.unpark(ingressThread);
    }

    /** Stops both threads; the ingress thread hands over what its strategy still holds before it ends. */
    void stop() throws InterruptedException {
        running = false;
        wakeUp();
        egressThread.join(TimeUnit.SECONDS.toMillis(5));
        ingressThread.join(TimeUnit.SECONDS.toMillis(5));
    }

    OpenLink link(int id) {
        OpenLink[] table = links;
        return id >= 0 && id < table.length ? table[id] : null;
    }

    /** Waits a turn when a part is missing; a swap unparks the thread. */
    static void idle() {
        LockSupport.parkNanos(TURN_NANOS);
    }
}
