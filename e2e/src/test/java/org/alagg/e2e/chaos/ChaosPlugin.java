package org.alagg.e2e.chaos;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Hashtable;

import org.alagg.api.Alagg;
import org.alagg.api.LinkScheduler;
import org.alagg.api.ReorderBuffer;
import org.alagg.api.ReorderOutput;
import org.alagg.api.ReorderSettings;
import org.alagg.api.ReorderStrategy;
import org.alagg.api.ReorderStrategyFactory;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/**
 * A third-party plugin that misbehaves: a reordering strategy and a link scheduler, both named {@value #NAME}, that
 * work like {@code windowed} and {@code redundant} but throw a {@link RuntimeException} at random, about once in
 * {@value #ONE_IN} calls, before or after doing their work. A bundle that imports only {@code org.alagg.api} and the
 * framework, written as a jar by {@link #writeBundle(Path)} and dropped into a distribution's {@code plugins/}.
 */
public final class ChaosPlugin implements BundleActivator {
    /** The strategy's and the scheduler's name. */
    public static final String NAME = "chaos";
    public static final String SYMBOLIC_NAME = "org.alagg.e2e.chaos";
    /** About one call in this many throws. */
    static final int ONE_IN = 5000;
    /** The exception's message; says what it is and nothing an operator would mistake for a descriptor problem. */
    public static final String MESSAGE = "thrown on purpose by the e2e chaos plugin";

    @Override
    public void start(BundleContext context) {
        Dictionary<String, Object> strategy = new Hashtable<>();
        strategy.put(Alagg.STRATEGY, NAME);
        context.registerService(ReorderStrategyFactory.class, new Strategies(), strategy);
        Dictionary<String, Object> scheduler = new Hashtable<>();
        scheduler.put(Alagg.SCHEDULER, NAME);
        context.registerService(LinkScheduler.class, new Scheduler(), scheduler);
    }

    @Override
    public void stop(BundleContext context) {
        // the framework unregisters the services
    }

    /** A random source that does not allocate: xorshift64. Each user has its own (one thread each). */
    static final class Dice {
        private long state;

        Dice(long seed) {
            state = seed == 0 ? 0x9E3779B97F4A7C15L : seed;
        }

        /** True about once in {@link #ONE_IN} calls. */
        boolean throwNow() {
            state ^= state << 13;
            state ^= state >>> 7;
            state ^= state << 17;
            return Long.remainderUnsigned(state, ONE_IN) == 0;
        }

        /** Half the time: whether to throw after the work rather than before it. */
        boolean after() {
            return (state & 0x100) != 0;
        }
    }

    /** Like {@code windowed}: in sequence, a gap waited for at most the timeout or the window. */
    static final class Strategies implements ReorderStrategyFactory {
        @Override
        public ReorderStrategy create(ReorderSettings settings, int nextSequence) {
            return new Windowed(new ReorderBuffer(settings.window(), nextSequence), settings.timeoutNanos(),
                    new Dice(System.nanoTime()));
        }
    }

    /** The strategy of {@link Strategies}, throwing now and then. */
    static final class Windowed implements ReorderStrategy {
        private final ReorderBuffer buffer;
        private final long timeout;
        private final Dice dice;

        Windowed(ReorderBuffer buffer, long timeout, Dice dice) {
            this.buffer = buffer;
            this.timeout = timeout;
            this.dice = dice;
        }

        @Override
        public void accept(int sequence, int packet, long nowNanos, ReorderOutput out) {
            boolean fail = dice.throwNow();
            if (fail && !dice.after()) {
                throw new RuntimeException(MESSAGE + " (accept, before)");
            }
            buffer.accept(sequence, packet, nowNanos, out);
            if (fail) {
                throw new RuntimeException(MESSAGE + " (accept, after)");
            }
        }

        @Override
        public long deadline() {
            long since = buffer.waitingSince();
            return since == Long.MAX_VALUE ? Long.MAX_VALUE : since + timeout;
        }

        @Override
        public void expire(long nowNanos, ReorderOutput out) {
            if (dice.throwNow()) {
                throw new RuntimeException(MESSAGE + " (expire)");
            }
            while (buffer.held() > 0 && nowNanos - buffer.waitingSince() >= timeout) {
                buffer.skipGap(out);
            }
        }

        @Override
        public void drain(ReorderOutput out) {
            if (dice.throwNow()) {
                throw new RuntimeException(MESSAGE + " (drain)");
            }
            buffer.drain(out);
        }
    }

    /** Like {@code redundant}: every link that is up. */
    static final class Scheduler implements LinkScheduler {
        private final Dice dice = new Dice(System.nanoTime() * 31);

        @Override
        public int choose(int sequence, int length, int[] up, int upCount, int[] chosen) {
            boolean fail = dice.throwNow();
            if (fail && !dice.after()) {
                throw new RuntimeException(MESSAGE + " (choose, before)");
            }
            System.arraycopy(up, 0, chosen, 0, upCount);
            if (fail) {
                throw new RuntimeException(MESSAGE + " (choose, after)");
            }
            return upCount;
        }
    }

    /** Writes this plugin as a bundle jar. */
    public static void writeBundle(Path jar) throws IOException {
        PluginJar.write(jar, ChaosPlugin.class, SYMBOLIC_NAME, "Alagg e2e chaos plugin");
    }
}
