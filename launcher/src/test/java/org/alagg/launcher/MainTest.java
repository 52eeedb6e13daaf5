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

    /** A plugins folder this user cannot make (the packaged one is root's) is named, with what to do; nothing starts. */
    @Test
    void aPluginsFolderThatCannotBeMadeIsNamed() throws Exception {
        Path file = temp.resolve("good.cfg");
        Files.write(file, List.of("instance = x", "link.eth1 = 02:00:00:00:00:01"));
        Path notAFolder = temp.resolve("plain-file");
        Files.writeString(notAFolder, "");
        Path configAdmin = Files.createDirectory(temp.resolve("configadmin"));
        assertEquals(1, run("run", "-c", file.toString(), "--configadmin", configAdmin.toString(), "--plugins",
                notAFolder.resolve("x").toString()), errors());
        assertEquals("alagg: cannot make the plugins folder: " + notAFolder.resolve("x") + ": Not a directory; name one"
                + " this user may write with --plugins DIR\n", errors());
    }

    @Test
    void aMissingFileIsNamed() throws Exception {
        assertEquals(Main.USAGE, run("run", "-c", temp.resolve("none.cfg").toString()));
        assertEquals("alagg: configuration file " + temp.resolve("none.cfg") + " does not exist; nothing was started\n",
                errors());
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
        assertTrue(errors().startsWith("alagg show: unexpected argument 'everything'\nusage: alagg show"), errors());
        assertEquals(Main.USAGE, run("top", "dump"));
        assertTrue(errors().contains("alagg top: unexpected argument 'dump'"), errors());
    }

    private String output() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void everyCommandHasItsHelpOnStandardOutput() throws Exception {
        assertEquals(0, run("run", "--help"));
        assertEquals(String.join("\n",
                "usage: alagg run -c FILE [--configadmin DIR] [--plugins DIR]",
                "  runs an instance in the foreground: with a terminal it offers the Gogo shell (exit or",
                "  Ctrl-D stops the instance), without one it runs until SIGTERM or SIGINT (Ctrl-C)",
                "  -c, --config FILE     the configuration file (README.md, Configuration)",
                "  --configadmin DIR     FileInstall's directory of <pid>.cfg files",
                "  --plugins DIR         the folder watched for plugin jars; default plugins/<instance> of the",
                "                        distribution, this instance's own; name one DIR to share it", ""), output());
        for (String command : List.of("check", "ctl", "stop", "genkey", "show", "top", "sdk")) {
            out.reset();
            assertEquals(0, run(command, "-h"), command);
            assertTrue(output().startsWith("usage: alagg " + command), output());
            out.reset();
            assertEquals(0, run("help", command), command);
            assertTrue(output().startsWith("usage: alagg " + command), output());
        }
        assertEquals("", errors());
    }

    @Test
    void helpWithoutACommandListsThemAll() throws Exception {
        assertEquals(0, run("help"));
        assertEquals(String.join("\n",
                "usage: alagg run -c FILE [--configadmin DIR] [--plugins DIR]",
                "       alagg check -c FILE",
                "       alagg ctl [-i NAME] COMMAND [ARG...]",
                "       alagg stop [-i NAME]",
                "       alagg genkey",
                "       alagg show [-i NAME] [dump]",
                "       alagg top [-i NAME]",
                "       alagg sdk install [--repo DIR]",
                "       alagg --version",
                "       alagg help [COMMAND]", ""), output());
    }

    @Test
    void ctlHelpNeedsNoRunningInstance() throws Exception {
        assertEquals(0, run("ctl", "--help"));
        assertTrue(output().startsWith("usage: alagg ctl [-i NAME] COMMAND [ARG...]\n"), output());
        assertEquals("", errors());
    }

    @Test
    void unknownOptionsAreRefusedWithTheCommandsUsage() throws Exception {
        assertEquals(Main.USAGE, run("run", "--bogus", "-c", "x.cfg"));
        assertTrue(errors().startsWith("alagg run: unknown option '--bogus'\nusage: alagg run -c FILE"), errors());
        err.reset();
        assertEquals(Main.USAGE, run("ctl", "--instnce=east", "lb"));
        assertTrue(errors().startsWith("alagg ctl: unknown option '--instnce'\nusage: alagg ctl [-i NAME]"), errors());
        err.reset();
        assertEquals(Main.USAGE, run("stop", "east"));
        assertTrue(errors().startsWith("alagg stop: unexpected argument 'east'\nusage: alagg stop [-i NAME]"), errors());
        err.reset();
        assertEquals(Main.USAGE, run("ctl", "-i"));
        assertTrue(errors().startsWith("alagg ctl: option '-i' needs a value: -i, --instance NAME\n"), errors());
        err.reset();
        assertEquals(Main.USAGE, run("ctl", "-i", "a", "--instance", "b", "lb"));
        assertTrue(errors().startsWith("alagg ctl: option -i, --instance NAME is given twice\n"), errors());
    }

    @Test
    void theInstanceIsNamedEveryWayLinuxToolsAccept() throws Exception {
        for (List<String> args : List.of(List.of("ctl", "-i", "east", "lb"), List.of("ctl", "--instance", "east", "lb"),
                List.of("ctl", "--instance=east", "lb"), List.of("stop", "--instance=east"), List.of("stop", "-i", "east"))) {
            err.reset();
            assertEquals(ControlClient.NOT_RUNNING, run(args.toArray(String[]::new)), args.toString());
            assertEquals("alagg: no instance 'east' is running (no control socket " + temp.resolve("run/east.sock") + ")\n",
                    errors(), args.toString());
        }
    }

    @Test
    void optionsAfterTheCommandLineOfCtlBelongToIt() throws Exception {
        assertEquals(ControlClient.NOT_RUNNING, run("ctl", "-i", "east", "alagg:status", "--json"));
        assertTrue(errors().contains("no instance 'east'"), errors());
    }
}
