package org.alagg.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line's answers to mistakes, which never start anything. */
class MainTest {
    @TempDir
    Path temp;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) throws Exception {
        return Main.run(List.of(args), Map.of(RunDirectory.ENV, temp.resolve("run").toString()),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String errors() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void noCommandPrintsUsage() throws Exception {
        assertEquals(Main.USAGE, run());
        assertTrue(errors().contains("usage: alagg run -c FILE"));
    }

    @Test
    void unknownCommandIsNamed() throws Exception {
        assertEquals(Main.USAGE, run("start"));
        assertTrue(errors().contains("unknown command 'start'"));
    }

    @Test
    void runWithoutAFileSaysWhatIsMissing() throws Exception {
        assertEquals(Main.USAGE, run("run"));
        assertTrue(errors().contains("give -c FILE"));
    }

    @Test
    void aBadFileIsReportedLineByLineAndNothingStarts() throws Exception {
        Path file = temp.resolve("bad.cfg");
        Files.write(file, List.of("instance = x", "link.eth1 = 02:00:00:00:00", "colour = blue"));
        assertEquals(Main.USAGE, run("run", "-c", file.toString()));
        assertTrue(errors().contains(file + ":2: malformed MAC address '02:00:00:00:00'"), errors());
        assertTrue(errors().contains(file + ":3: unknown key 'colour'"), errors());
        assertTrue(errors().contains("2 problem(s) in " + file + "; nothing was started"), errors());
        assertTrue(Files.notExists(temp.resolve("run")), "no run directory was made");
    }

    @Test
    void aMissingFileIsNamed() throws Exception {
        assertEquals(Main.USAGE, run("run", "-c", temp.resolve("none.cfg").toString()));
        assertTrue(errors().contains("cannot read configuration " + temp.resolve("none.cfg")), errors());
    }

    @Test
    void ctlToAnInstanceThatDoesNotRunSaysSo() throws Exception {
        assertEquals(ControlClient.NOT_RUNNING, run("ctl", "--instance", "ghost", "lb"));
        assertTrue(errors().contains("no instance 'ghost' is running"), errors());
    }

    @Test
    void ctlWithoutACommandAsksForOne() throws Exception {
        assertEquals(Main.USAGE, run("ctl", "--instance", "east"));
        assertTrue(errors().contains("which command?"), errors());
    }

    @Test
    void showAndTopOfAnInstanceThatDoesNotRunSaySo() throws Exception {
        assertEquals(ControlClient.NOT_RUNNING, run("show", "--instance", "ghost"));
        assertTrue(errors().contains("no instance 'ghost' is running"), errors());
        assertEquals(ControlClient.NOT_RUNNING, run("top", "--instance", "ghost"));
    }

    @Test
    void showAndTopRefuseWhatTheyDoNotKnow() throws Exception {
        assertEquals(Main.USAGE, run("show", "--instance", "east", "everything"));
        assertTrue(errors().contains("alagg show: unexpected 'everything'"), errors());
        assertEquals(Main.USAGE, run("top", "dump"));
        assertTrue(errors().contains("alagg top: unexpected 'dump'"), errors());
    }
}
