package org.alagg.nfqueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The tools managed capture runs: an answer, a failure with its message, a hang cut short. */
class ToolsTest {
    @Test
    void aToolThatHangsWithItsOutputOpenIsCutShort() {
        long started = System.nanoTime();
        Tools.Result r = Tools.run("sleep", List.of("30"), 1);
        long ms = (System.nanoTime() - started) / 1_000_000;
        assertTrue(!r.ok() && r.problem().endsWith("sleep 30 gave no answer within 1 s"), r.toString());
        assertTrue(ms < 5_000, "the timeout fired, not the tool's end: " + ms + " ms");
    }

    @Test
    void aFailureSaysWhatFailedAndWhyInEnglish() {
        Tools.Result r = Tools.run("ls", List.of("/nonexistent-alagg"));
        assertTrue(!r.ok() && r.problem().contains("failed with exit code 2: ")
                && r.problem().contains("No such file or directory"), r.toString());
        assertEquals("x\n", Tools.run("echo", List.of("x")).output());
    }
}
