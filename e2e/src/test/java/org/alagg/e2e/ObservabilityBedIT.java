package org.alagg.e2e;

import static org.alagg.e2e.Beds.report;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.alagg.e2e.Bed.Side;
import org.alagg.testing.RequiresRoot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 18 on the bed, one bed for the class (NFQUEUE, two links, {@code metrics.listen} on both sides' loopback):
 * the real Prometheus server scrapes side A every second and its HTTP API shows both links UP, a counter that grew and
 * link 1 DOWN once it is cut; {@code promtool check metrics} accepts the exposition. Each test starts with both links
 * UP and leaves them so.
 */
@RequiresRoot(tools = {"prometheus", "promtool", "curl", "ping", "tmux", "chromium", "chromedriver"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ObservabilityBedIT {
    /** Where both instances serve their metrics, each on its own namespace's loopback. */
    private static final String METRICS = "127.0.0.1:9464";
    /** Where Prometheus answers queries, in A's namespace. */
    private static final String PROMETHEUS = "127.0.0.1:9090";

    private Bed bed;
    private Side a;

    @BeforeAll
    void start() throws Exception {
        bed = Beds.create(Bed.Capture.NFQUEUE, 2, 2, "metrics.listen = " + METRICS).start();
        a = bed.a();
    }

    @AfterAll
    void stop() {
        if (bed != null) {
            bed.close(); // Prometheus too: the bed's network kills what it started
        }
    }

    @BeforeEach
    void bothLinksUp() throws Exception {
        Beds.awaitLinkState(a.instance(), "l1a", "UP");
        Beds.awaitLinkState(a.instance(), "l2a", "UP");
    }

    @Test
    @Order(1)
    void prometheusScrapesLinkStatesAndGrowingCountersAndSeesALinkGoDown() throws Exception {
        Path directory = bed.directory().resolve("prometheus");
        Files.createDirectories(directory.resolve("data"));
        Path config = directory.resolve("prometheus.yml");
        Files.writeString(config, String.join("\n",
                "global:",
                "  scrape_interval: 1s",
                "  evaluation_interval: 1s",
                "scrape_configs:",
                "  - job_name: alagg",
                "    static_configs:",
                "      - targets: ['" + METRICS + "']",
                ""));
        a.start("prometheus", "--config.file=" + config, "--storage.tsdb.path=" + directory.resolve("data"),
                "--web.listen-address=" + PROMETHEUS);
        long started = System.nanoTime();
        Beds.await("Prometheus scrapes A's endpoint (up == 1)", () -> {
            try {
                return query("up{job=\"alagg\"} == 1");
            } catch (java.io.IOException e) {
                return List.of(Map.<String, Object>of("not answering yet", e.getMessage()));
            }
        }, r -> r.size() == 1 && r.get(0).containsKey("metric"));
        report("observability", "Prometheus scraped A's endpoint %.1f s after it started",
                (System.nanoTime() - started) / 1e9);

        List<Map<String, Object>> up = Beds.await("Prometheus has both links UP",
                () -> query("alagg_link_state{alagg_link_state=\"UP\"} == 1"), r -> r.size() == 2);
        assertEquals(new TreeSet<>(List.of("l1a", "l2a")), new TreeSet<>(up.stream().map(r -> label(r, "link")).toList()));

        double before = value(query("alagg_link_frames_sent_total{link=\"l1a\"}").get(0));
        Traffic.Ping ping = Traffic.ping(a, a.peer().ipv4(), 100, Beds.PING_INTERVAL);
        assertEquals(0.0, ping.lossPercent(), ping::toString);
        double after = Beds.await("Prometheus sees l1a's frames_sent grow by the 100 pings",
                () -> value(query("alagg_link_frames_sent_total{link=\"l1a\"}").get(0)), v -> v >= before + 100);
        report("observability", "alagg_link_frames_sent_total{link=l1a} in Prometheus: %.0f -> %.0f over 100 pings",
                before, after);

        try {
            bed.cut(1, true);
            long cut = System.nanoTime();
            Beds.await("Prometheus has l1a DOWN",
                    () -> query("alagg_link_state{link=\"l1a\",alagg_link_state=\"DOWN\"} == 1"), r -> r.size() == 1);
            report("observability", "Prometheus had l1a DOWN %.1f s after the cut", (System.nanoTime() - cut) / 1e9);
            assertEquals(1, query("alagg_link_state{link=\"l2a\",alagg_link_state=\"UP\"} == 1").size());
        } finally {
            bed.cut(1, false);
        }
    }

    @Test
    @Order(2)
    void promtoolAcceptsTheExposition() throws Exception {
        String exposition = a.exec("curl", "-sSf", "http://" + METRICS + "/metrics");
        Path file = bed.directory().resolve("metrics.txt");
        Files.writeString(file, exposition);
        // promtool prints each problem and exits 1 on any: exec fails with its output then
        String lint = a.exec("sh", "-c", "promtool check metrics < " + file + " 2>&1");
        report("observability", "promtool check metrics: %d lines, %d families accepted%s", exposition.lines().count(),
                exposition.lines().filter(l -> l.startsWith("# TYPE ")).count(), lint.isBlank() ? "" : ": " + lint.strip());
        for (String family : List.of("alagg_link_state", "alagg_link_frames_sent_total", "alagg_link_rtt_seconds",
                "alagg_link_recent_loss_to_peer_ratio", "alagg_passed_total", "alagg_peer_state", "alagg_thread_up",
                "alagg_build_info", "alagg_link_refused_frames_total")) {
            assertTrue(exposition.contains("\n" + family + "{") || exposition.contains("\n" + family + " "),
                    () -> family + " missing from\n" + exposition);
        }
        String openMetrics = a.exec("curl", "-sSf", "-H", "Accept: application/openmetrics-text; version=1.0.0",
                "http://" + METRICS + "/metrics");
        assertTrue(openMetrics.endsWith("# EOF\n"), openMetrics);
    }

    @Test
    @Order(3)
    void showAndTopInTmuxShowBothLinksAndTheCut() throws Exception {
        Instance instance = a.instance();
        String show = alagg("show", "--instance", instance.name());
        report("observability", "alagg show:%n%s", show.strip());
        assertTrue(show.startsWith("instance: " + instance.name() + "\n"), show);
        assertTrue(show.contains("  link: l1a -> " + bed.b().mac("l1b") + "\n    state: UP for "), show);
        String dump = alagg("show", "--instance", instance.name(), "dump");
        String l2 = "link\tdefault\tl2a\t" + bed.b().mac("l2b") + "\tUP\t";
        assertTrue(dump.lines().anyMatch(l -> l.startsWith(l2)), dump);

        // tmux's own server, on a socket of this bed's: another bed's tmux (another run) never meets it
        String socket = "alagg-" + instance.name();
        String command = "env ALAGG_RUN_DIR=" + instance.runDirectory() + " " + Beds.ROOT.resolve("alagg") + " top --instance "
                + instance.name();
        try {
            tmux(socket, "new-session", "-d", "-s", "top", "-x", "200", "-y", "40", command);
            // both links UP, with rates (a number under RX/s: the second screen has them)
            String screen = Beds.await("alagg top shows l1a and l2a UP with their rates", () -> tmux(socket, "capture-pane", "-p",
                    "-t", "top"), s -> s.lines().filter(l -> l.matches("default\\s+l[12]a\\s+UP\\s+\\S+\\s+\\d+\\s+.*")).count() == 2);
            report("observability", "alagg top in tmux, both links up:%n%s", screen.strip());
            try {
                java.time.LocalTime cut = java.time.LocalTime.now().withNano(0);
                bed.cut(1, true);
                // the event of this cut: l1a went DOWN in test 1 already
                java.util.regex.Pattern event = java.util.regex.Pattern.compile("\\s+(\\d\\d:\\d\\d:\\d\\d)\\s+link l1a: DOWN: .*");
                screen = Beds.await("alagg top shows l1a DOWN and the event", () -> tmux(socket, "capture-pane", "-p", "-t", "top"),
                        s -> s.lines().anyMatch(l -> l.matches("default\\s+l1a\\s+DOWN\\s+.*"))
                                && s.lines().anyMatch(l -> l.matches("default\\s+l2a\\s+UP\\s+.*"))
                                && s.lines().map(event::matcher).anyMatch(m -> m.matches()
                                        && !java.time.LocalTime.parse(m.group(1)).isBefore(cut)));
                report("observability", "alagg top in tmux, link 1 cut:%n%s", screen.strip());
            } finally {
                bed.cut(1, false);
            }
        } finally {
            try {
                tmux(socket, "kill-server");
            } catch (java.io.IOException e) {
                // the server is gone already
            }
        }
    }

    @Test
    @Order(4)
    void theLivePageInHeadlessChromiumShowsBothLinksUpThenLinkOneDownWithoutAReload() throws Exception {
        Path shots = Beds.ROOT.resolve("e2e/target/observability");
        String rows = "return [...document.querySelectorAll('#links tbody tr')]"
                + ".map(r => r.dataset.link + ' ' + r.querySelector('.state').textContent).join(',')";
        // a second of traffic each way, so that the rates and the chart show something
        Traffic.RunningPing ping = Traffic.pingInBackground(a, a.peer().ipv4(), 0.02);
        try (HeadlessBrowser browser = HeadlessBrowser.start(a, bed.directory().resolve("chromium"))) {
            browser.open("http://" + METRICS + "/");
            Beds.await("the page shows l1a and l2a UP", () -> browser.run(rows), "l1a UP,l2a UP"::equals);
            // a few seconds of history in each chart, and a rate in the table
            Beds.await("each chart has seconds of history and the table a rate", () -> browser.run(
                    "return [...document.querySelectorAll('#charts polyline')].map(p => p.points.length).join(',') + ' '"
                            + " + document.querySelector('#links tbody tr td:nth-child(5)').textContent"),
                    v -> ((String) v).matches("(([5-9]|\\d\\d+),){5}([5-9]|\\d\\d+) [0-9.]+ [kM]?bit/s"));
            browser.screenshot(shots.resolve("live-page-up.png"));
            try {
                long cut = System.currentTimeMillis();
                bed.cut(1, true);
                Beds.await("the same page, not reloaded, shows l1a DOWN and l2a UP", () -> browser.run(rows),
                        "l1a DOWN,l2a UP"::equals);
                report("observability", "the live page showed l1a DOWN %.1f s after the cut",
                        (System.currentTimeMillis() - cut) / 1e3);
                // the newest event comes first: l1a's DOWN of this cut (test 1's is further down)
                Beds.await("the page lists the event first", () -> browser.run(
                        "return document.querySelector('#events li').textContent"), e -> ((String) e).contains("link l1a: DOWN: "));
                Thread.sleep(3000); // a few DOWN seconds in the chart
                browser.screenshot(shots.resolve("live-page-cut.png"));
            } finally {
                bed.cut(1, false);
            }
            report("observability", "screenshots of the live page: %s, %s", shots.resolve("live-page-up.png"),
                    shots.resolve("live-page-cut.png"));
        } finally {
            ping.stop();
        }
    }

    @Test
    @Order(5)
    void beyondTheLoopbackOnlyWithTheToken() throws Exception {
        Side b = bed.b();
        Path config = b.instance().config();
        List<String> original = Files.readAllLines(config);
        // B's own application address: A reaches it through the aggregate
        String listen = b.ipv4() + ":9465";
        String token = "e2e-token-0123456789abcdef";
        try {
            List<String> open = new java.util.ArrayList<>(original);
            open.replaceAll(l -> l.startsWith("metrics.listen") ? "metrics.listen = " + listen : l);
            Files.write(config, open);
            int line = open.indexOf("metrics.listen = " + listen) + 1;
            Map<String, Object> status = Beds.await("B refuses a non-loopback address without a token",
                    () -> b.instance().status(), st -> st.get("config_error") != null);
            assertTrue(((String) status.get("config_error")).contains(config + ":" + line + ": metrics.listen " + listen
                    + " is not a loopback address"), status::toString);
            // the last good configuration stays: the endpoint on the loopback still answers
            assertTrue(b.exec("curl", "-sSf", "http://" + METRICS + "/metrics").contains("alagg_link_state"));

            open.add("metrics.token = " + token);
            Files.write(config, open);
            Beds.await("B listens on " + listen + " and asks for the token", () -> httpStatus("http://" + listen + "/metrics"),
                    "401"::equals);
            assertTrue(a.exec("curl", "-sSf", "-H", "Authorization: Bearer " + token, "http://" + listen + "/metrics")
                    .contains("alagg_link_state"));
            assertEquals("401", httpStatus("http://" + listen + "/metrics", "-H", "Authorization: Bearer wrong-token-0123456789"));
            // a browser gives it as the password it asks for
            assertTrue(a.exec("curl", "-sSf", "-u", "anyone:" + token, "http://" + listen + "/").contains("<title>Alagg</title>"));
            report("observability", "B on %s: 401 without the token, 200 with it (bearer, or basic's password)", listen);
        } finally {
            Files.write(config, original);
        }
    }

    /** The HTTP status of a GET from A, or what went wrong when nothing answered. */
    private String httpStatus(String url, String... options) {
        List<String> command = new java.util.ArrayList<>(List.of("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}"));
        command.addAll(List.of(options));
        command.add(url);
        try {
            return a.exec(command.toArray(String[]::new));
        } catch (java.io.IOException e) {
            return "no answer: " + e.getMessage();
        }
    }

    /** Runs the bed's {@code alagg} script as the instances' user, with their run directory. */
    private String alagg(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(Beds.ROOT.resolve("alagg").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("ALAGG_RUN_DIR", a.instance().runDirectory().toString());
        Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), () -> String.join(" ", command) + ":\n" + out);
        return out;
    }

    private static String tmux(String socket, String... args) throws java.io.IOException {
        List<String> command = new java.util.ArrayList<>(List.of("tmux", "-L", socket));
        command.addAll(List.of(args));
        return org.alagg.testing.TestNetwork.run(command.toArray(String[]::new));
    }

    /** The result of an instant query against Prometheus' HTTP API: one map per series. */
    private List<Map<String, Object>> query(String expression) throws Exception {
        String answer = a.exec("curl", "-sS", "--get", "--data-urlencode", "query=" + expression,
                "http://" + PROMETHEUS + "/api/v1/query");
        Map<String, Object> json = Json.object(Json.parse(answer), "query answer");
        if (!"success".equals(json.get("status"))) {
            throw new AssertionError("query " + expression + " failed: " + answer);
        }
        return Json.array(Json.object(json.get("data"), "data").get("result"), "result").stream()
                .map(r -> Json.object(r, "series")).toList();
    }

    private static String label(Map<String, Object> series, String name) {
        return (String) Json.object(series.get("metric"), "metric").get(name);
    }

    private static double value(Map<String, Object> series) {
        return Double.parseDouble((String) Json.array(series.get("value"), "value").get(1));
    }
}
