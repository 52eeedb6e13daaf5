package org.alagg.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.alagg.api.Alagg;
import org.alagg.testing.SdkWorkspace;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What a plugin author outside the project does, with the commands docs/plugins.md gives: the SDK the distribution
 * ships installed into a Maven repository of its own ({@code alagg sdk install --repo}), a strategy and a scheduler
 * generated from the archetype in a temporary directory, and each built with {@code mvn verify}: its unit tests on the
 * test kit and its boot in Felix pass, and the jar is a bundle that imports the API only, in the range this API gives.
 * A kind the archetype does not make is refused with the reason.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PluginArchetypeIT {
    private static final Pattern TESTS_RUN = Pattern.compile("Tests run: (\\d+), Failures: 0, Errors: 0, Skipped: 0\\n");

    private SdkWorkspace workspace;

    @BeforeAll
    void installTheSdk() throws Exception {
        long start = System.nanoTime();
        workspace = SdkWorkspace.create(Path.of(System.getProperty("alagg.root")).toAbsolutePath().normalize(),
                Path.of(System.getProperty("sdk.it.directory")), Path.of(System.getProperty("build.repository")),
                System.getProperty("maven.home"), System.getProperty("alagg.version"));
        report("alagg sdk install", start);
    }

    @AfterAll
    void removeTheProjects() throws IOException {
        if (workspace != null) {
            workspace.close();
        }
    }

    @Test
    void aGeneratedStrategyBuildsAgainstTheSdkAndPassesItsTests() throws Exception {
        Path jar = generateAndVerify("strategy", "first-come", "FirstCome");
        assertEquals("alagg.strategy=first-come", componentProperty(jar, "org/example/firstcome/FirstCome"));
    }

    @Test
    void aGeneratedSchedulerBuildsAgainstTheSdkAndPassesItsTests() throws Exception {
        Path jar = generateAndVerify("scheduler", "rotate", "Rotate");
        assertEquals("alagg.scheduler=rotate", componentProperty(jar, "org/example/rotate/Rotate"));
        try (JarFile bundle = new JarFile(jar.toFile())) {
            assertTrue(bundle.getEntry("OSGI-INF/metatype/" + Alagg.pluginPid("rotate") + ".xml") != null,
                    "its settings' Metatype, for the check of plugin.rotate.* lines");
        }
    }

    @Test
    void aKindTheArchetypeDoesNotMakeIsRefusedAndLeavesNothing() {
        AssertionError e = assertThrows(AssertionError.class, () -> workspace.generate("transport", "udp-links", "UdpLinks"));
        assertTrue(e.getMessage().contains("no project generated:") && e.getMessage().contains("-Dkind=transport: the"
                + " archetype makes a reordering strategy (-Dkind=strategy) or a link scheduler (-Dkind=scheduler)"), e.getMessage());
        assertFalse(Files.exists(workspace.directory().resolve("udp-links")), "the project made from it is removed");
    }

    /** Generates, runs mvn verify, checks both test phases ran tests, and returns the jar. */
    private Path generateAndVerify(String kind, String artifactId, String className) throws Exception {
        long start = System.nanoTime();
        Path project = workspace.generate(kind, artifactId, className);
        report("mvn archetype:generate -Dkind=" + kind, start);
        assertTrue(project.startsWith(workspace.directory()) && !project.startsWith(Path.of(System.getProperty("alagg.root"))
                .toAbsolutePath().normalize()), "outside the project: " + project);
        start = System.nanoTime();
        String output = workspace.maven(project, "mvn verify of the generated " + kind, "verify");
        report("mvn verify (" + kind + ")", start);
        Matcher tests = TESTS_RUN.matcher(output);
        int summaries = 0;
        while (tests.find()) {
            summaries += Integer.parseInt(tests.group(1)) > 0 ? 1 : 0;
        }
        assertTrue(output.contains(className + "InFelixIT") && summaries >= 2,
                "the unit tests and the boot in Felix ran and passed:\n" + output);
        Path jar = project.resolve("target/" + artifactId + "-1.0.0.jar");
        try (JarFile bundle = new JarFile(jar.toFile())) {
            String imports = bundle.getManifest().getMainAttributes().getValue("Import-Package");
            Matcher api = Pattern.compile("org\\.alagg\\.api;version=\"\\[(\\d+)\\.(\\d+),(\\d+)\\)\"").matcher(imports);
            assertTrue(api.find(), "imports the API with a version range: " + imports);
            assertEquals(List.of("2", "4", "3"), List.of(api.group(1), api.group(2), api.group(3)), imports);
            assertTrue(!imports.replace("org.alagg.api;", "").contains("org.alagg."),
                    "imports nothing of Alagg but the API: " + imports);
        }
        return jar;
    }

    /** The component's {@code alagg.*} property, from its Declarative Services XML in the jar. */
    private static String componentProperty(Path jar, String classPath) throws IOException {
        try (JarFile bundle = new JarFile(jar.toFile())) {
            String xml = new String(bundle.getInputStream(bundle.getEntry("OSGI-INF/" + classPath.replace('/', '.') + ".xml"))
                    .readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            Matcher m = Pattern.compile("<property name=\"(alagg\\.[a-z]+)\"[^>]*value=\"([^\"]+)\"").matcher(xml);
            return m.find() ? m.group(1) + "=" + m.group(2) : "none in " + xml;
        }
    }

    private static void report(String what, long startNanos) {
        System.out.printf("SDK %s: %.1f s%n", what, (System.nanoTime() - startNanos) / 1e9);
    }

}
