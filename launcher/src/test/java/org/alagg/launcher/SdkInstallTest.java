package org.alagg.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code alagg sdk install}: the SDK's files land where Maven looks for them; mistakes are named. */
class SdkInstallTest {
    @TempDir
    Path temp;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(Path home, String... args) throws Exception {
        return SdkInstall.run(home, List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void copiesTheSdkLaidOutAsARepository() throws Exception {
        Path home = temp.resolve("alagg");
        Path jar = home.resolve("sdk/org/alagg/alagg-api/1.2.0/alagg-api-1.2.0.jar");
        Files.createDirectories(jar.getParent());
        Files.writeString(jar, "api");
        Files.writeString(jar.resolveSibling("alagg-api-1.2.0.pom"), "<project/>");
        Path bom = home.resolve("sdk/org/alagg/alagg-bom/1.2.0/alagg-bom-1.2.0.pom");
        Files.createDirectories(bom.getParent());
        Files.writeString(bom, "<project/>");
        Files.writeString(home.resolve("sdk/org/alagg/alagg-api/maven-metadata-local.xml"), "<metadata>1.2.0</metadata>");
        Files.writeString(jar.resolveSibling("maven-metadata-local.xml"), "<metadata/>");
        Path repository = temp.resolve("m2");
        Path listed = repository.resolve("org/alagg/alagg-api/maven-metadata-local.xml");
        Files.createDirectories(listed.getParent());
        Files.writeString(listed, "<metadata>1.1.0</metadata>");

        assertEquals(0, run(home, "install", "--repo", repository.toString()));
        assertEquals("<metadata>1.1.0</metadata>", Files.readString(listed), "the versions installed before stay listed");
        assertEquals("api", Files.readString(repository.resolve("org/alagg/alagg-api/1.2.0/alagg-api-1.2.0.jar")));
        assertTrue(Files.isRegularFile(repository.resolve("org/alagg/alagg-bom/1.2.0/alagg-bom-1.2.0.pom")));
        String said = out.toString(StandardCharsets.UTF_8);
        assertTrue(said.startsWith("Installed the Alagg SDK 1.2.0 into " + repository + ": alagg-api, alagg-bom\n"), said);
        assertTrue(said.contains("-DarchetypeVersion=1.2.0"), said);
    }

    @Test
    void mistakesAreNamed() throws Exception {
        assertEquals(Main.USAGE, run(temp, "instal"));
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("usage: alagg sdk install [--repo DIR]"));
        err.reset();
        assertEquals(Main.USAGE, run(temp, "install", "--repository", "x"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unexpected argument '--repository'"));
        err.reset();
        assertEquals(Main.USAGE, run(temp, "install"));
        assertEquals("alagg sdk install: no SDK in " + temp.resolve("sdk") + "; build the distribution (alagg build)\n",
                err.toString(StandardCharsets.UTF_8));
    }
}
