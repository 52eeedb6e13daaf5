package org.alagg.api;

import java.util.List;
import java.util.Map;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A plugin's own figures and what its operator should know, shown by {@code alagg:stats} and {@code alagg:status}
 * (and their {@code --json}) under the plugin's kind and name.
 *
 * <p>A plugin reports by registering this service with its naming property ({@link Alagg#STRATEGY},
 * {@link Alagg#SCHEDULER}, {@link Alagg#INTERCEPTOR} or {@link Alagg#TRANSPORT}): a Declarative Services component
 * that implements both its contract and this interface is registered under both with the same properties, which is
 * all it takes.
 *
 * <p>Threading: these methods are called on a command's thread, never on a hot thread, and may allocate. The figures
 * they read are written by a hot thread: keep each in a field only that thread writes, {@code volatile} or written
 * with {@link java.lang.invoke.VarHandle#setOpaque} (a plain {@code long} may be read torn), and never lock on the
 * hot path to read them together. A method that throws is shown as the report's failure; it does not count as the
 * plugin failing.
 *
 * @since 2.4
 */
@ConsumerType
public interface PluginReport {
    /**
     * The plugin's counters now, by name: lower-case words joined by {@code _} (such as {@code out_of_order}), counting
     * up from 0 while the plugin runs. The map may be the plugin's own new one each call; it is not kept.
     */
    Map<String, Long> counters();

    /** Lines for {@code alagg:status}, each a short sentence; none by default. */
    default List<String> status() {
        return List.of();
    }
}
