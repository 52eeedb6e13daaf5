package org.alagg.launcher;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.alagg.shell.view.Screens;
import org.alagg.shell.view.Snapshot;

/**
 * {@code alagg show} and {@code alagg top}: the instance's {@code alagg:show} over its control socket, once, or as a
 * screen redrawn every second with each link's rates since the last one. One JVM for as long as top runs, one short
 * connection a second: nothing runs in the instance between two screens.
 */
final class Top {
    /** Between two screens. */
    private static final long INTERVAL_MILLIS = 1000;
    /** When the terminal does not say how wide it is. */
    private static final int DEFAULT_WIDTH = 160;
    /** Clears the screen and puts the cursor at its top left (VT100). */
    private static final String CLEAR = "\033[H\033[2J";

    private Top() {
    }

    /** {@code alagg show [dump]}: the snapshot, or its dump form. */
    static int show(Path socket, String instance, boolean dump, PrintStream out, PrintStream err) {
        return ControlClient.run(socket, instance, dump ? "alagg:show --dump" : "alagg:show", out, err);
    }

    /** {@code alagg top}: until interrupted; returns only when the instance does not answer at the start. */
    static int top(Path socket, String instance, PrintStream out, PrintStream err) throws InterruptedException {
        Snapshot before = null;
        boolean answered = false;
        while (true) {
            ByteArrayOutputStream dump = new ByteArrayOutputStream();
            ByteArrayOutputStream problem = new ByteArrayOutputStream();
            int status = ControlClient.run(socket, instance, "alagg:show --dump", new PrintStream(dump, true, StandardCharsets.UTF_8),
                    new PrintStream(problem, true, StandardCharsets.UTF_8));
            String screen;
            Snapshot now = null;
            String unreadable = null;
            if (status == 0) {
                try {
                    now = Snapshot.parse(dump.toString(StandardCharsets.UTF_8).strip());
                } catch (IllegalArgumentException e) { // an instance of another version, say: tell, keep asking
                    unreadable = e.getMessage();
                }
            }
            if (now != null) {
                screen = Screens.top(before, now, width());
                before = now;
                answered = true;
            } else if (unreadable != null) {
                screen = "alagg top - instance " + instance + ": its figures cannot be read (" + unreadable
                        + "); is it the same Alagg version as this command?\n(asking again every second; Ctrl-C quits)";
                before = null;
            } else if (!answered && status == ControlClient.NOT_RUNNING) {
                err.print(problem.toString(StandardCharsets.UTF_8));
                return status;
            } else {
                // the instance went away or its engine stopped: say so, and keep asking
                screen = "alagg top - instance " + instance + ": " + problem.toString(StandardCharsets.UTF_8).strip()
                        + "\n(asking again every second; Ctrl-C quits)";
                before = null;
            }
            out.print(CLEAR + screen + "\n");
            out.flush();
            Thread.sleep(INTERVAL_MILLIS);
        }
    }

    /** The terminal's width, as {@code stty size} reads it from the terminal. */
    private static int width() {
        try {
            Process stty = new ProcessBuilder("stty", "size").redirectInput(new File("/dev/tty"))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String size = new String(stty.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
            if (stty.waitFor(1, TimeUnit.SECONDS) && stty.exitValue() == 0 && size.matches("\\d+ \\d+")) {
                return Integer.parseInt(size.split(" ")[1]);
            }
        } catch (IOException e) {
            // no terminal: the default
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return DEFAULT_WIDTH;
    }
}
