package org.alagg.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.alagg.testing.TestNetwork;

/**
 * The two-host test bed: namespaces A and B joined by veth links {@code l1a-l1b}, {@code l2a-l2b}, ..., each side
 * running its own Alagg instance through the distribution ({@code alagg run -c <config>}), configured with the
 * real interface names and the peer's real MAC addresses. Offloads are off on every veth, so every packet is a
 * frame of its own. Faults (loss, queueing delay, a cut) are applied to links as an operator would: nftables,
 * tc, {@code ip link}.
 *
 * <p>{@link #close()} stops both instances and deletes the namespaces (with their devices, rules and qdiscs) and
 * the bed's directory; a JVM shutdown hook does the same when a run is interrupted.
 */
public final class Bed implements AutoCloseable {
    /** How the application traffic enters Alagg on both sides. */
    public enum Capture {
        /** iptables NFQUEUE rules for the peer's addresses; raw-socket delivery. */
        NFQUEUE,
        /** a TUN device with the application addresses. */
        TUN,
        /** a TAP device: Ethernet frames, ARP and neighbour discovery cross the aggregate. */
        TAP
    }

    /** Queue number of the NFQUEUE rules. */
    static final int QUEUE = 0;
    /** The mark Alagg puts on what it sends on a host (its default); the rules skip it. */
    static final int MARK = 41385;
    private static final int ETHERTYPE = 0x88B5;

    private final TestNetwork network;
    private final Path directory;
    /** The project directory whose {@code alagg} script and distribution the instances run. */
    private final Path root;
    private final boolean ownDistribution;
    private final Capture capture;
    private final int links;
    private final Side a;
    private final Side b;
    /** Closes the bed when the JVM exits first (Ctrl-C, a killed test run). */
    private CloseOnExit closeOnExit;

    private Bed(TestNetwork network, Path directory, Path root, boolean ownDistribution, Capture capture, int links,
            Side a, Side b) {
        this.network = network;
        this.directory = directory;
        this.root = root;
        this.ownDistribution = ownDistribution;
        this.capture = capture;
        this.links = links;
        this.a = a;
        this.b = b;
    }

    /**
     * Builds the network and writes both configurations, with the first {@code configuredLinks} of
     * {@code links} links in them; the instances are not started yet.
     *
     * @param root the project directory, where the {@code alagg} script is
     * @param extraConfig lines added to both configurations, e.g. {@code reorder = windowed}
     */
    public static Bed create(Path root, Capture capture, int links, int configuredLinks, List<String> extraConfig)
            throws IOException {
        return create(root, capture, links, configuredLinks, extraConfig, false);
    }

    /**
     * Like {@link #create(Path, Capture, int, int, List)}; with {@code ownDistribution} the bed first copies the
     * {@code alagg} script, the built distribution ({@code launcher/target/alagg}) and {@code configadmin/} into its
     * directory and both sides run that copy, exactly as a user runs the original: its {@code plugins/} folder
     * ({@link #pluginsFolder()}) is the bed's own, so a jar dropped there reaches only this bed's instances and
     * disappears with it, and a rebuild of the project's distribution while the bed runs does not touch it.
     */
    public static Bed create(Path root, Capture capture, int links, int configuredLinks, List<String> extraConfig,
            boolean ownDistribution) throws IOException {
        return create(root, capture, links, configuredLinks, extraConfig, ownDistribution, false);
    }

    /**
     * Like {@link #create(Path, Capture, int, int, List, boolean)}; with {@code vethOffloads} the veth links keep the
     * kernel's default offloads (TSO and GSO on: a local TCP sender's segments cross them as super-packets) instead
     * of one frame per packet, as real hosts have them.
     */
    public static Bed create(Path root, Capture capture, int links, int configuredLinks, List<String> extraConfig,
            boolean ownDistribution, boolean vethOffloads) throws IOException {
        return create(root, capture, links, configuredLinks, extraConfig, ownDistribution, vethOffloads, false);
    }

    /**
     * An NFQUEUE bed whose instances make their own rules and routes ({@code capture.destinations}, the peer's two
     * addresses): only the application addresses are set up by hand, on {@code lo}.
     */
    public static Bed createManaged(Path root, int links, int configuredLinks, List<String> extraConfig) throws IOException {
        return createManaged(root, links, configuredLinks, extraConfig, false);
    }

    /** Like {@link #createManaged(Path, int, int, List)}, with its own distribution as {@link #create} has it. */
    public static Bed createManaged(Path root, int links, int configuredLinks, List<String> extraConfig,
            boolean ownDistribution) throws IOException {
        return create(root, Capture.NFQUEUE, links, configuredLinks, extraConfig, ownDistribution, false, true);
    }

    private static Bed create(Path root, Capture capture, int links, int configuredLinks, List<String> extraConfig,
            boolean ownDistribution, boolean vethOffloads, boolean managedCapture) throws IOException {
        if (links < 1 || links > 9 || configuredLinks > links) {
            throw new IllegalArgumentException("1 to 9 links, at most all of them configured: " + links + ", " + configuredLinks);
        }
        TestNetwork network = TestNetwork.create();
        Path directory = null;
        try {
            directory = Files.createTempDirectory("alagg-bed-");
            Path runs = ownDistribution ? copyDistribution(root, directory.resolve("dist")) : root;
            String nsA = network.namespace("a");
            String nsB = network.namespace("b");
            for (int i = 1; i <= links; i++) {
                network.veth(nsA, link(i, 'a'), nsB, link(i, 'b'));
                for (String[] end : new String[][] {{nsA, link(i, 'a')}, {nsB, link(i, 'b')}}) {
                    if (!vethOffloads) {
                        network.exec(end[0], "ethtool", "-K", end[1], "tso", "off", "gso", "off", "gro", "off");
                    }
                }
            }
            String tag = network.id().substring(network.id().lastIndexOf('-') + 1);
            Side a = new Side(network, runs, directory, "bed-" + tag + "-a", nsA, 'a', capture);
            Side b = new Side(network, runs, directory, "bed-" + tag + "-b", nsB, 'b', capture);
            a.peer = b;
            b.peer = a;
            Bed bed = new Bed(network, directory, runs, ownDistribution, capture, links, a, b);
            for (Side side : List.of(a, b)) {
                side.managedCapture = managedCapture;
                side.prepare();
                side.writeConfig(bed, configuredLinks, extraConfig);
            }
            bed.closeOnExit = new CloseOnExit("alagg-bed-cleanup", bed);
            return bed;
        } catch (IOException | RuntimeException e) {
            network.close();
            deleteDirectory(directory);
            throw e;
        }
    }

    /** Copies what {@code alagg run} and {@code alagg ctl} use into {@code to}, laid out as in the project. */
    private static Path copyDistribution(Path root, Path to) throws IOException {
        Path distribution = root.resolve("launcher/target/alagg");
        if (!Files.isRegularFile(distribution.resolve("alagg-launcher.jar"))) {
            throw new IOException("no distribution in " + distribution + ": build it first (mvn install, or alagg build)");
        }
        copyTree(distribution, to.resolve("launcher/target/alagg"));
        copyTree(root.resolve("configadmin"), to.resolve("configadmin"));
        Files.copy(root.resolve("alagg"), to.resolve("alagg"), StandardCopyOption.COPY_ATTRIBUTES);
        Files.createDirectories(to.resolve("launcher/target/alagg/plugins"));
        return to;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    /** Starts both instances and waits until a ping crosses the aggregate in both directions. */
    public Bed start() throws IOException, InterruptedException {
        a.instance().start();
        b.instance().start();
        awaitForwarding(Duration.ofSeconds(30));
        return this;
    }

    /**
     * Waits until a ping is answered from each side to each of the other's addresses, IPv4 and IPv6 (a new IPv6
     * address is tentative for a while: duplicate address detection).
     */
    public void awaitForwarding(Duration within) throws IOException, InterruptedException {
        long end = System.nanoTime() + within.toNanos();
        for (Side side : List.of(a, b)) {
            for (String to : List.of(side.peer().ipv4(), side.peer().ipv6())) {
                while (true) {
                    String failure;
                    try {
                        Traffic.Ping ping = Traffic.ping(side, to, 1, 0.2);
                        if (ping.allAnswered()) {
                            break;
                        }
                        failure = ping.toString();
                    } catch (IOException e) {
                        failure = e.getMessage(); // e.g. no route yet: the TUN device is not there yet
                    }
                    if (System.nanoTime() - end > 0) {
                        throw new IOException("no ping from " + side + " to " + to + " within " + within.toSeconds()
                                + " s (" + failure + ")\n" + a.instance().log() + "\n" + b.instance().log());
                    }
                    if (!a.instance().alive() || !b.instance().alive()) {
                        throw new IOException("an instance exited\n" + a.instance().log() + "\n" + b.instance().log());
                    }
                    Thread.sleep(20); // a ping without a route fails at once: leave the processor to the instances
                }
            }
        }
    }

    public Side a() {
        return a;
    }

    public Side b() {
        return b;
    }

    public Capture capture() {
        return capture;
    }

    /** The number of veth links. */
    public int links() {
        return links;
    }

    /** The bytes {@code side}'s link interfaces sent, all links together (the kernel's count: Ethernet header and all). */
    public long linksTxBytes(Side side) throws IOException {
        long bytes = 0;
        for (int n = 1; n <= links; n++) {
            bytes += side.txBytes(side.link(n));
        }
        return bytes;
    }

    /**
     * The watched {@code plugins/} folder of the distribution this bed runs: a bundle jar moved in is installed and
     * started by both instances, removing it uninstalls it. Only for a bed with its own distribution.
     */
    public Path pluginsFolder() {
        if (!ownDistribution) {
            throw new IllegalStateException("this bed runs the project's distribution: create it with its own to drop plugins in");
        }
        return root.resolve("launcher/target/alagg/plugins");
    }

    /** The bed's directory: configurations, logs, the control sockets, transferred files. */
    public Path directory() {
        return directory;
    }

    /** The underlying namespaces, to run more commands in them. */
    public TestNetwork network() {
        return network;
    }

    /** The interface name of link {@code n} (from 1) on side {@code 'a'} or {@code 'b'}: {@code l2b}. */
    public static String link(int n, char side) {
        return "l" + n + side;
    }

    /**
     * Drops {@code percent} % of the Alagg frames arriving on link {@code n}, in both directions, at random
     * (nftables netdev ingress rules with numgen); 100 drops them all, 0 removes the rules.
     */
    public void loss(int n, int percent) throws IOException {
        loss(a, n, percent);
        loss(b, n, percent);
    }

    /** Like {@link #loss(int, int)}, for the frames {@code receiver} gets on link {@code n} only. */
    public void loss(Side receiver, int n, int percent) throws IOException {
        loss(network, receiver.namespace(), receiver.link(n), percent);
    }

    /**
     * Drops {@code percent} % of the Alagg frames that arrive on {@code device} in {@code namespace} (an nftables netdev
     * ingress rule with numgen, in a table of the device's own); 100 drops them all, 0 removes the rule.
     */
    static void loss(TestNetwork network, String namespace, String device, int percent) throws IOException {
        String table = "alagg_loss_" + device;
        try {
            network.exec(namespace, "nft", "delete", "table", "netdev", table);
        } catch (IOException e) {
            // not there: nothing to remove
        }
        if (percent == 0) {
            return;
        }
        network.exec(namespace, "nft", "add", "table", "netdev", table);
        network.exec(namespace, "nft", "add", "chain", "netdev", table, "in",
                "{ type filter hook ingress device " + device + " priority 0 ; }");
        String etherType = String.format(Locale.ROOT, "0x%04x", ETHERTYPE);
        if (percent >= 100) {
            // nft takes no "numgen random mod 100 < 100": every frame is a plain drop
            network.exec(namespace, "nft", "add", "rule", "netdev", table, "in", "ether", "type", etherType, "counter", "drop");
            return;
        }
        network.exec(namespace, "nft", "add", "rule", "netdev", table, "in", "ether", "type", etherType, "numgen", "random",
                "mod", "100", "<", Integer.toString(percent), "counter", "drop");
    }

    /**
     * Makes link {@code n} slow in both directions: a token bucket of {@code rate} (tc syntax, e.g.
     * {@code 50mbit}) with up to {@code latencyMillis} of queueing; {@code null} removes it.
     */
    public void slow(int n, String rate, int latencyMillis) throws IOException {
        for (Side side : List.of(a, b)) {
            side.execQuietly("tc", "qdisc", "del", "dev", side.link(n), "root");
            if (rate != null) {
                side.exec("tc", "qdisc", "add", "dev", side.link(n), "root", "tbf", "rate", rate, "burst", "32kbit",
                        "latency", latencyMillis + "ms");
            }
        }
    }

    /** Sets the MTU of link {@code n} at both ends ({@code ip link set dev l<n>a mtu <mtu>}, then l<n>b). */
    public void mtu(int n, int mtu) throws IOException {
        for (Side side : List.of(a, b)) {
            side.exec("ip", "link", "set", "dev", side.link(n), "mtu", Integer.toString(mtu));
        }
    }

    /** Cuts link {@code n} ({@code ip link set l<n>a down}: both ends lose carrier) or restores it. */
    public void cut(int n, boolean cut) throws IOException {
        if (cut) {
            network.down(a.namespace(), a.link(n));
        } else {
            network.up(a.namespace(), a.link(n));
        }
    }

    /** Stops both instances, deletes the namespaces and the bed's directory. Never throws. Idempotent. */
    @Override
    public synchronized void close() {
        if (closeOnExit != null) {
            closeOnExit.closing();
        }
        for (Side side : List.of(a, b)) {
            try {
                side.instance().stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        network.close();
        deleteDirectory(directory);
    }

    static void deleteDirectory(Path directory) {
        if (directory == null || !Files.exists(directory)) {
            return;
        }
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            System.err.println("bed: could not delete " + directory + ": " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "bed " + network.id() + " (" + capture.name().toLowerCase(Locale.ROOT) + ", " + links + " links)";
    }

    /** One host of the bed: its namespace, application addresses and Alagg instance. */
    public static final class Side implements Host {
        private static final Pattern MTU = Pattern.compile(" mtu (\\d+) ");
        private final TestNetwork network;
        private final String namespace;
        private final char letter;
        private final Capture capture;
        private final Instance instance;
        private Side peer;
        /** Whether the instance makes the NFQUEUE rules and routes itself (capture.destinations). */
        private boolean managedCapture;

        Side(TestNetwork network, Path root, Path directory, String instanceName, String namespace, char letter,
                Capture capture) {
            this.network = network;
            this.namespace = namespace;
            this.letter = letter;
            this.capture = capture;
            this.instance = new Instance(network, root, directory, instanceName, namespace,
                    directory.resolve(instanceName + ".cfg"));
        }

        public Instance instance() {
            return instance;
        }

        public Side peer() {
            return peer;
        }

        public String namespace() {
            return namespace;
        }

        /** This side's interface of link {@code n}. */
        public String link(int n) {
            return Bed.link(n, letter);
        }

        /**
         * Another instance in this side's namespace, its config file written from {@code lines}; not started. It
         * shares the bed's run directory and is stopped when the bed closes.
         */
        public Instance newInstance(String name, List<String> lines) throws IOException {
            Instance other = new Instance(network, instance.root(), instance.runDirectory(), name, namespace,
                    instance.runDirectory().resolve(name + ".cfg"));
            Files.write(other.config(), lines);
            return other;
        }

        /** The MTU of one of this side's interfaces, as {@code ip -o link show dev <device>} prints it. */
        public int mtu(String device) throws IOException {
            Matcher m = MTU.matcher(exec("ip", "-o", "link", "show", "dev", device));
            if (!m.find()) {
                throw new IOException("ip link show " + device + " in " + this + " prints no MTU");
            }
            return Integer.parseInt(m.group(1));
        }

        /** The bytes the kernel counts as sent by one of this side's interfaces (Ethernet header and all). */
        public long txBytes(String device) throws IOException {
            return Long.parseLong(exec("cat", "/sys/class/net/" + device + "/statistics/tx_bytes").strip());
        }

        /** The MAC address of one of this side's interfaces. */
        public String mac(String device) throws IOException {
            return exec("cat", "/sys/class/net/" + device + "/address").strip();
        }

        /** The application's IPv4 address on this side (what ping, nc and iperf3 use). */
        @Override
        public String ipv4() {
            return switch (capture) {
                case NFQUEUE -> "10.88.0." + host();
                case TUN -> "10.77.0." + host();
                case TAP -> "10.66.0." + host();
            };
        }

        /** The application's IPv6 address on this side. */
        @Override
        public String ipv6() {
            return switch (capture) {
                case NFQUEUE -> "fd88::" + host();
                case TUN -> "fd77::" + host();
                case TAP -> "fd66::" + host();
            };
        }

        private int host() {
            return letter == 'a' ? 1 : 2;
        }

        @Override
        public String exec(String... command) throws IOException {
            return network.exec(namespace, command);
        }

        /** Runs a command in this side's namespace, ignoring whether it fails. */
        public void execQuietly(String... command) {
            try {
                network.exec(namespace, command);
            } catch (IOException e) {
                // absent already: what the caller wanted
            }
        }

        @Override
        public Process start(String... command) throws IOException {
            return network.start(namespace, command);
        }

        /** The kernel-side set-up the capture mode needs before Alagg starts. */
        void prepare() throws IOException {
            if (capture != Capture.NFQUEUE) {
                return;
            }
            // The application addresses live on lo; the peer's are routed to lo too, so the route survives any
            // link going down; the NFQUEUE rule takes the packets before they would reach lo. MTU: the links'
            // 1500 minus the Alagg header.
            network.address(namespace, "lo", ipv4() + "/32");
            network.address(namespace, "lo", ipv6() + "/128");
            if (managedCapture) {
                return;
            }
            exec("ip", "route", "add", peer.ipv4() + "/32", "dev", "lo", "mtu", "1480");
            exec("ip", "-6", "route", "add", peer.ipv6() + "/128", "dev", "lo", "mtu", "1480");
            for (String[] tool : new String[][] {{"iptables", peer.ipv4()}, {"ip6tables", peer.ipv6()}}) {
                exec(tool[0], "-A", "OUTPUT", "-d", tool[1], "-m", "mark", "!", "--mark", Integer.toString(MARK),
                        "-j", "NFQUEUE", "--queue-num", Integer.toString(QUEUE));
            }
        }

        /** The configuration line of managed capture for these destinations. */
        public static String managedDestinations(String... destinations) {
            return "capture.destinations = " + String.join(", ", destinations);
        }

        void writeConfig(Bed bed, int configuredLinks, List<String> extra) throws IOException {
            List<String> lines = new ArrayList<>();
            lines.add("# written by the Alagg test bed (" + bed.network.id() + ")");
            lines.add("instance = " + instance.name());
            for (int n = 1; n <= configuredLinks; n++) {
                lines.add("link." + link(n) + " = " + peer.mac(peer.link(n)));
            }
            switch (capture) {
                case NFQUEUE -> {
                    lines.add("interceptor = nfqueue");
                    lines.add("nfqueue.num = " + QUEUE);
                    if (managedCapture) {
                        lines.add(managedDestinations(peer.ipv4() + "/32", peer.ipv6() + "/128"));
                    }
                }
                case TUN, TAP -> {
                    lines.add("interceptor = " + capture.name().toLowerCase(Locale.ROOT));
                    lines.add("tun.name = agg0");
                    lines.add("tun.address = " + ipv4() + "/24," + ipv6() + "/64");
                }
            }
            lines.addAll(extra);
            Files.write(instance.config(), lines);
        }

        @Override
        public String toString() {
            return "side " + Character.toUpperCase(letter);
        }
    }
}
