package org.alagg.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunDirectoryTest {
    @TempDir
    Path temp;

    @Test
    void theEnvironmentOverridesTheDefault() throws IOException {
        Path dir = temp.resolve("run");
        RunDirectory run = new RunDirectory(Map.of(RunDirectory.ENV, dir.toString()));
        assertEquals(dir, run.forInstance());
        assertEquals(dir.resolve("east.sock"), run.socketOf("east"));
        assertEquals(dir.resolve("east.cache"), RunDirectory.cacheIn(dir, "east"));
    }

    @Test
    void aClientFindsTheSocketWhereverTheInstancePutIt() throws IOException {
        Path xdg = temp.resolve("xdg");
        Files.createDirectories(xdg.resolve("alagg"));
        Files.createFile(xdg.resolve("alagg").resolve("west.sock"));
        RunDirectory run = new RunDirectory(Map.of("XDG_RUNTIME_DIR", xdg.toString()));
        if (!Files.exists(Path.of("/run/alagg/west.sock"))) {
            assertEquals(xdg.resolve("alagg").resolve("west.sock"), run.socketOf("west"));
        }
    }
}
