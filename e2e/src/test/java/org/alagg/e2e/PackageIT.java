package org.alagg.e2e;

import static org.alagg.e2e.Beds.report;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.alagg.testing.RequiresRoot;
import org.junit.jupiter.api.Test;

/**
 * The Debian package as a user gets it: {@code alagg package} builds it, its contents and fields are as
 * docs/deploy.md says, lintian has nothing to say (but for its justified overrides), the packaged unit verifies, and it
 * installs into a throwaway root (dpkg --root, maintainer scripts following DPKG_ROOT: the system user is made there),
 * where the installed command runs, and purges leaving that root as it was but for the system user, which stays locked
 * (its uid never passes to another); a second install takes the user there, a group alone becomes its group.
 */
@RequiresRoot(tools = {"dpkg", "dpkg-deb", "lintian", "systemd-analyze", "useradd"})
class PackageIT {
    @Test
    void buildsInstallsAndPurgesCleanly() throws Exception {
        long started = System.nanoTime();
        Result built = run(List.of(Beds.ROOT.resolve("alagg").toString(), "package"));
        assertEquals(0, built.status(), built.toString());
        Path deb = Path.of(built.out().strip());
        String version = System.getProperty("alagg.version", "0.1.0-SNAPSHOT");
        assertEquals("alagg_" + version.replace('-', '~') + "_all.deb", deb.getFileName().toString());

        String fields = run(List.of("dpkg-deb", "-f", deb.toString(), "Package", "Version", "Architecture", "Depends"))
                .out();
        assertEquals(String.join("\n", "Package: alagg", "Version: " + version.replace('-', '~'), "Architecture: all",
                "Depends: default-jre-headless (>= 2:1.17) | java17-runtime-headless, iproute2, iptables, passwd", ""), fields);
        String contents = run(List.of("dpkg-deb", "-c", deb.toString())).out();
        for (String entry : List.of("-rwxr-xr-x root/root .* ./usr/share/alagg/alagg",
                "lrwxrwxrwx root/root .* ./usr/bin/alagg -> ../share/alagg/alagg",
                "-rw-r--r-- root/root .* ./usr/share/alagg/alagg-launcher.jar",
                "-rw-r--r-- root/root .* ./usr/share/alagg/bundle/alagg-service-.*\\.jar",
                "-rw-r--r-- root/root .* ./lib/systemd/system/alagg@.service",
                "-rw-r--r-- root/root .* ./etc/alagg/example.cfg",
                "-rw-r--r-- root/root .* ./usr/share/doc/alagg/deploy.md",
                "-rw-r--r-- root/root .* ./usr/share/man/man1/alagg.1.gz")) {
            assertTrue(contents.lines().anyMatch(l -> l.matches(entry)), "no " + entry + " in\n" + contents);
        }

        Result lintian = run(List.of("lintian", "--fail-on", "error,warning", deb.toString()));
        assertEquals(0, lintian.status(), lintian.toString());
        assertEquals("", lintian.out().strip(), lintian.toString());

        Path root = Files.createTempDirectory("alagg-dpkg-root-");
        try {
            List<String> before = prepare(root);
            Result install = dpkg(root, "--force-depends", "-i", deb.toString());
            assertEquals(0, install.status(), install.toString());
            String listed = dpkg(root, "-L", "alagg").out();
            assertTrue(listed.contains("/lib/systemd/system/alagg@.service\n") && listed.contains("/usr/bin/alagg\n"), listed);
            String user = Files.readAllLines(root.resolve("etc/passwd")).stream().filter(l -> l.startsWith("alagg:"))
                    .findFirst().orElseThrow(() -> new AssertionError("no user alagg in " + root.resolve("etc/passwd")));
            assertTrue(user.matches("alagg:x:\\d{1,3}:\\d{1,3}:Alagg link aggregator:/nonexistent:/usr/sbin/nologin"), user);

            Result installedVersion = run(List.of(root.resolve("usr/bin/alagg").toString(), "--version"));
            assertEquals("alagg " + version + "\n", installedVersion.out(), installedVersion.toString());
            Result installedTest = run(List.of(root.resolve("usr/bin/alagg").toString(), "test"));
            assertEquals(2, installedTest.status(), installedTest.toString());
            assertEquals("alagg: test needs the source repository; this is the distribution installed in "
                    + root.resolve("usr/share/alagg") + "\n", installedTest.err());

            // the unit as packaged, with the installed command where /usr/bin/alagg will be
            Path unit = root.resolve("alagg@east.service");
            Files.writeString(unit, Files.readString(root.resolve("lib/systemd/system/alagg@.service"))
                    .replace("/usr/bin/alagg", root.resolve("usr/bin/alagg").toString()));
            Result verify = run(List.of("systemd-analyze", "verify", unit.toString()));
            Files.delete(unit);
            assertEquals(0, verify.status(), verify.toString());
            assertEquals("", verify.out().strip() + verify.err().strip(), verify.toString());

            Result purge = dpkg(root, "--purge", "alagg");
            assertEquals(0, purge.status(), purge.toString());
            assertEquals(withoutUserDatabases(before), withoutUserDatabases(files(root)), "the throwaway root after the purge");
            assertEquals(user, line(root, "etc/passwd"), "the system user stays: its uid never passes to another");
            assertTrue(line(root, "etc/shadow").matches("alagg:![^:]*:\\d*:[^:]*:[^:]*:[^:]*:[^:]*:1:"),
                    "locked, expired: " + line(root, "etc/shadow"));

            Result again = dpkg(root, "--force-depends", "-i", deb.toString());
            assertEquals(0, again.status(), "installed again with the user there: " + again);
            assertEquals(user, line(root, "etc/passwd"));
            assertTrue(line(root, "etc/shadow").matches("alagg:[^:]*:\\d*:[^:]*:[^:]*:[^:]*:[^:]*::"),
                    "no longer expired: " + line(root, "etc/shadow"));
            report("package", "%s: lintian clean, installed into %s, purged (only the locked user stays) and installed"
                    + " again (%d ms)", deb.getFileName(), root, (System.nanoTime() - started) / 1_000_000);
        } finally {
            Bed.deleteDirectory(root);
        }

        // a group alagg without its user (left by hand, or by another package): the user is made in that group
        Path other = Files.createTempDirectory("alagg-dpkg-root-");
        try {
            prepare(other);
            Files.writeString(other.resolve("etc/group"), "root:x:0:\nalagg:x:977:\n");
            Files.writeString(other.resolve("etc/gshadow"), "root:*::\nalagg:!::\n");
            Result install = dpkg(other, "--force-depends", "-i", deb.toString());
            assertEquals(0, install.status(), install.toString());
            assertTrue(line(other, "etc/passwd").matches("alagg:x:\\d{1,3}:977:.*"), line(other, "etc/passwd"));
        } finally {
            Bed.deleteDirectory(other);
        }
        // a user alagg without a group of that name (adduser --system puts it in nogroup): taken as it is
        Path third = Files.createTempDirectory("alagg-dpkg-root-");
        try {
            prepare(third);
            Files.writeString(third.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/bash\n"
                    + "alagg:x:988:65534::/nonexistent:/usr/sbin/nologin\n");
            Files.writeString(third.resolve("etc/shadow"), "root:*:19000:0:99999:7:::\nalagg:*:19000:0:99999:7:::\n");
            Files.writeString(third.resolve("etc/group"), "root:x:0:\nnogroup:x:65534:\n");
            Result install = dpkg(third, "--force-depends", "-i", deb.toString());
            assertEquals(0, install.status(), install.toString());
            assertEquals("alagg:x:988:65534::/nonexistent:/usr/sbin/nologin", line(third, "etc/passwd"));
        } finally {
            Bed.deleteDirectory(third);
        }
    }

    /** The alagg line of a user database in the root. */
    private static String line(Path root, String database) throws IOException {
        return Files.readAllLines(root.resolve(database)).stream().filter(l -> l.startsWith("alagg:")).findFirst()
                .orElseThrow(() -> new AssertionError("no alagg in " + root.resolve(database)));
    }

    /** The files, with the user databases' contents left out (the purge keeps the user). */
    private static List<String> withoutUserDatabases(List<String> files) {
        return files.stream().filter(f -> !f.contains("\n") && !f.startsWith("root:")).toList();
    }

    /** An empty root dpkg can install into: its database, and a user database with root alone. */
    private static List<String> prepare(Path root) throws IOException {
        Files.createDirectories(root.resolve("var/lib/dpkg/info"));
        Files.createDirectories(root.resolve("var/lib/dpkg/updates"));
        Files.createFile(root.resolve("var/lib/dpkg/status"));
        Files.createFile(root.resolve("var/lib/dpkg/available"));
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/bash\n");
        Files.writeString(root.resolve("etc/group"), "root:x:0:\n");
        Files.writeString(root.resolve("etc/shadow"), "root:*:19000:0:99999:7:::\n");
        Files.writeString(root.resolve("etc/gshadow"), "root:*::\n");
        return files(root);
    }

    /**
     * Every file and directory under the root but dpkg's own database and the backups useradd and userdel keep of the
     * user databases ({@code etc/passwd-}: on a real system they are there anyway), with the user databases' contents.
     */
    private static List<String> files(Path root) throws IOException {
        List<String> files = new ArrayList<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all.sorted()::iterator) {
                String relative = root.relativize(p).toString();
                if (relative.startsWith("var/lib/dpkg") || relative.matches("etc/(passwd|group|shadow|gshadow)-")) {
                    continue;
                }
                files.add(relative);
                if (relative.matches("etc/(passwd|group|shadow|gshadow)")) {
                    files.add(Files.readString(p));
                }
            }
        }
        return files;
    }

    private static Result dpkg(Path root, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("dpkg", "--root=" + root, "--force-script-chrootless",
                "--log=/dev/null"));
        command.addAll(List.of(args));
        return run(command);
    }

    private record Result(int status, String out, String err) {
        @Override
        public String toString() {
            return "exit status " + status + "\n--- stdout:\n" + out + "--- stderr:\n" + err;
        }
    }

    private static Result run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).start();
        var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return e.toString();
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command + " did not end within 120 s");
        }
        return new Result(p.exitValue(), out, err.join());
    }
}
