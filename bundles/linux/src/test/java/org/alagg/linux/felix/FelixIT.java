package org.alagg.linux.felix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The packaged bundle resolves and works inside Felix: {@link FelixCheck} in a JVM of its own, with only Felix
 * on its class path, installs alagg-api and alagg-linux and calls native code through the bundle.
 */
class FelixIT {
    @Test
    void theBundleWorksInsideFelix() throws Exception {
        String felix = property("alagg.felix.jar");
        String api = property("alagg.api.jar");
        String linux = property("alagg.linux.jar");
        String testClasses = property("alagg.test.classes");
        Path work = Files.createDirectories(Path.of(property("alagg.felix.work")));
        Path tmp = Files.createDirectories(work.resolve("tmp"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-Djava.io.tmpdir=" + tmp, "-cp", felix + File.pathSeparator + testClasses,
                FelixCheck.class.getName(), work.resolve("cache").toString(), api, linux)
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "Felix check finished");
        System.out.println(output);
        assertEquals(0, process.exitValue(), output);
        assertTrue(output.contains("CHECK all passed"), output);
        assertTrue(output.contains("CHECK ok: NetworkInterfaces.index(\"lo\") = "), output);
        try (var files = Files.list(tmp)) {
            List<String> names = files.map(p -> p.getFileName().toString()).toList();
            System.out.println("java.io.tmpdir of the check: " + names);
        }
    }

    private static String property(String name) {
        String value = System.getProperty(name);
        if (value == null || value.isEmpty()) {
            throw new IllegalStateException("system property " + name + " is not set (the failsafe configuration sets it)");
        }
        return value;
    }
}
