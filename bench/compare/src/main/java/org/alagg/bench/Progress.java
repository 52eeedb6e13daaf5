package org.alagg.bench;

import java.io.PrintStream;
import java.util.Locale;

/** What a run is doing, one line at a time, so that a ten-minute run shows it is alive and where it stands. */
final class Progress {
    private final PrintStream out;
    private String setup = "";

    Progress(PrintStream out) {
        this.out = out;
    }

    /** Lines from now on are about this setup. */
    void setup(String name) {
        setup = name;
        out.println();
        out.println("== " + name);
    }

    void line(String format, Object... args) {
        out.printf(Locale.ROOT, "  [%s] %s%n", setup, String.format(Locale.ROOT, format, args));
    }
}
