package org.alagg.nfqueue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The system tools this mode runs (iptables-save, iptables, ip), in this thread's network namespace. */
final class Tools {
    private static final long TIMEOUT_SECONDS = 10;
    /** Where Debian puts the tools; a service's PATH often lacks the sbin directories. */
    private static final List<String> SYSTEM_DIRECTORIES = List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin");

    /** A tool's output, or why there is none. */
    record Result(String output, String problem) {
        boolean ok() {
            return problem == null;
        }
    }

    private Tools() {
    }

    /** Runs {@code tool args...}; a tool that is missing, fails or hangs gives a problem saying so. */
    static Result run(String tool, List<String> args) {
        return run(tool, args, TIMEOUT_SECONDS);
    }

    /** {@link #run(String, List)} given {@code timeoutSeconds} to answer. */
    static Result run(String tool, List<String> args, long timeoutSeconds) {
        Path executable = find(tool);
        if (executable == null) {
            return new Result(null, tool + " is not installed (Debian package " + (tool.equals("ip") ? "iproute2" : "iptables")
                    + ")");
        }
        List<String> command = new ArrayList<>(List.of(executable.toString()));
        command.addAll(args);
        try {
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            builder.environment().put("LC_ALL", "C"); // messages in English: callers look for some ("No such process")
            Process p = builder.start();
            // both streams read on threads of their own: a tool that hangs with its output open is timed out too
            CompletableFuture<String> errors = readAsync(p.getErrorStream());
            CompletableFuture<String> outputs = readAsync(p.getInputStream());
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly(); // its streams close, so the readers end
                return new Result(null, String.join(" ", command) + " gave no answer within " + timeoutSeconds + " s");
            }
            String output = outputs.join();
            if (p.exitValue() != 0) {
                return new Result(null, String.join(" ", command) + " failed with exit code " + p.exitValue() + ": "
                        + errors.join().strip());
            }
            return new Result(output, null);
        } catch (IOException e) {
            return new Result(null, executable + " could not be run: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(null, executable + ": interrupted");
        }
    }

    /** Reads a stream to its end on a daemon thread of its own (blocking reads stay off the shared pools). */
    private static CompletableFuture<String> readAsync(InputStream in) {
        CompletableFuture<String> result = new CompletableFuture<>();
        Thread reader = new Thread(() -> result.complete(read(in)), "alagg-tool-output");
        reader.setDaemon(true);
        reader.start();
        return result;
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static Path find(String tool) {
        Set<String> directories = new LinkedHashSet<>();
        String path = System.getenv("PATH");
        if (path != null) {
            directories.addAll(List.of(path.split(File.pathSeparator)));
        }
        directories.addAll(SYSTEM_DIRECTORIES);
        for (String directory : directories) {
            if (!directory.isEmpty() && Files.isExecutable(Path.of(directory, tool))) {
                return Path.of(directory, tool);
            }
        }
        return null;
    }
}
