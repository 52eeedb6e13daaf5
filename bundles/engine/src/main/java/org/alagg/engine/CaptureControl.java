package org.alagg.engine;

import java.util.concurrent.TimeUnit;

import org.alagg.api.PacketInterceptor;
import org.osgi.service.log.Logger;

/**
 * The interceptor's life, on the engine's control thread: opening one may run subprocesses and netlink round
 * trips (rules, addresses, routes) that must never hold up a hot thread. The egress thread only captures from the
 * interceptor this class has opened and put in {@link DataPath#interceptor}; to close one, the class takes it out
 * and waits until the egress thread has finished its turn ({@link DataPath#quiesce}).
 *
 * <p>A failed open is retried once a second; a change of the links' packet limit is passed on.
 */
final class CaptureControl {
    private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final DataPath path;
    private final Logger log;
    /** The last failure to open, close or resize the interceptor, for status. */
    final PathError error;
    private volatile PacketInterceptor wanted;
    /** Whether an interceptor is open: for status, any thread. */
    private volatile boolean isOpen;
    // control thread only
    private PacketInterceptor opened;
    private int openedLimit;
    private long nextAttempt;

    CaptureControl(DataPath path, Logger log) {
        this.path = path;
        this.log = log;
        this.error = new PathError(problem -> log.warn("Capture: {}", problem));
    }

    /** The interceptor the configuration selects, or null. Any thread; {@link #follow} acts on it. */
    void want(PacketInterceptor interceptor) {
        wanted = interceptor;
    }

    /** Whether an interceptor is open. Any thread. */
    boolean isOpen() {
        return isOpen;
    }

    /** Closes the interceptor no longer wanted, opens the wanted one, passes on the packet limit. Control thread. */
    void follow() {
        PacketInterceptor w = wanted;
        if (opened != null && opened != w) {
            path.interceptor = null;
            if (!path.quiesce()) {
                log.error("The egress thread did not finish its turn within {} ms; closing the interceptor anyway",
                        TimeUnit.NANOSECONDS.toMillis(DataPath.QUIESCE_NANOS));
            }
            try {
                opened.close();
            } catch (RuntimeException | LinkageError e) {
                error.report("closing the interceptor", e);
            }
            opened = null;
            isOpen = false;
            nextAttempt = 0;
        }
        if (w != null && opened == null && System.nanoTime() >= nextAttempt) {
            int limit = path.maxPacketLength;
            try {
                w.open(limit);
                opened = w;
                isOpen = true;
                openedLimit = limit;
                path.interceptor = w;
                error.clear();
            } catch (Exception | LinkageError e) {
                error.report("opening the interceptor", e);
                nextAttempt = System.nanoTime() + RETRY_NANOS;
            }
        }
        int limit = path.maxPacketLength;
        if (opened != null && limit != openedLimit) {
            try {
                opened.limitPacketLength(limit);
                openedLimit = limit;
                log.info("Capture: packets up to {} bytes", limit);
            } catch (Exception | LinkageError e) {
                error.report("passing the packet limit " + limit + " to the interceptor", e);
            }
        }
    }
}
