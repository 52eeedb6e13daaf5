package org.alagg.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code alagg genkey}: a new key on one line, nothing started. */
class GenKeyTest {
    @TempDir
    Path temp;

    private record Result(int status, String out, String err) {
    }

    private Result run(String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(List.of(args), Map.of(RunDirectory.ENV, temp.resolve("run").toString()),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void printsOneLineOf44Base64CharactersThatDecodeTo32Bytes() throws Exception {
        Result r = run("genkey");
        assertEquals(0, r.status(), r::toString);
        assertEquals("", r.err());
        assertTrue(r.out().endsWith("\n"), r.out());
        String key = r.out().substring(0, r.out().length() - 1);
        assertEquals(44, key.length(), key);
        assertTrue(key.matches("[A-Za-z0-9+/]{43}="), key);
        assertEquals(32, Base64.getDecoder().decode(key).length);
        assertEquals(key, Base64.getEncoder().encodeToString(Base64.getDecoder().decode(key)), "standard Base64");
        assertTrue(Files.notExists(temp.resolve("run")), "nothing was started");
    }

    @Test
    void everyRunPrintsAnotherKey() throws Exception {
        String first = run("genkey").out();
        String second = run("genkey").out();
        assertNotEquals(first, second);
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            keys.add(run("genkey").out());
        }
        assertEquals(100, keys.size());
    }

    @Test
    void takesNoArguments() throws Exception {
        Result r = run("genkey", "--length", "16");
        assertEquals(Main.USAGE, r.status());
        assertEquals("", r.out());
        assertTrue(r.err().startsWith("alagg genkey: unknown option '--length'\nusage: alagg genkey\n"), r.err());
    }

    @Test
    void theHelpMentionsIt() throws Exception {
        Result r = run("--help");
        assertEquals(0, r.status());
        assertTrue(r.out().contains("       alagg genkey\n"), r.out());
        Result genkey = run("help", "genkey");
        assertEquals(0, genkey.status());
        assertTrue(genkey.out().contains("prints a new random key"), genkey.out());
    }
}
