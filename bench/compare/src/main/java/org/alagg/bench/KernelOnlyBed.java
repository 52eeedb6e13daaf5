package org.alagg.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.alagg.e2e.Bed;

/**
 * The Alagg bed's namespaces and links for the setups without Alagg, so that every setup runs on the very same
 * topology. Its instances are never started; the setup puts the application addresses (the bed's TUN-mode plan,
 * {@code 10.77.0.1} and {@code .2}, which nothing else claims here) where it needs them.
 */
final class KernelOnlyBed {
    private KernelOnlyBed() {
    }

    static Bed create(Path root, boolean vethOffloads) throws IOException {
        return Bed.create(root, Bed.Capture.TUN, 2, 0, List.of(), false, vethOffloads);
    }
}
