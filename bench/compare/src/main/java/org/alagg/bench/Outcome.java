package org.alagg.bench;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.alagg.e2e.Traffic;

/** What one setup's turn gave: its figures, or why there are none. */
sealed interface Outcome {
    String setup();

    /** Every figure of a setup that ran to the end. */
    record Measured(String setup, Optional<Duration> startup, Traffic.Ping ping, TcpResult tcp, UdpResult smallUdp,
            UdpResult largeUdp, List<MemoryUse> memory) implements Outcome {
        /** The largest peak resident memory of its forwarders, MB; NaN without forwarders. */
        double peakMegabytes() {
            return memory.stream().mapToDouble(m -> MemoryUse.megabytes(m.peakKilobytes())).max().orElse(Double.NaN);
        }
    }

    /** A setup that could not be built or measured. */
    record Failed(String setup, String reason) implements Outcome {
    }

    /** The figures, when there are any. */
    default Optional<Measured> measured() {
        return this instanceof Measured m ? Optional.of(m) : Optional.empty();
    }
}
