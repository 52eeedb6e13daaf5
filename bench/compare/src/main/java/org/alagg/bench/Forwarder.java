package org.alagg.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A user-space process that carries a setup's traffic (an Alagg instance, a wireguard-go daemon), seen through /proc. */
record Forwarder(String name, long pid) {
    /** Processor time it has used so far, user and system, all threads, in seconds. */
    double cpuSeconds() throws IOException {
        String stat = Files.readString(proc("stat"));
        // the command name (field 2) may hold spaces and parentheses: count the fields after its closing ')'
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(fields[14 - 3]) + Long.parseLong(fields[15 - 3]); // utime, stime
        return ticks / (double) ClockTicks.PER_SECOND;
    }

    /** Resident memory now ({@code VmRSS}), kB. */
    long rssKilobytes() throws IOException {
        return status("VmRSS");
    }

    /** The most resident memory it has had ({@code VmHWM}), kB. */
    long peakRssKilobytes() throws IOException {
        return status("VmHWM");
    }

    private long status(String field) throws IOException {
        for (String line : Files.readAllLines(proc("status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.substring(field.length() + 1).replace("kB", "").strip());
            }
        }
        throw new IOException("no " + field + " in " + proc("status") + " (" + name + ")");
    }

    private Path proc(String file) {
        return Path.of("/proc", Long.toString(pid), file);
    }
}
