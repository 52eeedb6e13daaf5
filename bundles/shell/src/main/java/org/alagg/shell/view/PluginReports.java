package org.alagg.shell.view;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.alagg.api.Alagg;
import org.alagg.api.PluginReport;

/**
 * The plugins' own reports ({@link PluginReport} services) as {@code alagg:stats} and {@code alagg:status} show them:
 * by kind ({@code strategy}, {@code scheduler}, {@code interceptor}, {@code transport}) and name, from the service's
 * naming property. A report that throws is shown as its failure, never as the command's. Shared with the metrics
 * endpoint, which exports the counters.
 */
public final class PluginReports {
    /** The naming properties, and the kind each names, in the order kinds are shown. */
    private static final Map<String, String> KINDS = kinds();

    private final List<Map.Entry<Map<String, Object>, PluginReport>> reports;

    /** @param reports the services with their properties, as Declarative Services gives them */
    public PluginReports(Collection<Map.Entry<Map<String, Object>, PluginReport>> reports) {
        List<Map.Entry<Map<String, Object>, PluginReport>> sorted = new ArrayList<>(reports);
        sorted.sort(Comparator.comparing((Map.Entry<Map<String, Object>, PluginReport> e) -> kindOrder(e.getKey()))
                .thenComparing(e -> name(e.getKey())));
        this.reports = sorted;
    }

    public boolean isEmpty() {
        return reports.isEmpty();
    }

    /** Kind, then name, then the counters by name ({@code error} and the exception when the report failed). */
    public Map<String, Map<String, Map<String, Object>>> counters() {
        Map<String, Map<String, Map<String, Object>>> byKind = new LinkedHashMap<>();
        for (Map.Entry<Map<String, Object>, PluginReport> e : reports) {
            Map<String, Object> counters = new LinkedHashMap<>();
            try {
                new TreeMap<>(e.getValue().counters()).forEach(counters::put);
            } catch (RuntimeException | LinkageError failure) {
                counters.put("error", failed(failure));
            }
            byKind.computeIfAbsent(kind(e.getKey()), k -> new LinkedHashMap<>()).put(name(e.getKey()), counters);
        }
        return byKind;
    }

    /** Kind, then name, then the status lines (the failure, when the report failed). */
    public Map<String, Map<String, List<String>>> status() {
        Map<String, Map<String, List<String>>> byKind = new LinkedHashMap<>();
        for (Map.Entry<Map<String, Object>, PluginReport> e : reports) {
            List<String> lines;
            try {
                lines = List.copyOf(e.getValue().status());
            } catch (RuntimeException | LinkageError failure) {
                lines = List.of(failed(failure));
            }
            byKind.computeIfAbsent(kind(e.getKey()), k -> new LinkedHashMap<>()).put(name(e.getKey()), lines);
        }
        return byKind;
    }

    /** The counters as table rows: plugin ({@code kind name}), counter, value. */
    public void counterRows(Table table) {
        counters().forEach((kind, plugins) -> plugins.forEach((name, counters) ->
                counters.forEach((counter, value) -> table.row(kind + " " + name, counter, value))));
    }

    /** The status lines as rows of the status table: {@code plugin}, {@code kind name: line}. */
    public void statusRows(Table table) {
        status().forEach((kind, plugins) -> plugins.forEach((name, lines) ->
                lines.forEach(line -> table.row("plugin", kind + " " + name + ": " + line))));
    }

    private static String failed(Throwable failure) {
        return "its report failed: " + failure;
    }

    private static String kind(Map<String, Object> properties) {
        for (Map.Entry<String, String> k : KINDS.entrySet()) {
            if (properties.get(k.getKey()) != null) {
                return k.getValue();
            }
        }
        return "plugin";
    }

    /** The kinds in the order of {@link #KINDS}; a service without a naming property last. */
    private static int kindOrder(Map<String, Object> properties) {
        int order = 0;
        for (String property : KINDS.keySet()) {
            if (properties.get(property) != null) {
                return order;
            }
            order++;
        }
        return order;
    }

    /** The naming property's value, or the component's name when the service has no naming property. */
    private static String name(Map<String, Object> properties) {
        for (String property : KINDS.keySet()) {
            Object name = properties.get(property);
            if (name != null) {
                return String.valueOf(name);
            }
        }
        return String.valueOf(properties.getOrDefault("component.name", properties.get("service.id")));
    }

    private static Map<String, String> kinds() {
        Map<String, String> kinds = new LinkedHashMap<>();
        kinds.put(Alagg.STRATEGY, "strategy");
        kinds.put(Alagg.SCHEDULER, "scheduler");
        kinds.put(Alagg.INTERCEPTOR, "interceptor");
        kinds.put(Alagg.TRANSPORT, "transport");
        return kinds;
    }
}
