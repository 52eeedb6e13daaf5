package org.alagg.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Throw-away network namespaces with veth pairs, for root tests on the real kernel.
 *
 * <p>Every namespace is named {@code alagg-t-<pid>-<random>-<name>}, so tests running at the same time, in
 * this JVM or another, never meet. {@link #close()} kills the processes started in them and deletes the
 * namespaces (which deletes their veth and TUN devices); a JVM shutdown hook does the same for networks a
 * test failed to close, and {@link #create()} removes namespaces left behind by JVMs that died (their pid no
 * longer runs and they are older than ten minutes). Only use addresses inside these namespaces: they exist nowhere else.
 *
 * <pre>{@code
 * try (TestNetwork net = TestNetwork.create()) {
 *     String a = net.namespace("a"), b = net.namespace("b");
 *     net.veth(a, "l1a", b, "l1b");
 *     net.address(a, "l1a", "10.203.1.1/24");
 *     ...
 * }
 * }</pre>
 */
public final class TestNetwork implements AutoCloseable {
    /** Every namespace a TestNetwork creates starts with this. */
    public static final String PREFIX = "alagg-t-";

    private static final Path NETNS_DIR = Path.of("/var/run/netns");
    private static final long COMMAND_TIMEOUT_SECONDS = 30;
    /** A dead owner's namespaces are removed only when this old: a pid from another pid namespace may look dead. */
    private static final long STALE_AFTER_MILLIS = 10 * 60 * 1000;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<TestNetwork> OPEN = Collections.synchronizedSet(new LinkedHashSet<>());

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            List<TestNetwork> left;
            synchronized (OPEN) {
                left = new ArrayList<>(OPEN);
            }
            for (TestNetwork network : left) {
                network.close();
            }
        }, "alagg-testnetwork-cleanup"));
    }

    private final String id;
    private final List<String> namespaces = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    private boolean closed;

    private TestNetwork(String id) {
        this.id = id;
    }

    /**
     * A new, empty test network. Needs root and {@code ip} (iproute2).
     *
     * @throws IOException when namespaces cannot be listed
     */
    public static TestNetwork create() throws IOException {
        removeStale();
        String id = PREFIX + ProcessHandle.current().pid() + "-" + String.format(Locale.ROOT, "%04x", RANDOM.nextInt(0x10000));
        TestNetwork network = new TestNetwork(id);
        OPEN.add(network);
        return network;
    }

    /** The prefix of this network's namespace names, {@code alagg-t-<pid>-<random>}. */
    public String id() {
        return id;
    }

    /** The namespaces created so far, in order. */
    public synchronized List<String> namespaces() {
        return List.copyOf(namespaces);
    }

    /**
     * Creates the namespace {@code <id>-<name>} with its loopback up.
     *
     * @return its full name, for {@code ip netns exec}, {@code /var/run/netns/<name>} and the other methods
     */
    public synchronized String namespace(String name) throws IOException {
        checkOpen();
        if (!name.matches("[A-Za-z0-9_.]+")) {
            throw new IllegalArgumentException("namespace name '" + name + "': use letters, digits, '_' and '.'");
        }
        String full = id + "-" + name;
        if (namespaces.contains(full)) {
            throw new IllegalArgumentException("namespace " + full + " exists already");
        }
        run("ip", "netns", "add", full);
        namespaces.add(full);
        run("ip", "-n", full, "link", "set", "lo", "up");
        return full;
    }

    /**
     * Creates a veth pair between two of this network's namespaces (or twice the same one), both ends up.
     * Interface names are per namespace: short fixed names like {@code l1a} are fine.
     */
    public void veth(String namespaceA, String interfaceA, String namespaceB, String interfaceB) throws IOException {
        checkMine(namespaceA);
        checkMine(namespaceB);
        checkInterfaceName(interfaceA);
        checkInterfaceName(interfaceB);
        run("ip", "link", "add", interfaceA, "netns", namespaceA, "type", "veth",
                "peer", "name", interfaceB, "netns", namespaceB);
        up(namespaceA, interfaceA);
        up(namespaceB, interfaceB);
    }

    /** Adds an address ({@code 10.203.1.1/24}, {@code fd00:203::1/64}) to an interface; IPv6 without DAD. */
    public void address(String namespace, String interfaceName, String cidr) throws IOException {
        checkMine(namespace);
        if (cidr.contains(":")) {
            run("ip", "-n", namespace, "addr", "add", cidr, "dev", interfaceName, "nodad");
        } else {
            run("ip", "-n", namespace, "addr", "add", cidr, "dev", interfaceName);
        }
    }

    /** Sets an interface up. */
    public void up(String namespace, String interfaceName) throws IOException {
        checkMine(namespace);
        run("ip", "-n", namespace, "link", "set", interfaceName, "up");
    }

    /** Sets an interface down. */
    public void down(String namespace, String interfaceName) throws IOException {
        checkMine(namespace);
        run("ip", "-n", namespace, "link", "set", interfaceName, "down");
    }

    /**
     * Runs a command in a namespace ({@code ip netns exec}) and waits for it.
     *
     * @return its standard output
     * @throws IOException with its standard error when it fails or takes longer than 30 s
     */
    public String exec(String namespace, String... command) throws IOException {
        checkMine(namespace);
        return run(inNamespace(namespace, command));
    }

    /**
     * Starts a command in a namespace without waiting; it is killed by {@link #close()} at the latest.
     * Its standard error is discarded; read its standard output from the returned process.
     */
    public Process start(String namespace, String... command) throws IOException {
        return start(namespace, new ProcessBuilder().redirectError(ProcessBuilder.Redirect.DISCARD), command);
    }

    /**
     * Starts a command in a namespace without waiting, as {@code builder} says (environment, redirections;
     * its command is replaced); it is killed by {@link #close()} at the latest.
     */
    public synchronized Process start(String namespace, ProcessBuilder builder, String... command) throws IOException {
        checkMine(namespace);
        checkOpen();
        Process process = builder.command(inNamespace(namespace, command)).start();
        processes.add(process);
        return process;
    }

    /**
     * Runs a command (in the namespace of this thread) and waits for it.
     *
     * @return its standard output
     * @throws IOException with its standard error when it fails or takes longer than 30 s
     */
    public static String run(String... command) throws IOException {
        return run(List.of(command));
    }

    private static String run(List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
        String stdout = readAll(process.getInputStream());
        try {
            if (!process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + ": still running after " + COMMAND_TIMEOUT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(String.join(" ", command) + ": interrupted", e);
        }
        if (process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed with exit code " + process.exitValue() + ": "
                    + stderr.join().trim());
        }
        return stdout;
    }

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static List<String> inNamespace(String namespace, String... command) {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        all.addAll(List.of(command));
        return all;
    }

    /** Kills the processes started here and deletes every namespace; never throws. Idempotent. */
    @Override
    public void close() {
        List<Process> toKill;
        List<String> toDelete;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toKill = new ArrayList<>(processes);
            toDelete = new ArrayList<>(namespaces);
            Collections.reverse(toDelete);
        }
        for (Process p : toKill) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (Process p : toKill) {
            try {
                p.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (String ns : toDelete) {
            deleteNamespace(ns);
        }
        OPEN.remove(this);
    }

    private static void deleteNamespace(String ns) {
        try {
            run("ip", "netns", "del", ns);
        } catch (IOException e) {
            if (Files.exists(NETNS_DIR.resolve(ns))) {
                System.err.println("TestNetwork: could not delete namespace " + ns + ": " + e.getMessage());
            }
        }
    }

    /** Deletes namespaces {@code alagg-t-<pid>-...} whose pid no longer runs: left by a JVM that was killed. */
    static void removeStale() throws IOException {
        if (!Files.isDirectory(NETNS_DIR)) {
            return;
        }
        List<String> stale = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(NETNS_DIR, PREFIX + "*")) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                long pid = ownerPid(name);
                if (pid > 0 && ProcessHandle.of(pid).isEmpty() && olderThan(entry, STALE_AFTER_MILLIS)) {
                    stale.add(name);
                }
            }
        }
        for (String ns : stale) {
            deleteNamespace(ns);
        }
    }

    private static boolean olderThan(Path entry, long millis) {
        try {
            return System.currentTimeMillis() - Files.getLastModifiedTime(entry).toMillis() > millis;
        } catch (IOException e) {
            return false;
        }
    }

    /** The pid in {@code alagg-t-<pid>-...}, or -1. */
    static long ownerPid(String namespace) {
        if (!namespace.startsWith(PREFIX)) {
            return -1;
        }
        String rest = namespace.substring(PREFIX.length());
        int dash = rest.indexOf('-');
        try {
            return Long.parseLong(dash < 0 ? rest : rest.substring(0, dash));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private synchronized void checkMine(String namespace) {
        if (!namespaces.contains(namespace)) {
            throw new IllegalArgumentException("namespace " + namespace + " was not created by this TestNetwork ("
                    + id + "); use the name namespace() returned");
        }
    }

    private static void checkInterfaceName(String name) {
        if (name.isEmpty() || name.length() > 15 || !name.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("interface name '" + name + "': 1 to 15 letters, digits, '_', '.', '-'");
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("TestNetwork " + id + " is closed");
        }
    }

    @Override
    public String toString() {
        return "TestNetwork " + id + " " + namespaces;
    }
}
