package org.alagg.bench;

import java.util.List;

/** The four setups' outcomes of one run. */
record Results(Outcome direct, Outcome wireGuardGo, Outcome nfqueue, Outcome tun) {
    /** In the order of the table and the chart. */
    List<Outcome> all() {
        return List.of(direct, wireGuardGo, nfqueue, tun);
    }
}
