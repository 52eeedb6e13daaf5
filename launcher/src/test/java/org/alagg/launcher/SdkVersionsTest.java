package org.alagg.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The BOM plugin authors import (sdk/bom/pom.xml, which has no parent: see there) names the versions the distribution
 * runs: every artifact it manages that the project's parent manages too has the same version in both, and its own
 * version is the project's.
 */
class SdkVersionsTest {
    private static final Path ROOT = Path.of(System.getProperty("alagg.root", "..")).toAbsolutePath().normalize();
    private static final Pattern MANAGED = Pattern.compile(
            "<groupId>([^<]+)</groupId><artifactId>([^<]+)</artifactId><version>([^<]+)</version>");
    private static final Pattern PROPERTY = Pattern.compile("<([a-z.]+version)>([^<]+)</\\1>");
    private static final Pattern OWN_VERSION = Pattern.compile("<artifactId>alagg-(?:bom|parent)</artifactId>\\s*<version>([^<]+)</version>");

    @Test
    void theBomManagesTheVersionsTheDistributionRuns() throws IOException {
        String parent = Files.readString(ROOT.resolve("pom.xml"));
        String bom = Files.readString(ROOT.resolve("sdk/bom/pom.xml"));
        Map<String, String> inParent = managed(parent);
        Map<String, String> inBom = managed(bom);
        int shared = 0;
        for (Map.Entry<String, String> e : inBom.entrySet()) {
            if (inParent.containsKey(e.getKey()) && !e.getKey().startsWith("org.alagg:")) {
                assertEquals(inParent.get(e.getKey()), e.getValue(), e.getKey() + " in sdk/bom/pom.xml and pom.xml");
                shared++;
            }
        }
        assertTrue(shared >= 8, "the BOM shares " + shared + " artifacts with the parent: " + inBom.keySet());
        assertEquals(ownVersion(parent), ownVersion(bom), "the BOM's version is the project's");
    }

    /** group:artifact to version, ${properties} resolved, of every dependency the POM manages. */
    private static Map<String, String> managed(String pom) {
        Map<String, String> properties = new LinkedHashMap<>();
        Matcher p = PROPERTY.matcher(pom);
        while (p.find()) {
            properties.putIfAbsent(p.group(1), p.group(2));
        }
        Map<String, String> versions = new LinkedHashMap<>();
        Matcher m = MANAGED.matcher(pom);
        while (m.find()) {
            String version = m.group(3);
            for (Map.Entry<String, String> property : properties.entrySet()) {
                version = version.replace("${" + property.getKey() + "}", property.getValue());
            }
            versions.put(m.group(1) + ":" + m.group(2), version);
        }
        return versions;
    }

    private static String ownVersion(String pom) {
        Matcher m = OWN_VERSION.matcher(pom);
        assertTrue(m.find(), "no version of its own");
        return m.group(1);
    }
}
