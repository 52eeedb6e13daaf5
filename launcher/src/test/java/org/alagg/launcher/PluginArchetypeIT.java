package org.alagg.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.alagg.api.Alagg;
import org.alagg.testing.SdkWorkspace;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What a plugin author outside the project does, with the commands docs/plugins.md gives: the SDK the distribution
 * ships installed into a Maven repository of its own ({@code alagg sdk install --repo}), a strategy, a scheduler and a
 * transport generated from the archetype in a temporary directory, and built with {@code mvn verify} (one Maven run
 * over the three): each one's unit tests and its boot in Felix ran and passed, and its jar is a bundle that imports the
 * API only, in the range this API gives. A kind the archetype does not make is refused with the reason.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PluginArchetypeIT {
    private static final Path ROOT = Path.of(System.getProperty("alagg.root", "..")).toAbsolutePath().normalize();
    private static final Pattern PASSED = Pattern.compile("Tests run: (\\d+), Failures: 0, Errors: 0, Skipped: 0");

    private SdkWorkspace workspace;

    @BeforeAll
    void generateAndVerifyOnePluginOfEachKind() throws Exception {
        long start = System.nanoTime();
        workspace = SdkWorkspace.create(ROOT, Path.of(System.getProperty("sdk.it.directory")),
                Path.of(System.getProperty("build.repository")), System.getProperty("maven.home"),
                System.getProperty("alagg.version"));
        report("alagg sdk install", start);
        for (String[] plugin : List.of(new String[] {"strategy", "first-come", "FirstCome"},
                new String[] {"scheduler", "rotate", "Rotate"}, new String[] {"transport", "udp-links", "UdpLinks"})) {
            start = System.nanoTime();
            Path project = workspace.generate(plugin[0], plugin[1], plugin[2]);
            report("mvn archetype:generate -Dkind=" + plugin[0], start);
            assertTrue(project.startsWith(workspace.directory()) && !project.startsWith(ROOT), "outside the project: " + project);
        }
        start = System.nanoTime();
        workspace.mavenAll("mvn verify of the generated plugins", "verify");
        report("mvn verify (the three)", start);
    }

    @AfterAll
    void removeTheProjects() throws IOException {
        if (workspace != null) {
            workspace.close();
        }
    }

    @Test
    void theStrategyPassedItsTestsAndIsABundleOfTheApi() throws Exception {
        Path jar = verified("first-come", "FirstCome");
        assertEquals("alagg.strategy=first-come", componentProperty(jar, "org.example.firstcome.FirstCome"));
    }

    @Test
    void theSchedulerPassedItsTestsAndDeclaresItsSettings() throws Exception {
        Path jar = verified("rotate", "Rotate");
        assertEquals("alagg.scheduler=rotate", componentProperty(jar, "org.example.rotate.Rotate"));
        assertTrue(hasEntry(jar, "OSGI-INF/metatype/" + Alagg.pluginPid("rotate") + ".xml"),
                "its settings' Metatype, for the check of plugin.rotate.* lines");
    }

    @Test
    void theTransportPassedItsTestsAndDeclaresItsSettings() throws Exception {
        Path jar = verified("udp-links", "UdpLinks");
        assertEquals("alagg.transport=udp-links", componentProperty(jar, "org.example.udplinks.UdpLinks"));
        assertTrue(hasEntry(jar, "OSGI-INF/metatype/" + Alagg.pluginPid("udp-links") + ".xml"));
    }

    @Test
    void aKindTheArchetypeDoesNotMakeIsRefusedAndLeavesNothing() {
        AssertionError e = assertThrows(AssertionError.class, () -> workspace.generate("interceptor", "capture", "Capture"));
        assertTrue(e.getMessage().contains("no project generated:") && e.getMessage().contains("-Dkind=interceptor: the"
                + " archetype makes a reordering strategy (-Dkind=strategy), a link scheduler (-Dkind=scheduler) or a link"
                + " transport (-Dkind=transport)"), e.getMessage());
        assertFalse(Files.exists(workspace.directory().resolve("capture")), "the project made from it is removed");
    }

    /** The project's unit tests and its boot in Felix ran and passed; its jar imports the API only, [2.6,3). */
    private Path verified(String artifactId, String className) throws IOException {
        Path project = workspace.directory().resolve(artifactId);
        assertPassed(project.resolve("target/surefire-reports"), className + "Test");
        assertPassed(project.resolve("target/failsafe-reports"), className + "InFelixIT");
        Path jar = project.resolve("target/" + SdkWorkspace.jarName(artifactId));
        try (JarFile bundle = new JarFile(jar.toFile())) {
            String imports = bundle.getManifest().getMainAttributes().getValue("Import-Package");
            Matcher api = Pattern.compile("org\\.alagg\\.api;version=\"\\[(\\d+)\\.(\\d+),(\\d+)\\)\"").matcher(imports);
            assertTrue(api.find(), "imports the API with a version range: " + imports);
            assertEquals(List.of("2", "6", "3"), List.of(api.group(1), api.group(2), api.group(3)), imports);
            assertFalse(imports.replace("org.alagg.api;", "").contains("org.alagg."), "imports nothing of Alagg but the API: " + imports);
        }
        SdkWorkspace.keepVerified(ROOT, jar); // for SdkPluginBedIT, once it passed every check
        return jar;
    }

    private static void assertPassed(Path reports, String testClass) throws IOException {
        Path report;
        try (Stream<Path> files = Files.list(reports)) {
            report = files.filter(f -> f.getFileName().toString().endsWith("." + testClass + ".txt")).findFirst()
                    .orElseThrow(() -> new AssertionError("no report of " + testClass + " in " + reports));
        }
        Matcher m = PASSED.matcher(Files.readString(report, StandardCharsets.UTF_8));
        assertTrue(m.find() && Integer.parseInt(m.group(1)) > 0, testClass + " did not pass: " + Files.readString(report));
    }

    private static boolean hasEntry(Path jar, String entry) throws IOException {
        try (JarFile bundle = new JarFile(jar.toFile())) {
            return bundle.getEntry(entry) != null;
        }
    }

    /** The component's {@code alagg.*} property, from its Declarative Services XML in the jar. */
    private static String componentProperty(Path jar, String component) throws IOException {
        try (JarFile bundle = new JarFile(jar.toFile())) {
            String xml = new String(bundle.getInputStream(bundle.getEntry("OSGI-INF/" + component + ".xml")).readAllBytes(),
                    StandardCharsets.UTF_8);
            Matcher m = Pattern.compile("<property name=\"(alagg\\.[a-z]+)\"[^>]*value=\"([^\"]+)\"").matcher(xml);
            return m.find() ? m.group(1) + "=" + m.group(2) : "none in " + xml;
        }
    }

    private static void report(String what, long startNanos) {
        System.out.printf("SDK %s: %.1f s%n", what, (System.nanoTime() - startNanos) / 1e9);
    }
}
