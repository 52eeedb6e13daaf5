package org.alagg.reorder.windowed;

import org.alagg.api.Alagg;
import org.alagg.api.ReorderBuffer;
import org.alagg.api.ReorderOutput;
import org.alagg.api.ReorderSettings;
import org.alagg.api.ReorderStrategy;
import org.alagg.api.ReorderStrategyFactory;
import org.osgi.service.component.annotations.Component;

/**
 * Strategy {@code windowed}: packets are delivered in sequence order, but a gap is waited for at most
 * {@code reorder.timeout.ms} after the first packet behind it arrived, or until {@code reorder.window}
 * packets wait behind it, whichever comes first; then it is declared lost and skipped. One lost packet
 * thus costs at most the timeout, never a stall of the whole stream, and usually much less: a gap every link has
 * passed is given up at once ({@link ReorderStrategy#lostBefore}). It follows a timeout the engine sizes anew
 * ({@link ReorderStrategy#adjust}).
 */
@Component(property = Alagg.STRATEGY + "=windowed")
public final class WindowedOrder implements ReorderStrategyFactory {
    @Override
    public ReorderStrategy create(ReorderSettings settings, int nextSequence) {
        ReorderBuffer buffer = new ReorderBuffer(settings.window(), nextSequence);
        return new ReorderStrategy() {
            private long timeout = settings.timeoutNanos();

            @Override
            public void accept(int sequence, int packet, long nowNanos, ReorderOutput out) {
                buffer.accept(sequence, packet, nowNanos, out);
            }

            @Override
            public long deadline() {
                long since = buffer.waitingSince();
                return since == Long.MAX_VALUE ? Long.MAX_VALUE : since + timeout;
            }

            @Override
            public void expire(long nowNanos, ReorderOutput out) {
                while (buffer.held() > 0 && nowNanos - buffer.waitingSince() >= timeout) {
                    buffer.skipGap(out);
                }
            }

            @Override
            public void lostBefore(int sequence, long nowNanos, ReorderOutput out) {
                buffer.skipBefore(sequence, out);
            }

            @Override
            public boolean adjust(ReorderSettings adjusted) {
                timeout = adjusted.timeoutNanos();
                return true;
            }

            @Override
            public void drain(ReorderOutput out) {
                buffer.drain(out);
            }
        };
    }
}
