package org.alagg.reorder.strict;

import org.alagg.api.Alagg;
import org.alagg.api.ReorderBuffer;
import org.alagg.api.ReorderOutput;
import org.alagg.api.ReorderSettings;
import org.alagg.api.ReorderStrategy;
import org.alagg.api.ReorderStrategyFactory;
import org.osgi.service.component.annotations.Component;

/**
 * Strategy {@code strict}: packets are delivered in exact sequence order. A gap is waited for until it
 * fills, or until the packets behind it no longer fit the buffer ({@code reorder.window} packets): then it
 * is declared lost and skipped, or until every link has passed it ({@link ReorderStrategy#lostBefore}: the packet
 * cannot come any more). No timer: on a quiet link a gap waits for the next packets to push it out.
 */
@Component(property = Alagg.STRATEGY + "=strict")
public final class StrictOrder implements ReorderStrategyFactory {
    @Override
    public ReorderStrategy create(ReorderSettings settings, int nextSequence) {
        ReorderBuffer buffer = new ReorderBuffer(settings.window(), nextSequence);
        return new ReorderStrategy() {
            @Override
            public void accept(int sequence, int packet, long nowNanos, ReorderOutput out) {
                buffer.accept(sequence, packet, nowNanos, out);
            }

            @Override
            public long deadline() {
                return Long.MAX_VALUE;
            }

            @Override
            public void expire(long nowNanos, ReorderOutput out) {
            }

            @Override
            public void lostBefore(int sequence, long nowNanos, ReorderOutput out) {
                buffer.skipBefore(sequence, out);
            }

            @Override
            public void drain(ReorderOutput out) {
                buffer.drain(out);
            }
        };
    }
}
