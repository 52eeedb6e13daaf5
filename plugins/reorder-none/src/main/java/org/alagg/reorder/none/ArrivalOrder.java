package org.alagg.reorder.none;

import org.alagg.api.Alagg;
import org.alagg.api.ReorderOutput;
import org.alagg.api.ReorderSettings;
import org.alagg.api.ReorderStrategy;
import org.alagg.api.ReorderStrategyFactory;
import org.osgi.service.component.annotations.Component;

/**
 * Strategy {@code none}: packets are delivered as they arrive; the engine has already discarded the
 * duplicates. Nothing waits, so nothing is late and nothing is declared lost here.
 *
 * <p>Also the example of a minimal third-party plugin: one class, one service, the API as its only import
 * (see docs/plugins.md).
 */
@Component(property = Alagg.STRATEGY + "=none")
public final class ArrivalOrder implements ReorderStrategyFactory, ReorderStrategy {
    @Override
    public ReorderStrategy create(ReorderSettings settings, int nextSequence) {
        return this; // stateless: one instance serves every peer
    }

    @Override
    public void accept(int sequence, int packet, long nowNanos, ReorderOutput out) {
        out.deliver(sequence, packet);
    }

    @Override
    public long deadline() {
        return Long.MAX_VALUE;
    }

    @Override
    public void expire(long nowNanos, ReorderOutput out) {
    }

    @Override
    public void drain(ReorderOutput out) {
    }
}
