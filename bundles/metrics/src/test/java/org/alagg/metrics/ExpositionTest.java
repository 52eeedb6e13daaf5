package org.alagg.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.alagg.api.Event;
import org.alagg.api.HotThread;
import org.alagg.api.InstanceStatus;
import org.alagg.api.IpNetwork;
import org.alagg.api.LinkState;
import org.alagg.api.LinkStatus;
import org.alagg.api.MacAddress;
import org.alagg.api.PeerStatus;
import org.alagg.api.Selection;
import org.junit.jupiter.api.Test;

import io.prometheus.metrics.config.ExporterProperties;
import io.prometheus.metrics.expositionformats.ExpositionFormats;

class ExpositionTest {
    @Test
    void linksPeersCountersAndThreadsAreExposedInBaseUnits() throws Exception {
        String text = prometheusText(status());
        assertLine(text, "alagg_link_state{link=\"eth1\",peer=\"default\",alagg_link_state=\"UP\"} 1");
        assertLine(text, "alagg_link_state{link=\"eth2\",peer=\"default\",alagg_link_state=\"DOWN\"} 1");
        assertLine(text, "alagg_link_state{link=\"eth2\",peer=\"default\",alagg_link_state=\"UP\"} 0");
        assertLine(text, "alagg_link_frames_sent_total{link=\"eth1\",peer=\"default\"} 1000.0");
        assertLine(text, "alagg_link_sent_bytes_total{link=\"eth1\",peer=\"default\"} 150000.0");
        assertLine(text, "alagg_link_rtt_seconds{link=\"eth1\",peer=\"default\"} 2.5E-4");
        assertLine(text, "alagg_link_recent_loss_to_peer_ratio{link=\"eth1\",peer=\"default\"} 0.05");
        assertLine(text, "alagg_link_last_heard_seconds{link=\"eth1\",peer=\"default\"} 0.012");
        assertLine(text, "alagg_link_refused_frames_total{link=\"eth1\",peer=\"default\",reason=\"queue_full\"} 3.0");
        // a figure this class does not name is exported all the same, under its own name
        assertLine(text, "alagg_link_new_figure{link=\"eth1\",peer=\"default\"} 7.0");
        // eth2 never heard anything: no last-heard point rather than -1 s
        assertFalse(text.contains("alagg_link_last_heard_seconds{link=\"eth2\""), text);
        assertLine(text, "alagg_passed_total 900.0");
        assertLine(text, "alagg_nfqueue_captured_total 1200.0");
        assertLine(text, "alagg_malformed_frames_total{reason=\"short\"} 2.0");
        assertLine(text, "alagg_held_packets 4.0");
        assertLine(text, "alagg_peer_passed_total{peer=\"default\"} 900.0");
        assertLine(text, "alagg_peer_state{peer=\"default\",alagg_peer_state=\"DEGRADED\"} 1");
        assertLine(text, "alagg_thread_up{thread=\"alagg-ingress\"} 1.0");
        assertLine(text, "alagg_thread_last_turn_seconds{thread=\"alagg-ingress\"} 0.05");
        assertLine(text, "alagg_thread_restarts_total{thread=\"alagg-ingress\"} 1.0");
        assertLine(text, "alagg_build_info{alagg_instance=\"east\",version=\"1.2.3\"} 1");
        assertLine(text, "alagg_warnings 1.0");
    }

    @Test
    void thePluginsOwnCountersAreExposedByKindAndName() throws Exception {
        Map<String, Map<String, Map<String, Object>>> plugins = Map.of(
                "strategy", Map.of("chaos", Map.of("held_back", 12L, "faults", 3L)),
                "scheduler", Map.of("weighted", Map.of("error", "its report failed: java.lang.IllegalStateException")));
        ExpositionFormats formats = ExpositionFormats.init(ExporterProperties.builder().build());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        formats.findWriter("text/plain").write(out, Exposition.of(status(), "1.2.3", plugins));
        String text = out.toString(StandardCharsets.UTF_8);
        assertLine(text, "alagg_plugin_held_back_total{kind=\"strategy\",plugin=\"chaos\"} 12.0");
        assertLine(text, "alagg_plugin_faults_total{kind=\"strategy\",plugin=\"chaos\"} 3.0");
        assertLine(text, "alagg_plugin_report_failing{kind=\"scheduler\",plugin=\"weighted\"} 1.0");
        assertLine(text, "alagg_plugin_report_failing{kind=\"strategy\",plugin=\"chaos\"} 0.0");
    }

    @Test
    void everyLinkFigureTheEngineReportsHasANameOfItsOwn() {
        // the figures alagg:links --json shows (docs/observability.md lists each metric)
        List<String> engine = List.of("frames_sent", "bytes_sent", "probes_sent", "health_probes_sent", "frames_received",
                "bytes_received", "duplicates", "lost", "frames_sequenced", "probes_answered", "peer_received", "peer_lost",
                "data_received", "state_since_ms", "state_changes", "rtt_us", "rtt_var_us", "rtt_p50_us", "rtt_p99_us",
                "rtt_floor_us", "loss_from_peer_ppm", "loss_to_peer_ppm", "recent_loss_from_peer_ppm",
                "recent_loss_to_peer_ppm", "latent_error", "mtu_mismatch", "mtu_probe_bytes", "mtu_probes_missed");
        List<String> named = Exposition.LINK_FIGURES.stream().map(f -> f.source()).toList();
        for (String figure : engine) {
            assertTrue(named.contains(figure), figure);
        }
    }

    @Test
    void openMetricsIsWrittenWhenAsked() throws Exception {
        ExpositionFormats formats = ExpositionFormats.init(ExporterProperties.builder().build());
        var writer = formats.findWriter("application/openmetrics-text; version=1.0.0; charset=utf-8");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writer.write(out, Exposition.of(status(), "1.2.3"));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(writer.getContentType().startsWith("application/openmetrics-text"), writer.getContentType());
        assertTrue(text.endsWith("# EOF\n"), text);
        assertLine(text, "# TYPE alagg_link_state stateset");
    }

    private static void assertLine(String text, String line) {
        assertTrue(text.lines().anyMatch(line::equals), () -> "no line\n  " + line + "\nin\n" + text);
    }

    private static String prometheusText(InstanceStatus status) throws Exception {
        ExpositionFormats formats = ExpositionFormats.init(ExporterProperties.builder().build());
        var writer = formats.findWriter("text/plain");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writer.write(out, Exposition.of(status, "1.2.3"));
        assertEquals("text/plain; version=0.0.4; charset=utf-8", writer.getContentType());
        return out.toString(StandardCharsets.UTF_8);
    }

    static InstanceStatus status() {
        Map<String, Long> eth1 = new LinkedHashMap<>();
        eth1.put("frames_sent", 1000L);
        eth1.put("bytes_sent", 150_000L);
        eth1.put("rtt_us", 250L);
        eth1.put("recent_loss_to_peer_ppm", 50_000L);
        eth1.put("last_received_ms", 12L);
        eth1.put("refused_queue_full", 3L);
        eth1.put("new_figure", 7L);
        Map<String, Long> eth2 = Map.of("frames_sent", 10L, "last_received_ms", -1L);
        Map<String, Long> counters = new LinkedHashMap<>();
        counters.put("passed", 900L);
        counters.put("held", 4L);
        counters.put("malformed_short", 2L);
        counters.put("nfqueue_captured", 1200L);
        MacAddress mac = MacAddress.parse("02:00:00:00:01:02");
        List<LinkStatus> links = List.of(new LinkStatus("eth1", mac, LinkState.UP, "", "file", eth1),
                new LinkStatus("eth2", mac, LinkState.DOWN, "silent", "file", eth2));
        List<PeerStatus> peers = List.of(new PeerStatus("default", LinkState.DEGRADED, "", List.of("eth1", "eth2"),
                List.<IpNetwork>of(), "file", Map.of("passed", 900L, "held", 4L)));
        return new InstanceStatus() {
            @Override public String instance() { return "east"; }
            @Override public Selection interceptor() { return null; }
            @Override public Selection strategy() { return null; }
            @Override public List<PeerStatus> peers() { return peers; }
            @Override public List<LinkStatus> links() { return links; }
            @Override public Map<String, Long> counters() { return counters; }
            @Override public List<HotThread> threads() { return List.of(new HotThread("alagg-ingress", true, 50, 1)); }
            @Override public List<String> warnings() { return List.of("no key"); }
            @Override public List<Event> events() { return List.of(); }
        };
    }
}
