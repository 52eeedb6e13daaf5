package org.alagg.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.Set;
import java.util.jar.Manifest;

import org.junit.jupiter.api.Test;

import aQute.bnd.differ.Baseline;
import aQute.bnd.differ.DiffPluginImpl;
import aQute.bnd.osgi.Jar;
import aQute.bnd.osgi.Processor;

/**
 * What the build's baselining (bnd-baseline-maven-plugin, bundles/api/pom.xml) does, shown with bnd's own differ on
 * the committed baseline (baseline/README.md): the API as built passes, and an incompatible change or a missing
 * version bump is a mismatch, which fails the build.
 */
class ApiBaselineTest {
    private static final File BASELINE = new File("baseline/org/alagg/alagg-api/2.4.0/alagg-api-2.4.0.jar");
    private static final String API = "org.alagg.api";

    @Test
    void theApiAsBuiltMatchesItsVersion() throws Exception {
        try (Jar built = new Jar(new File("target/classes")); Jar baseline = new Jar(BASELINE)) {
            Baseline.Info info = compare(built, baseline);
            assertFalse(info.mismatch, "suggested " + info.suggestedVersion + " for " + info.newerVersion);
        }
    }

    @Test
    void anAdditionWithoutAMinorBumpIsAMismatch() throws Exception {
        // as if the baseline had no PluginReport: the API as built adds it under the same version
        try (Jar built = new Jar(new File("target/classes")); Jar baseline = new Jar(BASELINE)) {
            baseline.remove("org/alagg/api/PluginReport.class");
            exportAs(built, "2.4.0");
            Baseline.Info info = compare(built, baseline);
            assertTrue(info.mismatch);
            assertEquals("2.5.0", info.suggestedVersion.toString());
        }
    }

    @Test
    void aRemovedInterfaceWithoutAMajorBumpIsAMismatch() throws Exception {
        try (Jar changed = new Jar(BASELINE); Jar baseline = new Jar(BASELINE)) {
            changed.remove("org/alagg/api/ReorderOutput.class");
            exportAs(changed, "2.4.0");
            Baseline.Info info = compare(changed, baseline);
            assertTrue(info.mismatch);
            assertEquals("3.0.0", info.suggestedVersion.toString());
        }
    }

    private static Baseline.Info compare(Jar newer, Jar older) throws Exception {
        try (Processor reporter = new Processor()) {
            Set<Baseline.Info> infos = new Baseline(reporter, new DiffPluginImpl()).baseline(newer, older, null);
            return infos.stream().filter(i -> i.packageName.equals(API)).findFirst().orElseThrow();
        }
    }

    private static void exportAs(Jar jar, String version) throws Exception {
        Manifest manifest = jar.getManifest();
        manifest.getMainAttributes().putValue("Export-Package", API + ";version=\"" + version + "\"");
        jar.setManifest(manifest);
    }
}
