package org.alagg.testkit;

import java.util.ArrayList;
import java.util.List;

import org.alagg.api.ReorderBuffer;
import org.alagg.api.ReorderOutput;
import org.alagg.api.ReorderSettings;
import org.alagg.api.ReorderStrategy;
import org.alagg.api.ReorderStrategyFactory;

/** Strategies with one deliberate fault each, and a sound one to compare: what the checks must catch and pass. */
final class BrokenStrategies {
    private BrokenStrategies() {
    }

    /** Sound: in sequence order, a gap waits until the window overflows (as {@code strict}). */
    static final ReorderStrategyFactory IN_ORDER = (settings, next) -> new Base() {
        final ReorderBuffer buffer = new ReorderBuffer(settings.window(), next);

        @Override
        public void accept(int sequence, int packet, long nowNanos, ReorderOutput out) {
            buffer.accept(sequence, packet, nowNanos, out);
        }

        @Override
        public void drain(ReorderOutput out) {
            buffer.drain(out);
        }
    };

    /** Delivers every packet at once, and then once more. */
    static final ReorderStrategyFactory DELIVERS_TWICE = (settings, next) -> new Base() {
        @Override
        public void accept(int sequence, int packet, long nowNanos, ReorderOutput out) {
            out.deliver(sequence, packet);
            out.deliver(sequence, packet);
        }
    };

    /** Delivers in arrival order: reorders what the network reordered. */
    static final ReorderStrategyFactory ARRIVAL_ORDER = (settings, next) -> new Base() {
        @Override
        public void accept(int sequence, int packet, long nowNanos, ReorderOutput out) {
            out.deliver(sequence, packet);
        }
    };

    /** In order, but keeps a boxed record of every sequence number: allocates per packet. */
    static final ReorderStrategyFactory ALLOCATES = (settings, next) -> new Base() {
        final ReorderBuffer buffer = new ReorderBuffer(settings.window(), next);
        final List<Long> seen = new ArrayList<>();

        @Override
        public void accept(int sequence, int packet, long nowNanos, ReorderOutput out) {
            seen.add(nowNanos + sequence);
            buffer.accept(sequence, packet, nowNanos, out);
        }

        @Override
        public void drain(ReorderOutput out) {
            buffer.drain(out);
        }
    };

    /** Keeps every tenth packet and never gives it back. */
    static final ReorderStrategyFactory KEEPS_SOME = (settings, next) -> new Base() {
        @Override
        public void accept(int sequence, int packet, long nowNanos, ReorderOutput out) {
            if (sequence % 10 != 0) {
                out.deliver(sequence, packet);
            }
        }
    };

    /** In order, but its timer never fires: a gap waits past the timeout until the window overflows. */
    static final ReorderStrategyFactory IGNORES_TIMEOUT = IN_ORDER;

    /**
     * In order; its timer fires but only moves itself on (1 µs later each time) and releases nothing: a gap waits
     * until the window overflows, as if there were no timeout.
     */
    static final ReorderStrategyFactory PUTS_OFF_ITS_TIMEOUT = (settings, next) -> new Base() {
        final ReorderBuffer buffer = new ReorderBuffer(settings.window(), next);
        long deadline = Long.MAX_VALUE;

        @Override
        public void accept(int sequence, int packet, long nowNanos, ReorderOutput out) {
            buffer.accept(sequence, packet, nowNanos, out);
            deadline = buffer.waitingSince() == Long.MAX_VALUE ? Long.MAX_VALUE : nowNanos + settings.timeoutNanos();
        }

        @Override
        public long deadline() {
            return deadline;
        }

        @Override
        public void expire(long nowNanos, ReorderOutput out) {
            deadline = nowNanos + 1_000;
        }

        @Override
        public void drain(ReorderOutput out) {
            buffer.drain(out);
            deadline = Long.MAX_VALUE;
        }
    };

    /** Asks for expire and never moves its deadline on. */
    static final ReorderStrategyFactory SPINS = (settings, next) -> new Base() {
        @Override
        public void accept(int sequence, int packet, long nowNanos, ReorderOutput out) {
            out.deliver(sequence, packet);
        }

        @Override
        public long deadline() {
            return 0;
        }
    };

    /** Delivers at once, no timer, nothing held. */
    private abstract static class Base implements ReorderStrategy {
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

    static ReorderSettings window(int window, long timeoutNanos) {
        return new ReorderSettings(window, timeoutNanos);
    }
}
