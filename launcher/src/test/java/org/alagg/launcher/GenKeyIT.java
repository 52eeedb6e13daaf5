package org.alagg.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./alagg genkey} as a user runs it: the script, the launcher jar, no framework. */
class GenKeyIT {
    private final Path root = Path.of(System.getProperty("alagg.root", "..")).toAbsolutePath().normalize();

    @TempDir
    Path temp;

    private record Result(int status, String out, String err) {
    }

    private Result alagg(String... args) throws IOException, InterruptedException {
        assertTrue(Files.isRegularFile(root.resolve("launcher/target/alagg/alagg-launcher.jar")),
                "no distribution; build it first: mvn -B -q install -DskipTests");
        Path out = temp.resolve("out");
        Path err = temp.resolve("err");
        List<String> command = new java.util.ArrayList<>(List.of(root.resolve("alagg").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(temp.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().put(RunDirectory.ENV, temp.resolve("run").toString());
        Process process = builder.start();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("alagg " + String.join(" ", args) + " did not end within 30 s");
        }
        return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void theScriptPrintsAKeyAndStartsNothing() throws Exception {
        Result first = alagg("genkey");
        assertEquals(0, first.status(), first::toString);
        assertEquals("", first.err());
        assertTrue(first.out().matches("[A-Za-z0-9+/]{43}=\n"), first.out());
        assertEquals(32, Base64.getDecoder().decode(first.out().strip()).length);
        assertTrue(Files.notExists(temp.resolve("run")), "no run directory: no framework");
        Result second = alagg("genkey");
        assertNotEquals(first.out(), second.out());
    }

    @Test
    void theScriptsHelpMentionsIt() throws Exception {
        Result help = alagg("--help");
        assertEquals(0, help.status(), help::toString);
        assertTrue(help.out().lines().anyMatch(l -> l.startsWith("  alagg genkey ")), help.out());
    }
}
