package org.alagg.bench;

import java.util.List;

/**
 * The setups' outcomes of one run.
 *
 * @param nfqueueAuth Alagg NFQUEUE as {@code nfqueue}, with a key on both sides
 * @param offloaded the TCP runs of every setup again with veth offloads on, in the order of {@link #all}
 */
record Results(Outcome direct, Outcome wireGuardGo, Outcome nfqueue, Outcome nfqueueAuth, Outcome tun,
        List<Offloaded> offloaded) {
    /** The TCP runs with veth offloads on of the setup named so. */
    Offloaded offloaded(Outcome setup) {
        return offloaded.stream().filter(o -> o.setup().equals(setup.setup())).findFirst()
                .orElse(Offloaded.failed(setup.setup(), "not measured"));
    }

    /** In the order of the table and the chart. */
    List<Outcome> all() {
        return List.of(direct, wireGuardGo, nfqueue, nfqueueAuth, tun);
    }

    /** The Alagg setups, in the order of {@link #all}. */
    List<Outcome> alagg() {
        return List.of(nfqueue, nfqueueAuth, tun);
    }
}
