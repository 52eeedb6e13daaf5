package org.alagg.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.alagg.testing.TestNetwork;

/**
 * The many-peers test bed: a hub namespace and N spoke namespaces, joined by two LANs, each LAN a bridge in a namespace
 * of its own. Every host has one interface on each LAN ({@code l1}, {@code l2}): the hub's two interfaces carry a link
 * to every spoke, each spoke's carry its two links to the hub. The hub runs one Alagg instance with a {@code [peer
 * spokeK]} section per spoke (its links, its networks, its own key); each spoke runs its own instance in the single-peer
 * form. Offloads are off on every veth.
 *
 * <p>Application addresses: the hub 10.9X.0.1 and fd9X::1, spoke K 10.9X.K.1 and fd9X:0:K::1 (X = 0 for NFQUEUE, 1 for
 * TUN); the hub's networks are 10.9X.0.0/24 and fd9X::/48, spoke K's 10.9X.K.0/24 and fd9X:0:K::/48.
 *
 * <p>{@link #close()} stops every instance and deletes the namespaces and the bed's directory.
 */
public final class HubBed implements AutoCloseable {
    private static final int MARK = Bed.MARK;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final TestNetwork network;
    private final Path directory;
    private final Bed.Capture capture;
    private final Node hub;
    private final List<Node> spokes = new ArrayList<>();
    private final String lan1;
    private final String lan2;
    private final Path root;
    private final String tag;
    /** Spokes whose section is in the hub's configuration now. */
    private final List<Node> configured = new ArrayList<>();
    private final List<String> extraConfig;
    /** Sections for peers that do not exist. */
    private int idlePeers;
    private CloseOnExit closeOnExit;

    private HubBed(TestNetwork network, Path directory, Path root, Bed.Capture capture, List<String> extraConfig)
            throws IOException {
        this.network = network;
        this.directory = directory;
        this.root = root;
        this.capture = capture;
        this.extraConfig = List.copyOf(extraConfig);
        this.tag = network.id().substring(network.id().lastIndexOf('-') + 1);
        this.lan1 = lan(network, "lan1");
        this.lan2 = lan(network, "lan2");
        this.hub = new Node(0, network.namespace("hub"));
    }

    /**
     * Builds the network for {@code spokes} spokes and writes every configuration; nothing runs yet. The hub's
     * configuration has a section for each spoke.
     *
     * @param capture NFQUEUE or TUN
     */
    public static HubBed create(Path root, Bed.Capture capture, int spokes, List<String> extraConfig) throws IOException {
        if (capture == Bed.Capture.TAP || spokes < 1 || spokes > 99) {
            throw new IllegalArgumentException("NFQUEUE or TUN, 1 to 99 spokes: " + capture + ", " + spokes);
        }
        TestNetwork network = TestNetwork.create();
        Path directory = null;
        try {
            directory = Files.createTempDirectory("alagg-hub-");
            HubBed bed = new HubBed(network, directory, root, capture, extraConfig);
            bed.closeOnExit = new CloseOnExit("alagg-hub-bed-cleanup", bed);
            bed.hub.join();
            for (int k = 1; k <= spokes; k++) {
                Node spoke = bed.new Node(k, network.namespace("spoke" + k));
                spoke.join();
                bed.spokes.add(spoke);
                bed.configured.add(spoke);
            }
            bed.hub.prepare();
            for (Node spoke : bed.spokes) {
                spoke.prepare();
                spoke.writeKey();
                spoke.writeSpokeConfig();
            }
            bed.writeHubConfig();
            return bed;
        } catch (IOException | RuntimeException e) {
            network.close();
            Bed.deleteDirectory(directory);
            throw e;
        }
    }

    private static String lan(TestNetwork network, String name) throws IOException {
        String ns = network.namespace(name);
        network.exec(ns, "ip", "link", "add", "br0", "type", "bridge");
        network.exec(ns, "ip", "link", "set", "br0", "up");
        return ns;
    }

    /** Starts every instance (the spokes, then the hub) and waits until the hub pings every spoke, IPv4 and IPv6. */
    public HubBed start() throws IOException, InterruptedException {
        for (Node spoke : spokes) {
            spoke.instance.start();
        }
        hub.instance.start();
        awaitForwarding(configured, Duration.ofSeconds(90));
        return this;
    }

    /** Waits until the hub pings each of {@code these} spokes, IPv4 and IPv6. */
    public void awaitForwarding(List<Node> these, Duration within) throws IOException, InterruptedException {
        long end = System.nanoTime() + within.toNanos();
        for (Node spoke : these) {
            for (String to : List.of(spoke.ipv4(), spoke.ipv6())) {
                while (true) {
                    Traffic.Ping ping;
                    try {
                        ping = Traffic.ping(hub, to, 1, 0.2);
                    } catch (IOException e) {
                        ping = null; // no route yet: the TUN device is not there yet
                    }
                    if (ping != null && ping.allAnswered()) {
                        break;
                    }
                    if (System.nanoTime() - end > 0) {
                        throw new IOException("no ping from the hub to " + spoke + " (" + to + ") within "
                                + within.toSeconds() + " s\n" + hub.instance.log() + "\n" + spoke.instance.log());
                    }
                    if (!hub.instance.alive() || !spoke.instance.alive()) {
                        throw new IOException("an instance exited\n" + hub.instance.log() + "\n" + spoke.instance.log());
                    }
                    Thread.sleep(50);
                }
            }
        }
    }

    public Node hub() {
        return hub;
    }

    /** Spoke k, from 1. */
    public Node spoke(int k) {
        return spokes.get(k - 1);
    }

    public List<Node> spokes() {
        return List.copyOf(spokes);
    }

    public Bed.Capture capture() {
        return capture;
    }

    /**
     * Rewrites the hub's configuration with a section for each of {@code these} spokes only: the hub adds and removes
     * peers live, as an operator's edit makes it.
     */
    public void configureSpokes(List<Node> these) throws IOException {
        configureSpokes(these, 0);
    }

    /**
     * As {@link #configureSpokes(List)}, and {@code idle} more sections for peers that do not exist (their own MACs on
     * the hub's two interfaces, networks 10.200.0.0/16 cut in /24s): what configured peers cost while they are silent.
     */
    public void configureSpokes(List<Node> these, int idle) throws IOException {
        if (idle < 0 || idle > 250) {
            throw new IllegalArgumentException("0 to 250 idle peers: " + idle);
        }
        configured.clear();
        configured.addAll(these);
        idlePeers = idle;
        writeHubConfig();
    }

    private void writeHubConfig() throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("# written by the Alagg hub test bed (" + network.id() + ")");
        lines.add("instance = " + hub.instanceName());
        hub.captureLines(lines);
        lines.addAll(extraConfig);
        for (Node spoke : configured) {
            lines.add("");
            lines.add("[peer spoke" + spoke.k + "]");
            lines.add("link.l1 = " + spoke.mac("l1"));
            lines.add("link.l2 = " + spoke.mac("l2"));
            lines.add("allowed = " + spoke.network4() + ", " + spoke.network6());
            lines.add("key.file = " + spoke.keyFile().getFileName());
        }
        for (int i = 0; i < idlePeers; i++) {
            lines.add("");
            lines.add("[peer idle" + i + "]");
            lines.add(String.format(Locale.ROOT, "link.l1 = 02:00:5e:01:%02x:%02x", i >> 8, i & 0xFF));
            lines.add(String.format(Locale.ROOT, "link.l2 = 02:00:5e:02:%02x:%02x", i >> 8, i & 0xFF));
            lines.add("allowed = 10.200." + i + ".0/24");
        }
        Path config = hub.instance.config();
        Path temporary = config.resolveSibling(config.getFileName() + ".new");
        Files.write(temporary, lines);
        Files.move(temporary, config, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE); // the instance never reads half a file
    }

    /**
     * Drops {@code percent} % of the Alagg frames {@code node} receives on its interface {@code device} (nftables
     * netdev ingress, as {@link Bed#loss} does); 0 removes the rule.
     */
    public void loss(Node node, String device, int percent) throws IOException {
        Bed.loss(network, node.namespace, device, percent);
    }

    /** Stops every instance, deletes the namespaces and the bed's directory. Never throws. Idempotent. */
    @Override
    public synchronized void close() {
        if (closeOnExit != null) {
            closeOnExit.closing();
        }
        List<Node> all = new ArrayList<>(spokes);
        all.add(hub);
        for (Node node : all) {
            try {
                node.instance.stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        network.close();
        Bed.deleteDirectory(directory);
    }

    @Override
    public String toString() {
        return "hub bed " + network.id() + " (" + capture.name().toLowerCase(Locale.ROOT) + ", " + spokes.size() + " spokes)";
    }

    /** The hub (k = 0) or spoke k: its namespace, its addresses, its instance. */
    public final class Node implements Host {
        final int k;
        final String namespace;
        final Instance instance;

        Node(int k, String namespace) {
            this.k = k;
            this.namespace = namespace;
            this.instance = new Instance(network, root, directory, instanceName(), namespace,
                    directory.resolve(instanceName() + ".cfg"));
        }

        private String instanceName() {
            return (k == 0 ? "hub" : "spoke" + k) + "-" + tag;
        }

        public Instance instance() {
            return instance;
        }

        /** The number of the X in 10.9X: 0 for NFQUEUE, 1 for TUN. */
        private int mode() {
            return capture == Bed.Capture.NFQUEUE ? 0 : 1;
        }

        @Override
        public String ipv4() {
            return "10.9" + mode() + "." + k + ".1";
        }

        @Override
        public String ipv6() {
            return k == 0 ? "fd9" + mode() + "::1" : "fd9" + mode() + ":0:" + k + "::1";
        }

        String network4() {
            return "10.9" + mode() + "." + k + ".0/24";
        }

        String network6() {
            return k == 0 ? "fd9" + mode() + "::/48" : "fd9" + mode() + ":0:" + k + "::/48";
        }

        /** Its interfaces l1 and l2, each joined to its LAN's bridge. */
        void join() throws IOException {
            String port = k == 0 ? "hub" : "s" + k;
            for (String[] lan : new String[][] {{"l1", lan1}, {"l2", lan2}}) {
                network.veth(namespace, lan[0], lan[1], port);
                network.exec(lan[1], "ip", "link", "set", port, "master", "br0");
                network.exec(namespace, "ethtool", "-K", lan[0], "tso", "off", "gso", "off", "gro", "off");
                network.exec(lan[1], "ethtool", "-K", port, "tso", "off", "gso", "off", "gro", "off");
            }
        }

        /**
         * NFQUEUE: the application addresses on lo; the peers' addresses routed to lo (a route no link's failure
         * removes), their packets taken by the NFQUEUE rule before they reach it. TUN: nothing (the device's addresses
         * give the routes).
         */
        void prepare() throws IOException {
            if (capture != Bed.Capture.NFQUEUE) {
                return;
            }
            network.address(namespace, "lo", ipv4() + "/32");
            network.address(namespace, "lo", ipv6() + "/128");
            String v4 = k == 0 ? "10.90.0.0/16" : hub.ipv4() + "/32";
            String v6 = k == 0 ? "fd90::/32" : hub.ipv6() + "/128";
            exec("ip", "route", "add", v4, "dev", "lo", "mtu", "1400");
            exec("ip", "-6", "route", "add", v6, "dev", "lo", "mtu", "1400");
            for (String[] rule : new String[][] {{"iptables", v4, ipv4()}, {"ip6tables", v6, ipv6()}}) {
                if (k == 0) { // the hub's own address is in the spokes' range: its packets stay here
                    exec(rule[0], "-A", "OUTPUT", "-d", rule[2], "-j", "RETURN");
                }
                exec(rule[0], "-A", "OUTPUT", "-d", rule[1], "-m", "mark", "!", "--mark", Integer.toString(MARK),
                        "-j", "NFQUEUE", "--queue-num", Integer.toString(Bed.QUEUE));
            }
        }

        void captureLines(List<String> lines) {
            if (capture == Bed.Capture.NFQUEUE) {
                lines.add("interceptor = nfqueue");
                lines.add("nfqueue.num = " + Bed.QUEUE);
            } else {
                lines.add("interceptor = tun");
                lines.add("tun.name = agg0");
                lines.add("tun.address = " + ipv4() + "/16," + ipv6() + "/32");
            }
        }

        Path keyFile() {
            return directory.resolve("spoke" + k + ".key");
        }

        /** The key this spoke and the hub's section for it share: mode 600, as Alagg asks. */
        void writeKey() throws IOException {
            byte[] key = new byte[32];
            RANDOM.nextBytes(key);
            Path file = Files.createFile(keyFile(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, Base64.getEncoder().encodeToString(key) + "\n");
            Files.setPosixFilePermissions(file, Set.copyOf(PosixFilePermissions.fromString("rw-------")));
        }

        void writeSpokeConfig() throws IOException {
            List<String> lines = new ArrayList<>();
            lines.add("# written by the Alagg hub test bed (" + network.id() + ")");
            lines.add("instance = " + instanceName());
            lines.add("link.l1 = " + hub.mac("l1"));
            lines.add("link.l2 = " + hub.mac("l2"));
            lines.add("peer.allowed = " + hub.network4() + ", " + hub.network6());
            lines.add("key.file = " + keyFile().getFileName());
            captureLines(lines);
            lines.addAll(extraConfig);
            Files.write(instance.config(), lines);
        }

        /** The MAC address of one of its interfaces. */
        public String mac(String device) throws IOException {
            return exec("cat", "/sys/class/net/" + device + "/address").strip();
        }

        @Override
        public String exec(String... command) throws IOException {
            return network.exec(namespace, command);
        }

        @Override
        public Process start(String... command) throws IOException {
            return network.start(namespace, command);
        }

        @Override
        public String toString() {
            return k == 0 ? "the hub" : "spoke " + k;
        }
    }
}
