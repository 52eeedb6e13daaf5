package org.alagg.config.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;

/** What the configuration file tests check of a file that must be refused: its problems, none carrying a key. */
final class Refusals {
    private Refusals() {
    }

    /** The problems of {@code lines}, read as {@code file}; none of them may carry a key {@link KeyConfigTest#key} makes. */
    static List<String> problems(Path file, String... lines) {
        ConfigFileException e = assertThrows(ConfigFileException.class, () -> ConfigFile.parse(file, List.of(lines)));
        for (int n = 0; n < 1000; n++) { // every key the tests make, the colliding one included
            String secret = KeyConfigTest.key(n).substring(0, 40);
            assertFalse(e.getMessage().contains(secret), "a key was repeated in: " + e.getMessage());
        }
        return e.problems();
    }

    /** The one problem of {@code lines}. */
    static String problem(Path file, String... lines) {
        List<String> problems = problems(file, lines);
        assertEquals(1, problems.size(), problems::toString);
        return problems.get(0);
    }

    static void assertStartsWith(String expected, String actual) {
        if (!actual.startsWith(expected)) {
            throw new AssertionError("expected a message starting with\n  " + expected + "\nbut got\n  " + actual);
        }
    }
}
