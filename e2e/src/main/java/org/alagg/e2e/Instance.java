package org.alagg.e2e;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.alagg.testing.TestNetwork;

/**
 * One Alagg instance of the bed: {@code alagg run -c <config>} started inside a namespace, the way the README
 * has an operator run it, and {@code alagg ctl --instance <name> ...} to ask it things. Its control socket
 * lives in the bed's own run directory ({@code ALAGG_RUN_DIR}), its output in {@code <name>.log} there.
 */
public final class Instance {
    private static final Duration CTL_TIMEOUT = Duration.ofSeconds(20);
    /** Between the outputs of {@link #ctlTogether}. */
    private static final String SEPARATOR = "E2E-OUTPUT-SEPARATOR";

    private final TestNetwork network;
    private final Path root;
    private final Path runDirectory;
    private final String name;
    private final String namespace;
    private final Path config;
    private Process process;
    /** Put before {@code alagg run} (e.g. setpriv and its options), and set in its environment. */
    private List<String> launcher = List.of();
    private Map<String, String> environment = Map.of();

    Instance(TestNetwork network, Path root, Path runDirectory, String name, String namespace, Path config) {
        this.network = network;
        this.root = root;
        this.runDirectory = runDirectory;
        this.name = name;
        this.namespace = namespace;
        this.config = config;
    }

    /** The instance name (the {@code instance} key of its config file). */
    public String name() {
        return name;
    }

    Path root() {
        return root;
    }

    Path runDirectory() {
        return runDirectory;
    }

    /** Its configuration file; edits apply while it runs. */
    public Path config() {
        return config;
    }

    /** What the process printed (standard output and error). */
    public String log() {
        try {
            return Files.readString(log(name), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /**
     * Rewrites the configuration file and waits until the instance says it applied it (a new "Applied" line in its
     * log: the file is read every 500 ms).
     *
     * @throws IOException when it did not within {@code within}, with the end of the log
     */
    public void applyConfig(String content, Duration within) throws IOException, InterruptedException {
        long applied = appliedCount();
        Files.writeString(config, content);
        long end = System.nanoTime() + within.toNanos();
        while (appliedCount() <= applied) {
            if (System.nanoTime() - end > 0) {
                String log = log();
                throw new IOException(name + " did not apply its config file within " + within.toSeconds() + " s; its log ends:\n"
                        + log.substring(Math.max(0, log.length() - 2000)));
            }
            Thread.sleep(50);
        }
    }

    private long appliedCount() {
        // a file read half-written is refused, then "valid again and applied" once read whole
        return log().lines().filter(l -> l.contains("Applied ") || l.contains("is valid again and applied")).count();
    }

    /** The pid of the running {@code alagg run} JVM, or -1. */
    public long pid() {
        return process != null && process.isAlive() ? process.pid() : -1;
    }

    /**
     * The pid of the instance's JVM: {@code ip netns exec} and the {@code alagg} script both exec, so it is the
     * started process itself; its descendants are searched should that ever change.
     *
     * @throws IOException when the instance runs no JVM
     */
    public long javaPid() throws IOException {
        Process p = process;
        if (p == null || !p.isAlive()) {
            throw new IOException(this + " does not run");
        }
        if (isJava(p.pid())) {
            return p.pid();
        }
        return p.descendants().filter(h -> isJava(h.pid())).findFirst()
                .orElseThrow(() -> new IOException(this + ": no java process among pid " + p.pid() + " and its descendants"))
                .pid();
    }

    private static boolean isJava(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).strip().equals("java");
        } catch (IOException e) {
            return false;
        }
    }

    /** How many file descriptors the instance's JVM has open now ({@code ls /proc/<pid>/fd | wc -l}). */
    public long openFileDescriptors() throws IOException {
        try (var fds = Files.list(Path.of("/proc", Long.toString(javaPid()), "fd"))) {
            return fds.count();
        }
    }

    /**
     * From the next {@link #start()} on, runs {@code alagg run} through {@code command} (e.g. {@code setpriv ...}: as
     * another user), with these variables added to its environment (e.g. {@code NOTIFY_SOCKET}).
     */
    public synchronized void launchWith(List<String> command, Map<String, String> variables) {
        launcher = List.copyOf(command);
        environment = Map.copyOf(variables);
    }

    /** Starts {@code alagg run -c <config>} in the namespace; the log file is appended to. */
    public synchronized void start() throws IOException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("instance " + name + " runs already");
        }
        ProcessBuilder builder = new ProcessBuilder()
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log(name).toFile()));
        builder.environment().put("ALAGG_RUN_DIR", runDirectory.toString());
        builder.environment().putAll(environment);
        List<String> command = new ArrayList<>(launcher);
        // The distribution's plugins/ shared by the bed's instances, as the beds that drop plugins in expect.
        command.addAll(List.of(root.resolve("alagg").toString(), "run", "-c", config.toString(),
                "--plugins", root.resolve("launcher/target/alagg/plugins").toString()));
        process = network.start(namespace, builder, command.toArray(String[]::new));
    }

    /** SIGTERM, and SIGKILL when it has not exited after 10 s. */
    public synchronized void stop() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    /** Whether the process runs. */
    public synchronized boolean alive() {
        return process != null && process.isAlive();
    }

    /**
     * Runs {@code alagg ctl --instance <name> COMMAND...}.
     *
     * @throws IOException with its output when it fails (exit status not 0)
     */
    public String ctl(String... command) throws IOException {
        List<String> args = new ArrayList<>(List.of(root.resolve("alagg").toString(), "ctl", "--instance", name));
        args.addAll(List.of(command));
        ProcessBuilder builder = new ProcessBuilder(args)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true);
        builder.environment().put("ALAGG_RUN_DIR", runDirectory.toString());
        Process ctl = builder.start();
        // read while waiting: a ctl that hangs must not hang the caller past the timeout
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
            try (InputStream in = ctl.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
        try {
            if (!ctl.waitFor(CTL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                ctl.destroyForcibly();
                throw new IOException("alagg ctl " + String.join(" ", command) + ": no answer within " + CTL_TIMEOUT.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            ctl.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        String out = output.join();
        if (ctl.exitValue() != 0) {
            throw new IOException("alagg ctl --instance " + name + " " + String.join(" ", command) + " failed with exit status "
                    + ctl.exitValue() + ":\n" + out);
        }
        return out;
    }

    /** Waits until the instance answers {@code alagg ctl} (its bundles started, the control socket bound). */
    public void awaitAnswering(Duration within) throws IOException, InterruptedException {
        long end = System.nanoTime() + within.toNanos();
        while (true) {
            try {
                ctl("lb");
                return;
            } catch (IOException e) {
                if (!alive()) {
                    throw new IOException(this + " exited before answering:\n" + log(), e);
                }
                if (System.nanoTime() - end > 0) {
                    throw new IOException(this + " does not answer after " + within.toSeconds() + " s: " + e.getMessage(), e);
                }
            }
            Thread.sleep(100);
        }
    }

    /**
     * Runs several Gogo commands in one {@code alagg ctl} call, within milliseconds of each other, and returns each
     * one's output ({@code echo (c1) SEPARATOR (c2) ...}: the instance's shell evaluates them in order).
     */
    public List<String> ctlTogether(String... commandLines) throws IOException {
        StringBuilder line = new StringBuilder("echo");
        for (int i = 0; i < commandLines.length; i++) {
            line.append(i == 0 ? " (" : " " + SEPARATOR + " (").append(commandLines[i]).append(')');
        }
        String out = ctl(line.toString()).strip();
        List<String> parts = List.of(out.split(" " + SEPARATOR + " ", -1));
        if (parts.size() != commandLines.length) {
            throw new IOException("alagg ctl " + line + ": expected " + commandLines.length + " outputs, got:\n" + out);
        }
        return parts;
    }

    /** {@code alagg:stats --json}: the engine's counters. */
    public Map<String, Long> stats() throws IOException {
        return parseStats(ctl("alagg:stats", "--json"));
    }

    /** {@code alagg:links --json}: per link its state, detail and counters, by link (interface) name. */
    public Map<String, LinkReport> links() throws IOException {
        return parseLinks(ctl("alagg:links", "--json"));
    }

    /** {@code alagg:status --json}, parsed. */
    public Map<String, Object> status() throws IOException {
        return Json.object(Json.parse(ctl("alagg:status", "--json")), "alagg:status");
    }

    /** The counters of {@code alagg:stats} and {@code alagg:links} read together, in one control call. */
    public record Counters(Map<String, Long> stats, Map<String, LinkReport> links) {
    }

    /** {@code alagg:stats --json} and {@code alagg:links --json}, read in one control call. */
    public Counters counters() throws IOException {
        List<String> out = ctlTogether("alagg:stats --json", "alagg:links --json");
        return new Counters(parseStats(out.get(0)), parseLinks(out.get(1)));
    }

    /**
     * The counters of {@code alagg:stats --json}: its numbers by name; the numbers of a nested object (should the
     * engine group them, e.g. {@code "egress": {...}}) under their own name too unless that is taken, and as
     * {@code group.name}.
     */
    static Map<String, Long> parseStats(String json) {
        Map<String, Object> stats = Json.object(Json.parse(json), "alagg:stats");
        Map<String, Long> values = longs(stats);
        stats.forEach((group, v) -> {
            if (v instanceof Map<?, ?>) {
                longs(Json.object(v, group)).forEach((name, value) -> {
                    values.putIfAbsent(name, value);
                    values.put(group + "." + name, value);
                });
            }
        });
        return values;
    }

    /** By link name; a link of a peer other than the default one as {@code <peer>/<link>}. */
    static Map<String, LinkReport> parseLinks(String json) {
        Map<String, LinkReport> links = new LinkedHashMap<>();
        for (Object o : Json.array(Json.parse(json), "alagg:links")) {
            Map<String, Object> link = Json.object(o, "alagg:links entry");
            Object peer = link.get("peer_name");
            String id = (peer == null || peer.equals("default") ? "" : peer + "/") + link.get("link");
            links.put(id, new LinkReport(id, (String) link.get("state"), (String) link.get("detail"),
                    longs(Json.object(link.get("counters"), "counters of " + id))));
        }
        return links;
    }

    /** {@code alagg:peers --json}: per peer its state, detail and counters, by name. */
    public Map<String, PeerReport> peers() throws IOException {
        Map<String, PeerReport> peers = new LinkedHashMap<>();
        for (Object o : Json.array(Json.parse(ctl("alagg:peers", "--json")), "alagg:peers")) {
            Map<String, Object> peer = Json.object(o, "alagg:peers entry");
            String name = (String) peer.get("name");
            peers.put(name, new PeerReport(name, (String) peer.get("state"), (String) peer.get("detail"),
                    longs(Json.object(peer.get("counters"), "counters of " + name))));
        }
        return peers;
    }

    /** One row of {@code alagg:peers}. */
    public record PeerReport(String name, String state, String detail, Map<String, Long> counters) {
        /** A counter, 0 when absent. */
        public long counter(String counter) {
            return counters.getOrDefault(counter, 0L);
        }
    }

    /** One row of {@code alagg:links}. */
    public record LinkReport(String link, String state, String detail, Map<String, Long> counters) {
        /** A counter, 0 when absent. */
        public long counter(String counter) {
            return counters.getOrDefault(counter, 0L);
        }
    }

    private Path log(String instance) {
        return runDirectory.resolve(instance + ".log");
    }

    private static Map<String, Long> longs(Map<String, Object> json) {
        Map<String, Long> values = new LinkedHashMap<>();
        json.forEach((k, v) -> {
            if (v instanceof Double d) {
                values.put(k, d.longValue());
            }
        });
        return values;
    }

    @Override
    public String toString() {
        return "instance " + name + " in " + namespace;
    }
}
