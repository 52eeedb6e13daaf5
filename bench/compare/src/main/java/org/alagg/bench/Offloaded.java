package org.alagg.bench;

import java.util.Optional;

/**
 * A setup's TCP runs on veth links with the kernel's default offloads (what real hosts have), or why there are none.
 *
 * @param failure why there are no runs; null when there are
 */
record Offloaded(String setup, Optional<TcpResult> tcp, String failure) {
    static Offloaded measured(String setup, TcpResult tcp) {
        return new Offloaded(setup, Optional.of(tcp), null);
    }

    static Offloaded failed(String setup, String reason) {
        return new Offloaded(setup, Optional.empty(), reason);
    }
}
