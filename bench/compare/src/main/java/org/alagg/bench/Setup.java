package org.alagg.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.alagg.e2e.Bed;

/**
 * One way of carrying traffic between hosts A and B, on the bed's topology: two namespaces joined by two veth links
 * (offloads off, or on). Used once: {@link #open} builds it, {@link #close} removes every trace of it.
 */
interface Setup extends AutoCloseable {
    /** The name the table and the chart give it. */
    String name();

    /**
     * Builds the namespaces and links and starts what carries the traffic; returns once A and B answer each other's
     * ping on their application addresses ({@code bed.a().ipv4()}, {@code bed.b().ipv4()}).
     */
    Bed open(Path root, boolean vethOffloads) throws IOException, InterruptedException;

    /** The user-space processes that carry the traffic, on both sides; empty when the kernel does it all. */
    List<Forwarder> forwarders();

    /** From starting the forwarders to the first ping answered both ways; empty when not measured. */
    Optional<Duration> startup();

    /** Stops what {@link #open} started and deletes the namespaces; never throws. */
    @Override
    void close();
}
