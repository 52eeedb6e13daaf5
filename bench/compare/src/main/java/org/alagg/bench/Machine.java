package org.alagg.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

import org.alagg.testing.TestNetwork;

/**
 * Where and when the figures were taken. The load average is part of it: on a shared machine every figure is
 * lower and noisier.
 *
 * @param java the first line of {@code java -version} of the java on PATH, the one {@code alagg run} starts
 * @param wireguardGo the version of the wireguard-go package the run compares with
 */
record Machine(String date, String cores, String cpu, String kernel, String java, String loadAverage,
               String wireguardGo) {
    static Machine describe() throws IOException {
        String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .findFirst().map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse("unknown");
        String[] load = Files.readString(Path.of("/proc/loadavg")).split(" ");
        return new Machine(ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm zzz")),
                TestNetwork.run("nproc").strip(), cpu, TestNetwork.run("uname", "-r").strip(),
                TestNetwork.run("sh", "-c", "java -version 2>&1").lines().findFirst().orElse("unknown"),
                load[0] + " " + load[1] + " " + load[2], wireguardGoVersion());
    }

    /** The wireguard-go package's version ({@code dpkg-query}); its binary prints an older tag (facts.md). */
    private static String wireguardGoVersion() {
        try {
            return TestNetwork.run("dpkg-query", "-W", "-f=${Version}", "wireguard-go").strip();
        } catch (IOException e) {
            return "not installed";
        }
    }

    /** One line for the chart. */
    String caption() {
        return date + " · " + cores + " cores, " + cpu + " · kernel " + kernel + " · load average at start "
                + loadAverage;
    }
}
