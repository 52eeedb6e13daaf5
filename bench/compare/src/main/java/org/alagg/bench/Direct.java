package org.alagg.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.alagg.e2e.Bed;

/** The limit: the application addresses on link 1 itself, the kernel alone carries the packets. */
final class Direct implements Setup {
    private Bed bed;

    @Override
    public String name() {
        return "direct veth";
    }

    @Override
    public Bed open(Path root, boolean vethOffloads) throws IOException, InterruptedException {
        bed = KernelOnlyBed.create(root, vethOffloads);
        for (Bed.Side side : List.of(bed.a(), bed.b())) {
            bed.network().address(side.namespace(), side.link(1), side.ipv4() + "/24");
        }
        Forwarding.await(bed);
        return bed;
    }

    @Override
    public List<Forwarder> forwarders() {
        return List.of();
    }

    @Override
    public Optional<Duration> startup() {
        return Optional.empty();
    }

    @Override
    public void close() {
        if (bed != null) {
            bed.close();
        }
    }
}
