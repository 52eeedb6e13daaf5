package org.alagg.bench;

import java.util.List;

/**
 * The setups' outcomes of one run.
 *
 * @param nfqueueAuth Alagg NFQUEUE as {@code nfqueue}, with a key on both sides
 */
record Results(Outcome direct, Outcome wireGuardGo, Outcome nfqueue, Outcome nfqueueAuth, Outcome tun) {
    /** In the order of the table and the chart. */
    List<Outcome> all() {
        return List.of(direct, wireGuardGo, nfqueue, nfqueueAuth, tun);
    }

    /** The Alagg setups, in the order of {@link #all}. */
    List<Outcome> alagg() {
        return List.of(nfqueue, nfqueueAuth, tun);
    }
}
