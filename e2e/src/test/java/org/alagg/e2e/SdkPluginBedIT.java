package org.alagg.e2e;

import static org.alagg.e2e.Beds.await;
import static org.alagg.e2e.Beds.report;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.alagg.e2e.Bed.Side;
import org.alagg.testing.RequiresRoot;
import org.alagg.testing.SdkWorkspace;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A third party's plugin in a running pair of instances: a strategy generated from the SDK's archetype and built
 * against the SDK alone, outside the project (the jars PluginArchetypeIT verified against the same SDK; without them,
 * generated here likewise and built with {@code mvn package}), is dropped
 * into the bed's {@code plugins/} folder, selected on both sides, carries a transfer intact, shows its own counters in
 * {@code alagg:stats --json}, and when its jar is removed the engine falls back and traffic still passes. A scheduler
 * generated likewise takes its setting from the configuration file ({@code plugin.rotate.copies}), checked against its
 * Metatype: a value out of range or an unknown setting is refused with the file's name and line. A transport generated
 * likewise carries both links as UDP between addresses given to the bed's link interfaces, selected in both files.
 */
@RequiresRoot(tools = {"nc", "ping", "ethtool", "ss", "iptables", "ip6tables"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SdkPluginBedIT {
    private static final String NAME = "first-come";
    private static final long BYTES = 20_000_000;
    private static final String SCHEDULER = "rotate";
    private static final String TRANSPORT = "udp-links";

    private SdkWorkspace workspace;
    private Path built;
    private Path builtScheduler;
    private Path builtTransport;
    private Bed bed;

    @BeforeAll
    void buildThePluginAndStartTheBed() throws Exception {
        long start = System.nanoTime();
        built = SdkWorkspace.verified(Beds.ROOT, SdkWorkspace.jarName(NAME));
        builtScheduler = SdkWorkspace.verified(Beds.ROOT, SdkWorkspace.jarName(SCHEDULER));
        builtTransport = SdkWorkspace.verified(Beds.ROOT, SdkWorkspace.jarName(TRANSPORT));
        if (built != null && builtScheduler != null && builtTransport != null) {
            report("sdk plugin", "the strategy, scheduler and transport PluginArchetypeIT generated from the SDK and verified"
                    + " against this distribution's SDK: %s", List.of(built, builtScheduler, builtTransport));
        } else {
            workspace = SdkWorkspace.create(Beds.ROOT, Path.of(System.getProperty("sdk.it.directory")),
                    Path.of(System.getProperty("build.repository")), System.getProperty("maven.home"),
                    System.getProperty("alagg.version"));
            built = workspace.generate("strategy", NAME, "FirstCome").resolve("target/" + SdkWorkspace.jarName(NAME));
            builtScheduler = workspace.generate("scheduler", SCHEDULER, "Rotate").resolve("target/" + SdkWorkspace.jarName(SCHEDULER));
            builtTransport = workspace.generate("transport", TRANSPORT, "UdpLinks").resolve("target/" + SdkWorkspace.jarName(TRANSPORT));
            workspace.mavenAll("mvn package of the generated plugins", "package", "-DskipTests"); // tested by PluginArchetypeIT
            report("sdk plugin", "SDK installed, a strategy, a scheduler and a transport generated and built outside the"
                    + " project in %.1f s", (System.nanoTime() - start) / 1e9);
        }
        bed = Bed.create(Beds.ROOT, Bed.Capture.NFQUEUE, 2, 2, List.of("reorder = windowed"), true).start();
    }

    @AfterAll
    void removeEverything() throws Exception {
        try {
            if (bed != null) {
                bed.close();
            }
        } finally {
            if (workspace != null) {
                workspace.close();
            }
        }
    }

    @Test
    void aPluginFromTheArchetypeIsDroppedInSelectedCarriesATransferReportsAndFallsBackWhenRemoved() throws Exception {
        long dropped = System.nanoTime();
        Path jar = dropIn(built, NAME);
        for (Side side : List.of(bed.a(), bed.b())) {
            await(side + " lists " + NAME, () -> strategy(side), s -> available(s).contains(NAME));
            side.instance().ctl("alagg:strategy", NAME);
            await(side + " uses " + NAME, () -> strategy(side), s -> NAME.equals(s.get("active")));
        }
        report("sdk plugin", "%s dropped in, installed and selected on both sides in %.1f s", NAME,
                (System.nanoTime() - dropped) / 1e9);

        Path file = Transfer.randomFile(bed.directory().resolve("sent.bin"), BYTES);
        Transfer.Result result = Transfer.start(bed.a(), bed.b().ipv4(), file, bed.directory().resolve("received.bin"))
                .await(Beds.TRANSFER_DEADLINE);
        report("sdk plugin", "A -> B over IPv4 with strategy %s: %s", NAME, result);
        Beds.assertIntact(result, Duration.ofSeconds(1));

        Map<String, Object> counters = pluginCounters(bed.b());
        report("sdk plugin", "B's alagg:stats --json, plugins.strategy.%s: %s", NAME, counters);
        long delivered = ((Number) counters.get("delivered")).longValue();
        assertTrue(delivered >= BYTES / 1500, "B's strategy delivered " + delivered + " packets of a " + BYTES + " byte transfer");
        assertTrue(counters.containsKey("out_of_order"), counters::toString);
        Map<String, Object> status = Json.object(Json.parse(bed.b().instance().ctl("alagg:status", "--json")), "alagg:status");
        assertTrue(String.valueOf(status.get("plugins")).contains(NAME), "alagg:status --json plugins: " + status.get("plugins"));

        Files.delete(jar);
        for (Side side : List.of(bed.a(), bed.b())) {
            Map<String, Object> fallback = await(side + " drops " + NAME + " and waits for it, reordering by arrival",
                    () -> strategy(side), s -> !available(s).contains(NAME) && s.get("active") == null);
            assertEquals(Boolean.TRUE, fallback.get("waiting"), fallback::toString);
            assertFalse(reports(side, "strategy").containsKey(NAME), "its counters are gone with it");
        }
        Beds.assertPingsBothWays(bed);
    }

    @Test
    void aSchedulerFromTheArchetypeTakesItsSettingFromTheFileCheckedAgainstItsMetatype() throws Exception {
        Side a = bed.a();
        Path config = a.instance().config();
        String original = Files.readString(config);
        Path jar = null;
        try {
            // a setting written before its plugin is there goes to it as written; when the plugin starts, it is checked
            Files.writeString(config, original + "plugin.rotate.copies = 40\n");
            int early = (int) original.lines().count() + 1;
            Thread.sleep(1500); // two polls of the file: applied, nothing to check it against
            assertNull(a.instance().status().get("config_error"), "no plugin, no Metatype: nothing to refuse yet");
            jar = dropIn(builtScheduler, SCHEDULER);
            Map<String, Object> late = await(a + " reports copies = 40 once " + SCHEDULER + " starts",
                    () -> a.instance().status(), st -> String.valueOf(st.get("config_error"))
                            .startsWith(config + ":" + early + ": plugin.rotate.copies: '40'"));
            assertTrue(String.valueOf(late.get("config_error")).contains("applied before the plugin was installed"),
                    String.valueOf(late.get("config_error")));
            report("sdk plugin", "copies = 40 written before the plugin came, reported when it started: %s",
                    late.get("config_error"));
            // (the plugin checks its values itself too: with 40 it does not start its component)
            Files.writeString(config, original + "scheduler = " + SCHEDULER + "\nplugin.rotate.copies = 2\n");
            await(a + " has " + SCHEDULER + " reporting", () -> reports(a, "scheduler"), p -> p.containsKey(SCHEDULER));
            int line = (int) original.lines().count() + 2;
            await(a + " applies copies = 2", () -> a.instance().status(),
                    s -> s.get("config_error") == null && String.valueOf(s.get("plugins")).contains("2 copies of each packet"));
            Beds.assertPingsBothWays(bed);
            Map<String, Object> counters = Json.object(Json.object(pluginsOf(a).get("scheduler"), "scheduler").get(SCHEDULER),
                    SCHEDULER);
            report("sdk plugin", "A's scheduler %s with copies = 2 after the pings: %s", SCHEDULER, counters);
            double packets = ((Number) counters.get("packets")).doubleValue();
            assertTrue(packets >= 200 && ((Number) counters.get("sends")).doubleValue() == 2 * packets, counters::toString);

            Files.writeString(config, original + "scheduler = " + SCHEDULER + "\nplugin.rotate.copies = 40\n");
            Map<String, Object> refused = await(a + " refuses copies = 40", () -> a.instance().status(),
                    s -> String.valueOf(s.get("config_error")).startsWith(config + ":" + line + ": plugin.rotate.copies: '40'"));
            report("sdk plugin", "copies = 40 refused: %s", refused.get("config_error"));
            assertTrue(String.valueOf(refused.get("plugins")).contains("2 copies of each packet"), "the last good setting stays");

            Files.writeString(config, original + "scheduler = " + SCHEDULER + "\nplugin.rotate.copise = 2\n");
            Map<String, Object> unknown = await(a + " refuses an unknown setting", () -> a.instance().status(),
                    s -> String.valueOf(s.get("config_error")).contains(":" + line + ": plugin.rotate.copise:"));
            assertEquals(config + ":" + line + ": plugin.rotate.copise: plugin 'rotate' has no setting 'copise'; its settings: copies",
                    unknown.get("config_error"));
        } finally {
            Files.writeString(config, original);
            if (jar != null) {
                Files.deleteIfExists(jar);
            }
        }
        await(a + " back without " + SCHEDULER, () -> reports(a, "scheduler"), p -> !p.containsKey(SCHEDULER));
        Beds.assertPingsBothWays(bed);
    }

    @Test
    void aTransportFromTheArchetypeCarriesBothLinksOverUdp() throws Exception {
        Map<Side, String> original = new java.util.LinkedHashMap<>();
        for (Side side : List.of(bed.a(), bed.b())) {
            original.put(side, Files.readString(side.instance().config()));
        }
        Path jar = dropIn(builtTransport, TRANSPORT);
        try {
            for (Side side : List.of(bed.a(), bed.b())) {
                int host = side == bed.a() ? 1 : 2;
                StringBuilder peers = new StringBuilder();
                for (int n = 1; n <= 2; n++) {
                    side.exec("ip", "address", "add", "10.77." + n + "." + host + "/24", "dev", side.link(n));
                    peers.append(n == 1 ? "" : ", ").append(side.link(n)).append("=10.77.").append(n).append('.').append(3 - host);
                }
                await(side + " has " + TRANSPORT + " reporting", () -> reports(side, "transport"), p -> p.containsKey(TRANSPORT));
                Files.writeString(side.instance().config(), original.get(side) + "transport = " + TRANSPORT + "\n"
                        + "plugin." + TRANSPORT + ".port = 7050\nplugin." + TRANSPORT + ".peers = " + peers + "\n");
            }
            long switched = System.nanoTime();
            for (Side side : List.of(bed.a(), bed.b())) {
                for (int n = 1; n <= 2; n++) {
                    Beds.awaitLinkState(side.instance(), side.link(n), "UP");
                }
            }
            report("sdk plugin", "both links UP over %s on both sides %.1f s after the files selected it", TRANSPORT,
                    (System.nanoTime() - switched) / 1e9);
            Beds.assertPingsBothWays(bed);
            Map<String, Object> counters = Json.object(Json.object(pluginsOf(bed.b()).get("transport"), "transport")
                    .get(TRANSPORT), TRANSPORT);
            report("sdk plugin", "B's transport %s after the pings: %s", TRANSPORT, counters);
            assertTrue(((Number) counters.get("datagrams_received")).doubleValue() >= 400
                    && ((Number) counters.get("datagrams_sent")).doubleValue() >= 400, counters::toString);
        } finally {
            for (Side side : List.of(bed.a(), bed.b())) {
                Files.writeString(side.instance().config(), original.get(side));
            }
            Files.deleteIfExists(jar);
        }
        for (Side side : List.of(bed.a(), bed.b())) {
            await(side + " back on its own transport", () -> reports(side, "transport"), p -> !p.containsKey(TRANSPORT));
            for (int n = 1; n <= 2; n++) {
                Beds.awaitLinkState(side.instance(), side.link(n), "UP");
            }
        }
        Beds.assertPingsBothWays(bed);
    }

    /** Moves a copy of a jar into the bed's plugins/ at once (a rename), as docs/plugins.md says to. */
    private Path dropIn(Path jar, String name) throws Exception {
        Path target = bed.pluginsFolder().resolve(name + ".jar");
        Path staged = bed.directory().resolve(name + ".jar.part");
        Files.copy(jar, staged);
        Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
        return target;
    }

    private static Map<String, Object> strategy(Side side) throws Exception {
        return Json.object(Json.parse(side.instance().ctl("alagg:strategy", "--json")), "alagg:strategy");
    }

    @SuppressWarnings("unchecked")
    private static List<Object> available(Map<String, Object> strategy) {
        return (List<Object>) strategy.get("available");
    }

    /** {@code plugins} of {@code alagg:stats --json}: kind, then name, then counters. */
    private static Map<String, Object> pluginsOf(Side side) throws Exception {
        Map<String, Object> stats = Json.object(Json.parse(side.instance().ctl("alagg:stats", "--json")), "alagg:stats");
        return Json.object(stats.get("plugins"), "plugins");
    }

    /** The plugins of one kind that report, by name (the bundled schedulers report too): empty when none does. */
    private static Map<String, Object> reports(Side side, String kind) throws Exception {
        Object ofKind = pluginsOf(side).get(kind);
        return ofKind == null ? Map.of() : Json.object(ofKind, "plugins." + kind);
    }

    private static Map<String, Object> pluginCounters(Side side) throws Exception {
        Map<String, Object> strategies = Json.object(pluginsOf(side).get("strategy"), "plugins.strategy");
        return Json.object(strategies.get(NAME), "plugins.strategy." + NAME);
    }
}
