package org.alagg.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.alagg.e2e.Bed;

/**
 * Alagg in one capture mode on both hosts: both links, every packet sent on each ({@code redundant}),
 * {@code windowed} reordering.
 */
final class AlaggSetup implements Setup {
    private static final List<String> CONFIG = List.of("scheduler = redundant", "reorder = windowed");

    private final Bed.Capture capture;
    private Bed bed;
    private Duration startup;

    AlaggSetup(Bed.Capture capture) {
        this.capture = capture;
    }

    @Override
    public String name() {
        return "Alagg " + capture.name();
    }

    @Override
    public Bed open(Path root) throws IOException, InterruptedException {
        bed = Bed.create(root, capture, 2, 2, CONFIG);
        // not Bed.start(): its pings wait up to 1 s for an answer, the start-up figure could be a second late
        long started = System.nanoTime();
        bed.a().instance().start();
        bed.b().instance().start();
        try {
            Forwarding.await(bed);
        } catch (IOException e) {
            throw new IOException(e.getMessage() + "\n" + bed.a().instance().log() + "\n" + bed.b().instance().log(), e);
        }
        startup = Duration.ofNanos(System.nanoTime() - started);
        return bed;
    }

    @Override
    public List<Forwarder> forwarders() {
        return List.of(new Forwarder("alagg A", bed.a().instance().pid()),
                new Forwarder("alagg B", bed.b().instance().pid()));
    }

    @Override
    public Optional<Duration> startup() {
        return Optional.ofNullable(startup);
    }

    @Override
    public void close() {
        if (bed != null) {
            bed.close();
        }
    }
}
