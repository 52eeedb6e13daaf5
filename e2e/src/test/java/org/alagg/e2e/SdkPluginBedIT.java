package org.alagg.e2e;

import static org.alagg.e2e.Beds.await;
import static org.alagg.e2e.Beds.report;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * against the SDK alone, outside the project (as PluginArchetypeIT does, here with {@code mvn package}), is dropped
 * into the bed's {@code plugins/} folder, selected on both sides, carries a transfer intact, shows its own counters in
 * {@code alagg:stats --json}, and when its jar is removed the engine falls back and traffic still passes.
 */
@RequiresRoot(tools = {"nc", "ping", "ethtool", "ss", "iptables", "ip6tables"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SdkPluginBedIT {
    private static final String NAME = "first-come";
    private static final long BYTES = 20_000_000;

    private SdkWorkspace workspace;
    private Path built;
    private Bed bed;

    @BeforeAll
    void buildThePluginAndStartTheBed() throws Exception {
        long start = System.nanoTime();
        workspace = SdkWorkspace.create(Beds.ROOT, Path.of(System.getProperty("sdk.it.directory")),
                Path.of(System.getProperty("build.repository")), System.getProperty("maven.home"),
                System.getProperty("alagg.version"));
        Path project = workspace.generate("strategy", NAME, "FirstCome");
        workspace.maven(project, "mvn package of the generated strategy", "package", "-DskipTests");
        built = project.resolve("target/" + NAME + "-1.0.0.jar");
        report("sdk plugin", "SDK installed, strategy generated and built outside the project in %.1f s",
                (System.nanoTime() - start) / 1e9);
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
        Path jar = bed.pluginsFolder().resolve(NAME + ".jar");
        Path staged = bed.directory().resolve(NAME + ".jar.part");
        Files.copy(built, staged);
        Files.move(staged, jar, StandardCopyOption.ATOMIC_MOVE);
        for (Side side : List.of(bed.a(), bed.b())) {
            await(side + " lists " + NAME, () -> strategy(side), s -> available(s).contains(NAME));
            side.instance().ctl("alagg:strategy", NAME);
            await(side + " uses " + NAME, () -> strategy(side), s -> NAME.equals(s.get("active")));
        }

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
            assertEquals(Map.of(), pluginsOf(side), "its counters are gone with it");
        }
        Beds.assertPingsBothWays(bed);
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

    private static Map<String, Object> pluginCounters(Side side) throws Exception {
        Map<String, Object> strategies = Json.object(pluginsOf(side).get("strategy"), "plugins.strategy");
        return Json.object(strategies.get(NAME), "plugins.strategy." + NAME);
    }
}
