package org.alagg.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

import org.alagg.api.HotThread;
import org.alagg.api.InstanceStatus;
import org.alagg.api.LinkState;
import org.alagg.api.LinkStatus;
import org.alagg.api.PeerStatus;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.PrometheusNaming;
import io.prometheus.metrics.model.snapshots.StateSetSnapshot;
import io.prometheus.metrics.model.snapshots.StateSetSnapshot.StateSetDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;

/**
 * What an instance reports ({@link InstanceStatus}), as Prometheus metric families: read at each scrape, nothing kept
 * between two. The names follow Prometheus' conventions ({@code alagg_} prefix, base units, {@code _total} for
 * counters); docs/observability.md lists them all.
 *
 * <p>The engine's counter maps are open-ended (a capture mode adds its own, a new release adds more), so what is not
 * named here explicitly is still exported: an instance or peer counter as a counter of its own name, a link figure as a
 * gauge of its own name. Nothing the engine reports is left out.
 */
final class Exposition {
    /** How a link figure of {@link LinkStatus#counters()} is exported. */
    enum Kind { COUNTER, GAUGE }

    /**
     * One link figure: the engine's name, the metric's name (without {@code _total}), its kind, how many of the
     * engine's units make one of the metric's, its unit and its help text.
     */
    record LinkFigure(String source, String name, Kind kind, double per, Unit unit, String help) {
    }

    /** What a metric's base unit is worth in the engine's: divided by, so that 50 000 ppm is exactly 0.05. */
    private static final double MICROS = 1e6;
    private static final double PPM = 1e6;
    private static final double MILLIS = 1e3;

    /** The link figures exported under names of their own; refusals, {@code last_received_ms} and the rest apart. */
    static final List<LinkFigure> LINK_FIGURES = List.of(
            new LinkFigure("frames_sent", "alagg_link_frames_sent", Kind.COUNTER, 1, null,
                    "Frames the kernel accepted on this link: data, probes and probe replies"),
            new LinkFigure("bytes_sent", "alagg_link_sent_bytes", Kind.COUNTER, 1, Unit.BYTES,
                    "Bytes of the frames the kernel accepted on this link"),
            new LinkFigure("probes_sent", "alagg_link_probes_sent", Kind.COUNTER, 1, null,
                    "Probes and probe replies among the frames sent"),
            new LinkFigure("health_probes_sent", "alagg_link_health_probes_sent", Kind.COUNTER, 1, null,
                    "Health probes this side sent on the link (replies not counted)"),
            new LinkFigure("frames_received", "alagg_link_frames_received", Kind.COUNTER, 1, null,
                    "Frames received from the peer on this link"),
            new LinkFigure("bytes_received", "alagg_link_received_bytes", Kind.COUNTER, 1, Unit.BYTES,
                    "Bytes of the frames received from the peer on this link"),
            new LinkFigure("data_received", "alagg_link_data_frames_received", Kind.COUNTER, 1, null,
                    "DATA frames received on this link"),
            new LinkFigure("duplicates", "alagg_link_duplicates", Kind.COUNTER, 1, null,
                    "Frames of this link discarded as second copies (another link was first)"),
            new LinkFigure("lost", "alagg_link_lost_frames", Kind.COUNTER, 1, null,
                    "Frames from the peer lost on this link (gaps in the link sequence)"),
            new LinkFigure("frames_sequenced", "alagg_link_frames_sequenced", Kind.COUNTER, 1, null,
                    "Frames of the peer's link sequence seen on this link (received plus lost)"),
            new LinkFigure("probes_answered", "alagg_link_probes_answered", Kind.COUNTER, 1, null,
                    "This side's probes the peer answered on this link"),
            new LinkFigure("peer_received", "alagg_link_peer_received_frames", Kind.COUNTER, 1, null,
                    "Frames of this side the peer reports having received on this link"),
            new LinkFigure("peer_lost", "alagg_link_peer_lost_frames", Kind.COUNTER, 1, null,
                    "Frames of this side the peer reports lost on this link"),
            new LinkFigure("state_changes", "alagg_link_state_changes", Kind.COUNTER, 1, null,
                    "How often the link changed state"),
            new LinkFigure("state_since_ms", "alagg_link_state_since_timestamp_seconds", Kind.GAUGE, MILLIS, Unit.SECONDS,
                    "When the link entered its state, Unix time"),
            new LinkFigure("rtt_us", "alagg_link_rtt_seconds", Kind.GAUGE, MICROS, Unit.SECONDS,
                    "Round-trip time of the probes, smoothed as RFC 6298 does"),
            new LinkFigure("rtt_var_us", "alagg_link_rtt_variation_seconds", Kind.GAUGE, MICROS, Unit.SECONDS,
                    "Variation of the probes' round-trip time (RFC 6298 RTTVAR)"),
            new LinkFigure("rtt_p50_us", "alagg_link_rtt_p50_seconds", Kind.GAUGE, MICROS, Unit.SECONDS,
                    "Median round-trip time of the last 64 probes"),
            new LinkFigure("rtt_p99_us", "alagg_link_rtt_p99_seconds", Kind.GAUGE, MICROS, Unit.SECONDS,
                    "99th percentile of the round-trip time of the last 64 probes"),
            new LinkFigure("rtt_floor_us", "alagg_link_rtt_floor_seconds", Kind.GAUGE, MICROS, Unit.SECONDS,
                    "Lowest smoothed round-trip time of the last 30 s (the DEGRADED threshold starts there)"),
            new LinkFigure("loss_to_peer_ppm", "alagg_link_loss_to_peer_ratio", Kind.GAUGE, PPM, Unit.RATIO,
                    "Share of this side's frames lost towards the peer on this link, since it opened"),
            new LinkFigure("loss_from_peer_ppm", "alagg_link_loss_from_peer_ratio", Kind.GAUGE, PPM, Unit.RATIO,
                    "Share of the peer's frames lost towards this side on this link, since it opened"),
            new LinkFigure("recent_loss_to_peer_ppm", "alagg_link_recent_loss_to_peer_ratio", Kind.GAUGE, PPM, Unit.RATIO,
                    "Share of this side's frames lost towards the peer over the last 2 s"),
            new LinkFigure("recent_loss_from_peer_ppm", "alagg_link_recent_loss_from_peer_ratio", Kind.GAUGE, PPM,
                    Unit.RATIO, "Share of the peer's frames lost towards this side over the last 2 s"),
            new LinkFigure("latent_error", "alagg_link_latent_error", Kind.GAUGE, 1, null,
                    "1 while IEEE 802.1CB's latent error alarm is raised: the link's probes pass but it delivers no data"),
            new LinkFigure("mtu_mismatch", "alagg_link_mtu_mismatch", Kind.GAUGE, 1, null,
                    "1 while frames of the link's full MTU do not reach the peer"),
            new LinkFigure("mtu_probe_bytes", "alagg_link_mtu_probe_bytes", Kind.GAUGE, 1, Unit.BYTES,
                    "Size of the frames that check the link's MTU"),
            new LinkFigure("mtu_probes_missed", "alagg_link_mtu_probes_missed", Kind.GAUGE, 1, null,
                    "MTU probes missed in a row"));

    /** The link counters of frames the kernel refused, by reason: {@code refused_<reason>}. */
    static final String REFUSED = "refused_";
    /** How long ago the last frame came from the peer on the link, in ms; -1: never. */
    static final String LAST_RECEIVED_MS = "last_received_ms";
    /** Frames refused as malformed, by reason: {@code malformed_<reason>} among the instance and peer counters. */
    static final String MALFORMED = "malformed_";
    /** The packets a reordering strategy holds now: a gauge among the counters. */
    static final String HELD = "held";
    /** A gauge among the counters: the timeout the peer's strategy works with, in microseconds. */
    static final String REORDER_TIMEOUT_US = "reorder_timeout_us";
    private static final String[] STATES = states();
    private static final String PLUGIN = "alagg_plugin_";
    private static final String PLUGIN_FAILING = PLUGIN + "report_failing";

    private Exposition() {
    }

    /**
     * Every metric family of an instance now.
     *
     * @param version the Alagg version that runs (the bundle's)
     */
    static MetricSnapshots of(InstanceStatus status, String version) {
        return of(status, version, Map.of());
    }

    /**
     * Every metric family of an instance now, the plugins' own counters included.
     *
     * @param version the Alagg version that runs (the bundle's)
     * @param plugins the plugins' counters by kind, then plugin name, then counter ({@code PluginReports.counters()}:
     *        a report that failed has {@code error} and a text instead)
     */
    static MetricSnapshots of(InstanceStatus status, String version, Map<String, Map<String, Map<String, Object>>> plugins) {
        MetricSnapshots.Builder out = MetricSnapshots.builder();
        out.metricSnapshot(InfoSnapshot.builder().name("alagg_build").help("The Alagg version this instance runs")
                .dataPoint(InfoSnapshot.InfoDataPointSnapshot.builder()
                        .labels(Labels.of("alagg_instance", status.instance(), "version", version)).build())
                .build());
        out.metricSnapshot(gauge("alagg_warnings", "Conditions an operator should know about (alagg:status lists them)",
                null, List.of(point(Labels.EMPTY, status.warnings().size()))));
        threads(out, status.threads());
        counters(out, "alagg_", Labels.EMPTY, status.counters(), "instance");
        peers(out, status.peers());
        links(out, status.links());
        plugins(out, plugins);
        return out.build();
    }

    /**
     * The plugins' counters ({@code PluginReport}): {@code alagg_plugin_<counter>_total{kind,plugin}}, a family per
     * counter name; a report that failed is {@code alagg_plugin_report_failing{kind,plugin} 1}.
     */
    private static void plugins(MetricSnapshots.Builder out, Map<String, Map<String, Map<String, Object>>> plugins) {
        // by metric name, then labels: two counters of one plugin whose names differ only in what Prometheus does not
        // allow (foo-bar, foo_bar) would be one series twice, which fails the whole scrape; the first one is kept
        Map<String, Map<Labels, CounterDataPointSnapshot>> counters = new TreeMap<>();
        List<GaugeDataPointSnapshot> failing = new ArrayList<>();
        plugins.forEach((kind, byName) -> byName.forEach((plugin, values) -> {
            Labels labels = Labels.of("kind", kind, "plugin", plugin);
            failing.add(point(labels, values.get("error") instanceof String ? 1 : 0));
            values.forEach((name, value) -> {
                if (value instanceof Long number) {
                    counters.computeIfAbsent(PrometheusNaming.sanitizeMetricName(PLUGIN + name), n -> new LinkedHashMap<>())
                            .putIfAbsent(labels, CounterDataPointSnapshot.builder().labels(labels).value(number).build());
                }
            });
        }));
        counters.forEach((name, points) -> out.metricSnapshot(counter(name, "The plugin's own " + name.substring(
                PLUGIN.length()) + " counter (alagg:stats lists it under the plugin)", null, new ArrayList<>(points.values()))));
        if (!failing.isEmpty() && !counters.containsKey(PLUGIN_FAILING)) {
            out.metricSnapshot(gauge(PLUGIN_FAILING, "1 while the plugin's report throws (alagg:stats shows why)", null,
                    failing));
        }
    }

    private static void threads(MetricSnapshots.Builder out, List<HotThread> threads) {
        List<GaugeDataPointSnapshot> up = new ArrayList<>();
        List<GaugeDataPointSnapshot> lastTurn = new ArrayList<>();
        List<CounterDataPointSnapshot> restarts = new ArrayList<>();
        for (HotThread t : threads) {
            Labels labels = Labels.of("thread", t.name());
            up.add(point(labels, t.alive() ? 1 : 0));
            lastTurn.add(point(labels, t.lastTurnMillis() / MILLIS));
            restarts.add(CounterDataPointSnapshot.builder().labels(labels).value(t.restarts()).build());
        }
        out.metricSnapshot(gauge("alagg_thread_up", "1 while the hot thread runs", null, up));
        out.metricSnapshot(gauge("alagg_thread_last_turn_seconds",
                "How long ago the hot thread last finished a turn (a live one turns at least every 0.1 s)", Unit.SECONDS,
                lastTurn));
        out.metricSnapshot(counter("alagg_thread_restarts", "How often the supervisor restarted the hot thread", null,
                restarts));
    }

    private static void peers(MetricSnapshots.Builder out, List<PeerStatus> peers) {
        List<StateSetDataPointSnapshot> state = new ArrayList<>();
        List<GaugeDataPointSnapshot> links = new ArrayList<>();
        for (PeerStatus p : peers) {
            state.add(stateSet(Labels.of("peer", p.name()), p.state()));
            links.add(point(Labels.of("peer", p.name()), p.links().size()));
        }
        out.metricSnapshot(stateSets("alagg_peer_state",
                "The peer's state: UP when every link carries data, DEGRADED when some do, DOWN when none does", state));
        out.metricSnapshot(gauge("alagg_peer_links", "Links configured towards the peer", null, links));
        Map<Labels, Map<String, Long>> perPeer = new LinkedHashMap<>();
        for (PeerStatus p : peers) {
            perPeer.put(Labels.of("peer", p.name()), p.counters());
        }
        counterFamilies(out, "alagg_peer_", perPeer, "peer");
    }

    /** The counters of one labelled source (the instance): one family each. */
    private static void counters(MetricSnapshots.Builder out, String prefix, Labels labels, Map<String, Long> counters,
                                 String whose) {
        counterFamilies(out, prefix, Map.of(labels, counters), whose);
    }

    /**
     * Counters of several sources (peers) by the same names: a family per name with a point per source; the
     * {@code malformed_<reason>} counters as one family labelled by reason; {@code held} as a gauge.
     */
    private static void counterFamilies(MetricSnapshots.Builder out, String prefix, Map<Labels, Map<String, Long>> sources,
                                        String whose) {
        Map<String, List<CounterDataPointSnapshot>> counters = new TreeMap<>();
        List<CounterDataPointSnapshot> malformed = new ArrayList<>();
        List<GaugeDataPointSnapshot> held = new ArrayList<>();
        List<GaugeDataPointSnapshot> timeout = new ArrayList<>();
        sources.forEach((labels, values) -> values.forEach((name, value) -> {
            if (name.equals(HELD)) {
                held.add(point(labels, value));
            } else if (name.equals(REORDER_TIMEOUT_US)) {
                timeout.add(point(labels, value / MICROS));
            } else if (name.startsWith(MALFORMED)) {
                malformed.add(CounterDataPointSnapshot.builder()
                        .labels(labels.add("reason", name.substring(MALFORMED.length()))).value(value).build());
            } else {
                counters.computeIfAbsent(PrometheusNaming.sanitizeMetricName(prefix + name), n -> new ArrayList<>())
                        .add(CounterDataPointSnapshot.builder().labels(labels).value(value).build());
            }
        }));
        counters.forEach((name, points) -> out.metricSnapshot(counter(name,
                "The " + whose + "'s " + name.substring(prefix.length()) + " counter (docs/observability.md)", null, points)));
        if (!malformed.isEmpty()) {
            out.metricSnapshot(counter(prefix + "malformed_frames", "Frames refused as malformed, by reason", null, malformed));
        }
        if (!held.isEmpty()) {
            out.metricSnapshot(gauge(prefix + "held_packets", "Packets the reordering strategy holds now", null, held));
        }
        if (!timeout.isEmpty()) {
            out.metricSnapshot(gauge(prefix + "reorder_timeout_seconds", "The reordering timeout in effect (configured, or"
                    + " sized from the links' delay spread; the instance's: the longest of its peers')", Unit.SECONDS, timeout));
        }
    }

    private static void links(MetricSnapshots.Builder out, List<LinkStatus> links) {
        List<StateSetDataPointSnapshot> state = new ArrayList<>();
        List<GaugeDataPointSnapshot> heard = new ArrayList<>();
        List<CounterDataPointSnapshot> refused = new ArrayList<>();
        Map<String, List<GaugeDataPointSnapshot>> others = new TreeMap<>();
        Map<String, LinkFigure> named = new LinkedHashMap<>();
        LINK_FIGURES.forEach(f -> named.put(f.source(), f));
        Map<LinkFigure, List<Labels>> labelsOf = new LinkedHashMap<>();
        Map<LinkFigure, List<Long>> valuesOf = new LinkedHashMap<>();
        for (LinkStatus l : links) {
            Labels labels = Labels.of("peer", l.peerName(), "link", l.link());
            state.add(stateSet(labels, l.state()));
            l.counters().forEach((name, value) -> {
                LinkFigure figure = named.get(name);
                if (figure != null) {
                    labelsOf.computeIfAbsent(figure, f -> new ArrayList<>()).add(labels);
                    valuesOf.computeIfAbsent(figure, f -> new ArrayList<>()).add(value);
                } else if (name.startsWith(REFUSED)) {
                    refused.add(CounterDataPointSnapshot.builder()
                            .labels(labels.add("reason", name.substring(REFUSED.length()))).value(value).build());
                } else if (name.equals(LAST_RECEIVED_MS)) {
                    if (value >= 0) {
                        heard.add(point(labels, value / MILLIS));
                    }
                } else {
                    others.computeIfAbsent(PrometheusNaming.sanitizeMetricName("alagg_link_" + name), n -> new ArrayList<>())
                            .add(point(labels, value));
                }
            });
        }
        out.metricSnapshot(stateSets("alagg_link_state", "The link's state: UP, DEGRADED (loss or queueing) or DOWN",
                state));
        out.metricSnapshot(gauge("alagg_link_last_heard_seconds",
                "How long ago the last frame of any kind came from the peer on the link", Unit.SECONDS, heard));
        out.metricSnapshot(counter("alagg_link_refused_frames",
                "Frames the kernel refused on the link, by reason (queue_full, too_big, down, other)", null, refused));
        for (LinkFigure f : LINK_FIGURES) {
            List<Labels> labels = labelsOf.getOrDefault(f, List.of());
            List<Long> values = valuesOf.getOrDefault(f, List.of());
            if (f.kind() == Kind.COUNTER) {
                out.metricSnapshot(counter(f.name(), f.help(), f.unit(), points(labels, values,
                        (i) -> CounterDataPointSnapshot.builder().labels(labels.get(i)).value(values.get(i) / f.per()).build())));
            } else {
                out.metricSnapshot(gauge(f.name(), f.help(), f.unit(), points(labels, values,
                        (i) -> point(labels.get(i), values.get(i) / f.per()))));
            }
        }
        others.forEach((name, points) -> out.metricSnapshot(gauge(name,
                "The link's " + name.substring("alagg_link_".length()) + " figure (alagg:links --json)", null, points)));
    }

    private static <T> List<T> points(List<Labels> labels, List<Long> values, Function<Integer, T> point) {
        List<T> points = new ArrayList<>(values.size());
        for (int i = 0; i < labels.size(); i++) {
            points.add(point.apply(i));
        }
        return points;
    }

    private static StateSetDataPointSnapshot stateSet(Labels labels, LinkState state) {
        StateSetDataPointSnapshot.Builder b = StateSetDataPointSnapshot.builder().labels(labels);
        for (String s : STATES) {
            b.state(s, s.equals(state.name()));
        }
        return b.build();
    }

    private static MetricSnapshot stateSets(String name, String help, List<StateSetDataPointSnapshot> points) {
        StateSetSnapshot.Builder b = StateSetSnapshot.builder().name(name).help(help);
        points.forEach(b::dataPoint);
        return b.build();
    }

    private static GaugeDataPointSnapshot point(Labels labels, double value) {
        return GaugeDataPointSnapshot.builder().labels(labels).value(value).build();
    }

    private static MetricSnapshot gauge(String name, String help, Unit unit, List<GaugeDataPointSnapshot> points) {
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
        if (unit != null) {
            b.unit(unit);
        }
        points.forEach(b::dataPoint);
        return b.build();
    }

    private static MetricSnapshot counter(String name, String help, Unit unit, List<CounterDataPointSnapshot> points) {
        CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help);
        if (unit != null) {
            b.unit(unit);
        }
        points.forEach(b::dataPoint);
        return b.build();
    }

    private static String[] states() {
        LinkState[] values = LinkState.values();
        String[] names = new String[values.length];
        for (int i = 0; i < values.length; i++) {
            names[i] = values[i].name();
        }
        return names;
    }
}
