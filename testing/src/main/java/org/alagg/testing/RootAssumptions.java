package org.alagg.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Programmatic form of {@link RequiresRoot}: {@link #assumeRoot(String...)} skips the calling test when not
 * root (or a tool is missing), and fails it instead when the environment variable {@code CI} is {@code true}.
 */
public final class RootAssumptions {
    /** The environment variable that turns a would-be skip into a failure when it is {@code true}. */
    public static final String CI_VARIABLE = "CI";

    private RootAssumptions() {
    }

    /** Whether the effective user id of this process is 0, read from {@code /proc/self/status}. */
    public static boolean isRoot() {
        return effectiveUid() == 0;
    }

    /** The effective user id of this process, or -1 when {@code /proc/self/status} cannot tell. */
    public static long effectiveUid() {
        try {
            return parseEffectiveUid(Files.readAllLines(Path.of("/proc/self/status")));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The effective uid from the lines of a {@code /proc/<pid>/status} file ({@code Uid: real effective ...}), or -1. */
    static long parseEffectiveUid(List<String> statusLines) {
        for (String line : statusLines) {
            if (line.startsWith("Uid:")) {
                String[] fields = line.substring(4).trim().split("\\s+");
                return fields.length >= 2 ? Long.parseLong(fields[1]) : -1;
            }
        }
        return -1;
    }

    /** Whether {@code CI=true}: then nothing that needs root may be skipped. */
    public static boolean isCi() {
        return "true".equalsIgnoreCase(System.getenv(CI_VARIABLE));
    }

    /** Whether {@code tool} is an executable file on {@code PATH}. */
    public static boolean hasTool(String tool) {
        String path = System.getenv("PATH");
        if (path == null) {
            path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Skips the calling test unless it runs as root and every tool is on {@code PATH}; with {@code CI=true}
     * fails it instead.
     */
    public static void assumeRoot(String... tools) {
        String reason = whyNot(tools);
        if (reason == null) {
            return;
        }
        if (isCi()) {
            Assertions.fail(ciFailure(reason));
        }
        Assumptions.abort(skipReason(reason));
    }

    /** Why a root test cannot run here, or {@code null} when it can. */
    static String whyNot(String... tools) {
        long uid = effectiveUid();
        if (uid != 0) {
            return "needs root, but runs as uid " + (uid < 0 ? "unknown (no /proc/self/status)" : uid)
                    + " (root tests create network namespaces, veth pairs, raw sockets and TUN devices)";
        }
        StringBuilder missing = new StringBuilder();
        for (String tool : tools) {
            if (!hasTool(tool)) {
                missing.append(missing.length() == 0 ? "" : ", ").append(tool);
            }
        }
        return missing.length() == 0 ? null : "needs the command(s) " + missing + " on PATH";
    }

    static String skipReason(String reason) {
        return "skipped: " + reason + "; run as root to include it (with " + CI_VARIABLE + "=true this is a failure)";
    }

    static String ciFailure(String reason) {
        return "root test cannot run although " + CI_VARIABLE + "=true: " + reason
                + "; CI must run as root with the tools installed";
    }
}
