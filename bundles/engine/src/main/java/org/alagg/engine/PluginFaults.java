package org.alagg.engine;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Plugins that threw on a hot thread. Each is reported once (logged and shown by {@code alagg:status}, naming the
 * plugin, its bundle and the exception) and then left alone: the engine does without it until its service is
 * registered again or the configuration selects it again ({@link #forget}).
 *
 * <p>The hot threads ask {@link #failed} once per batch: an identity scan of a small array, no lock.
 */
final class PluginFaults {
    private final Consumer<String> log;
    private volatile Function<Object, String> describe = plugin -> plugin.getClass().getName();
    private final Map<Object, String> reports = new IdentityHashMap<>();
    private volatile Object[] failed = new Object[0];

    /** @param log told each new fault */
    PluginFaults(Consumer<String> log) {
        this.log = log;
    }

    /** How a plugin is named in reports, e.g. "reordering strategy 'x' (bundle 12 org.example.x)". */
    void describeWith(Function<Object, String> describe) {
        this.describe = describe;
    }

    /** Whether the plugin failed and was not forgiven since. Any thread; no allocation. */
    boolean failed(Object plugin) {
        for (Object o : failed) {
            if (o == plugin) {
                return true;
            }
        }
        return false;
    }

    /**
     * Records that {@code plugin} threw while the engine was doing {@code during}, and what the engine does
     * instead. Only failure paths call this, so it may allocate.
     */
    void report(Object plugin, String during, Throwable t, String fallback) {
        String message = describe.apply(plugin) + " failed in " + during + ": " + t + "; " + fallback;
        synchronized (this) {
            if (reports.containsKey(plugin)) {
                return;
            }
            reports.put(plugin, message);
            failed = reports.keySet().toArray();
        }
        log.accept(message);
    }

    /** Gives a plugin another chance: its service came again, or the configuration selected it again. */
    synchronized void forget(Object plugin) {
        if (plugin != null && reports.remove(plugin) != null) {
            failed = reports.keySet().toArray();
        }
    }

    /** The reports, for status warnings. */
    synchronized List<String> reports() {
        return new ArrayList<>(reports.values());
    }
}
