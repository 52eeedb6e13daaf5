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
 * link 1 DOWN once it is cut; {@code promtool check metrics} accepts the exposition; {@code alagg show} and
 * {@code alagg top} in tmux; the live page in headless Chromium, not reloaded while link 1 is cut; the token beyond the
 * loopback; tshark with the Wireshark dissector on a capture of link 1. Each test starts with both links UP and leaves
 * them so. docs/observability.md says what each shows.
 */
@RequiresRoot(tools = {"prometheus", "promtool", "curl", "ping", "tmux", "chromium", "chromedriver", "tshark"})
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

    @Test
    @Order(6)
    void tsharkWithTheDissectorDecodesEveryFieldTheInnerIcmpAndTheMalformed() throws Exception {
        Side b = bed.b();
        String sourceMac = a.mac("l1a");
        String destinationMac = b.mac("l1b");
        Path capture = bed.directory().resolve("l1b.pcapng");
        // B's end of link 1 sees both directions; the capture stops by itself
        Process tshark = b.start("tshark", "-i", "l1b", "-f", "ether proto 0x88b5", "-a", "duration:" + CAPTURE_SECONDS,
                "-w", capture.toString());
        Beds.await("tshark captures on l1b", () -> Files.exists(capture) ? Files.size(capture) : 0L, size -> size > 0);
        Thread.sleep(500); // dumpcap writes the file's header before its filter is on
        Traffic.Ping ping = Traffic.ping(a, b.ipv4(), PINGS, 0.05);
        assertEquals(0.0, ping.lossPercent(), ping::toString);

        // frames a host on link 1 sends with A's address: one signed with the key of docs/protocol.md's example, one
        // per receiver rule of section 6 (each its own global sequence, to find it again)
        byte[] key = new byte[32];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) i;
        }
        byte[] inner = HostileFrames.udp(HostileFrames.ipv4(a.ipv4()), HostileFrames.ipv4(b.ipv4()), 16);
        byte[] signed = HostileFrames.signedDataFrame(HostileFrames.Key.of(key, sourceMac, destinationMac), CRAFTED_EPOCH,
                CRAFTED_SEQUENCE, 7, 99, inner);
        Map<Integer, String> malformed = new java.util.LinkedHashMap<>();
        List<byte[]> frames = new java.util.ArrayList<>(List.of(signed));
        String[] rules = {"bad_version", "unknown_frame_type", "reserved_flags", "unknown_payload_protocol",
            "auth_flag_mismatch", "inner_length_overflow", "payload_protocol_mismatch", "short_payload"};
        for (int i = 0; i < rules.length; i++) {
            int sequence = CRAFTED_SEQUENCE + 1 + i;
            byte[] frame = rules[i].equals("inner_length_overflow") ? HostileFrames.overlongFrame(CRAFTED_EPOCH, sequence, inner, 1000)
                    : HostileFrames.dataFrame(CRAFTED_EPOCH, sequence, inner);
            switch (rules[i]) {
                case "bad_version" -> frame[0] = 2;
                case "unknown_frame_type" -> frame[1] = 9;
                case "reserved_flags" -> frame[2] = 0x02;
                case "unknown_payload_protocol" -> frame[3] = 7;
                case "auth_flag_mismatch" -> frame[2] = 0x01;
                case "payload_protocol_mismatch" -> frame[3] = 0;
                case "short_payload" -> { // inner length 0 (bytes 4-5), the packet left behind as padding
                    frame[4] = 0;
                    frame[5] = 0;
                }
                default -> { }
            }
            malformed.put(sequence, rules[i]);
            frames.add(frame);
        }
        // and one of 10 bytes: veth does not pad a frame to Ethernet's 60 bytes, so no header fits
        frames.add(java.util.Arrays.copyOf(HostileFrames.dataFrame(CRAFTED_EPOCH, CRAFTED_SEQUENCE, inner), 10));
        HostileFrames.send(a.namespace(), "l1a", destinationMac, 0x88B5, frames);
        assertTrue(tshark.waitFor(CAPTURE_SECONDS + 10, java.util.concurrent.TimeUnit.SECONDS), "tshark stopped");

        List<Map<String, String>> rows = decode(capture);
        report("observability", "tshark: %d frames captured on l1b, decoded with wireshark/alagg.lua", rows.size());
        List<Map<String, String>> truncated = rows.stream().filter(r -> r.get("alagg.version").isEmpty()).toList();
        assertEquals(1, truncated.size(), truncated::toString);
        assertTrue(truncated.get(0).get("_ws.expert.message").startsWith("truncated: "), truncated::toString);
        List<Map<String, String>> fromA = rows.stream().filter(r -> r.get("eth.src").equals(sourceMac)
                && !r.get("alagg.version").isEmpty() && !r.get("alagg.epoch").equals(hex(CRAFTED_EPOCH))).toList();
        List<Map<String, String>> fromB = rows.stream().filter(r -> r.get("eth.src").equals(destinationMac)).toList();

        // DATA: the pings' echo requests, decoded as ICMP by Wireshark's own dissectors, numbered one after the other
        List<Map<String, String>> requests = fromA.stream().filter(r -> r.get("alagg.type").equals("1")).toList();
        assertEquals(PINGS, requests.size(), () -> "the pings' DATA frames on l1: " + requests);
        for (int i = 0; i < PINGS; i++) {
            Map<String, String> r = requests.get(i);
            assertEquals("8", r.get("icmp.type"), r::toString);
            assertEquals(String.valueOf(i + 1), r.get("icmp.seq"), r::toString);
            assertEquals("1", r.get("alagg.payload_proto"), r::toString);
            assertEquals(r.get("ip.len"), r.get("alagg.inner_length"), r::toString);
            assertEquals(Long.parseLong(requests.get(0).get("alagg.global_seq")) + i, Long.parseLong(r.get("alagg.global_seq")));
        }
        assertEquals(PINGS, fromB.stream().filter(r -> r.get("alagg.type").equals("1") && r.get("icmp.type").equals("0")).count());
        // every frame of A on l1: version 1, no flags and no tag (the bed has no key), one epoch, one link id, link
        // sequence numbers one after the other (an MTU probe repeats the one before it)
        for (Map<String, String> r : fromA) {
            assertEquals("1", r.get("alagg.version"), r::toString);
            assertEquals("0x00", r.get("alagg.flags"), r::toString);
            assertEquals("0", r.get("alagg.tag_length"), r::toString);
            assertEquals(fromA.get(0).get("alagg.epoch"), r.get("alagg.epoch"), r::toString);
            assertEquals(fromA.get(0).get("alagg.link_id"), r.get("alagg.link_id"), r::toString);
            assertEquals("", r.get("_ws.expert.message"), r::toString);
        }
        for (int i = 1; i < fromA.size(); i++) {
            long step = Long.parseLong(fromA.get(i).get("alagg.link_seq")) - Long.parseLong(fromA.get(i - 1).get("alagg.link_seq"));
            int at = i;
            assertTrue(step == 1 || step == 0 && fromA.get(i).get("alagg.probe.mtu").equals("1"), () -> fromA.get(at - 1) + "\n" + fromA.get(at));
        }
        // PROBE and PROBE_REPLY: B's replies echo A's probes byte for byte and carry a link report with the heard list
        // (health probes: id 0 is a challenge's, which may repeat)
        Map<String, String> sentNanos = new java.util.HashMap<>();
        fromA.stream().filter(r -> r.get("alagg.type").equals("2") && !r.get("alagg.probe.id").equals("0"))
                .forEach(r -> sentNanos.put(r.get("alagg.probe.id"), r.get("alagg.probe.sent_nanos")));
        List<Map<String, String>> replies = fromB.stream().filter(r -> r.get("alagg.type").equals("3")
                && sentNanos.containsKey(r.get("alagg.probe.id")) && r.get("alagg.probe.mtu").equals("0")).toList();
        assertTrue(sentNanos.size() >= 10 && replies.size() >= 10, "probes " + sentNanos.size() + ", replies " + replies.size());
        for (Map<String, String> r : replies) {
            assertEquals(sentNanos.get(r.get("alagg.probe.id")), r.get("alagg.probe.sent_nanos"), r::toString);
            assertEquals("12", r.get("alagg.report.echo_length"), r::toString);
            assertEquals("1", r.get("alagg.report.type"), r::toString);
            assertEquals("2", r.get("alagg.heard.count"), r::toString);
            assertTrue(Long.parseLong(r.get("alagg.report.received")) > 0, r::toString);
            assertTrue(r.get("alagg.heard.link").contains(fromA.get(0).get("alagg.link_id")), r::toString);
        }
        // the signed frame, field by field as it was built, its tag split into key id and MAC, the UDP packet inside
        Map<String, String> s = crafted(rows, CRAFTED_SEQUENCE);
        Map<String, String> expected = new java.util.LinkedHashMap<>();
        expected.put("alagg.version", "1");
        expected.put("alagg.type", "1");
        expected.put("alagg.flags", "0x01");
        expected.put("alagg.payload_proto", "1");
        expected.put("alagg.inner_length", String.valueOf(inner.length));
        expected.put("alagg.link_id", "7");
        expected.put("alagg.tag_length", "17");
        expected.put("alagg.link_seq", "99");
        expected.put("alagg.tag.key_id", "0x41");
        expected.put("alagg.tag.mac", java.util.HexFormat.of().formatHex(HostileFrames.tagOf(signed, inner.length), 1, 17));
        expected.put("udp.dstport", "9");
        expected.put("_ws.expert.message", "");
        expected.forEach((field, value) -> assertEquals(value, s.get(field).replace(":", ""), () -> field + " in " + s));
        // each malformed frame: the expert info of its rule, named by its counter
        malformed.forEach((sequence, rule) -> {
            Map<String, String> r = crafted(rows, sequence);
            assertTrue(r.get("_ws.expert.message").startsWith(rule + ": "), () -> rule + ": " + r);
        });
        report("observability", "tshark decoded %d DATA frames (ICMP echo inside), %d probes, %d replies with reports, the"
                + " signed frame and %d malformed ones, each with its rule", requests.size(), sentNanos.size(), replies.size(),
                malformed.size() + truncated.size());
    }

    /** How long tshark captures: the pings, the crafted frames and a margin. */
    private static final int CAPTURE_SECONDS = 6;
    private static final int PINGS = 10;
    private static final int CRAFTED_EPOCH = 0x0A1A6600;
    private static final int CRAFTED_SEQUENCE = 0x70000000;
    private static final List<String> FIELDS = List.of("eth.src", "alagg.version", "alagg.type", "alagg.flags",
            "alagg.payload_proto", "alagg.inner_length", "alagg.link_id", "alagg.tag_length", "alagg.epoch",
            "alagg.global_seq", "alagg.link_seq", "alagg.probe.sent_nanos", "alagg.probe.id", "alagg.probe.mtu",
            "alagg.report.echo_length", "alagg.report.type", "alagg.report.received", "alagg.report.lost",
            "alagg.heard.count", "alagg.heard.link", "alagg.tag.key_id", "alagg.tag.mac", "ip.len", "icmp.type", "icmp.seq",
            "udp.dstport", "_ws.expert.message");

    /** Every frame of a capture, decoded by tshark with the project's dissector, as field -> value. */
    private static List<Map<String, String>> decode(Path capture) throws java.io.IOException {
        List<String> command = new java.util.ArrayList<>(List.of("tshark", "-X",
                "lua_script:" + Beds.ROOT.resolve("wireshark/alagg.lua"), "-r", capture.toString(), "-T", "fields",
                "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=,"));
        FIELDS.forEach(field -> command.addAll(List.of("-e", field)));
        String out = org.alagg.testing.TestNetwork.run(command.toArray(String[]::new));
        List<Map<String, String>> rows = new java.util.ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            String[] values = line.split("\t", -1);
            Map<String, String> row = new java.util.HashMap<>();
            for (int i = 0; i < FIELDS.size(); i++) {
                // icmp.type of an ICMP error quotes the packet it answers: the first occurrence is the frame's own
                row.put(FIELDS.get(i), i < values.length ? values[i].split(",")[0] : "");
            }
            row.put("alagg.heard.link", values[FIELDS.indexOf("alagg.heard.link")]);
            rows.add(row);
        }
        return rows;
    }

    private static Map<String, String> crafted(List<Map<String, String>> rows, int sequence) {
        return rows.stream().filter(r -> r.get("alagg.epoch").equals(hex(CRAFTED_EPOCH))
                && r.get("alagg.global_seq").equals(Integer.toUnsignedString(sequence))).findFirst()
                .orElseThrow(() -> new AssertionError("no crafted frame with global sequence " + sequence + " captured"));
    }

    private static String hex(int value) {
        return String.format("0x%08x", value);
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
