package org.alagg.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.alagg.e2e.Bed;
import org.alagg.e2e.CloseOnExit;

/**
 * The user-space tunnel to beat: one wireguard-go tunnel over link 1, each host's application address on its
 * tunnel device. The daemons run in the foreground, so their pid is the one to measure.
 */
final class WireGuardGo implements Setup {
    private static final int PORT = 51820;
    /** wireguard-go's control socket is {@code <dir>/<device>.sock}, in the file system every namespace shares. */
    private static final Path SOCKETS = Path.of("/var/run/wireguard");
    private static final Duration SOCKET_DEADLINE = Duration.ofSeconds(10);

    private final List<Daemon> daemons = new ArrayList<>();
    /**
     * Closes this setup when the JVM exits first (Ctrl-C). Exit hooks run in no set order, so the bed's may SIGKILL
     * a daemon first, which leaves its socket behind: close() deletes the sockets itself.
     */
    private CloseOnExit closeOnExit;
    private Bed bed;

    /** One host's end of the tunnel; {@code underlay} is its address on link 1, where the encrypted packets go. */
    private record Daemon(Bed.Side side, String device, String underlay, Process process) {
        Path socket() {
            return SOCKETS.resolve(device + ".sock");
        }
    }

    @Override
    public String name() {
        return "wireguard-go";
    }

    @Override
    public Bed open(Path root, boolean vethOffloads) throws IOException, InterruptedException {
        closeOnExit = new CloseOnExit("wireguard-go-cleanup", this);
        bed = KernelOnlyBed.create(root, vethOffloads);
        // the socket directory is shared by all namespaces, maybe by other runs: the bed's tag keeps the names apart
        String tag = bed.network().id().substring(bed.network().id().lastIndexOf('-') + 1);
        add(start(bed.a(), "wg" + tag + "a", "10.99.1.1"));
        add(start(bed.b(), "wg" + tag + "b", "10.99.1.2"));
        List<String> publicKeys = new ArrayList<>();
        for (Daemon daemon : daemons) {
            awaitSocket(daemon);
            publicKeys.add(newKey(daemon));
        }
        connect(daemons.get(0), daemons.get(1), publicKeys.get(1));
        connect(daemons.get(1), daemons.get(0), publicKeys.get(0));
        Forwarding.await(bed);
        return bed;
    }

    private Daemon start(Bed.Side side, String device, String underlay) throws IOException {
        bed.network().address(side.namespace(), side.link(1), underlay + "/24");
        ProcessBuilder builder = new ProcessBuilder().redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("LOG_LEVEL", "error");
        builder.environment().put("WG_PROCESS_FOREGROUND", "1");
        return new Daemon(side, device, underlay,
                bed.network().start(side.namespace(), builder, "wireguard-go", "-f", device));
    }

    /** Makes {@code peer} the one peer of {@code daemon}'s device, gives the device its address and sets it up. */
    private void connect(Daemon daemon, Daemon peer, String peerPublicKey) throws IOException {
        daemon.side().exec("wg", "set", daemon.device(), "listen-port", Integer.toString(PORT),
                "private-key", privateKey(daemon).toString(), "peer", peerPublicKey,
                "allowed-ips", peer.side().ipv4() + "/32", "endpoint", peer.underlay() + ":" + PORT);
        bed.network().address(daemon.side().namespace(), daemon.device(), daemon.side().ipv4() + "/24");
        bed.network().up(daemon.side().namespace(), daemon.device());
    }

    private static void awaitSocket(Daemon daemon) throws IOException, InterruptedException {
        long end = System.nanoTime() + SOCKET_DEADLINE.toNanos();
        while (!Files.exists(daemon.socket())) {
            if (!daemon.process().isAlive()) {
                throw new IOException("wireguard-go " + daemon.device() + " exited with status "
                        + daemon.process().exitValue());
            }
            if (System.nanoTime() - end > 0) {
                throw new IOException("wireguard-go " + daemon.device() + ": no " + daemon.socket() + " after "
                        + SOCKET_DEADLINE.toSeconds() + " s");
            }
            Thread.sleep(20);
        }
    }

    /** Writes a new private key into the bed's directory; returns the public key. */
    private String newKey(Daemon daemon) throws IOException {
        String file = privateKey(daemon).toString();
        return daemon.side().exec("sh", "-c", "umask 077 && wg genkey > " + file + " && wg pubkey < " + file).strip();
    }

    private Path privateKey(Daemon daemon) {
        return bed.directory().resolve(daemon.device() + ".key");
    }

    @Override
    public List<Forwarder> forwarders() {
        return daemons.stream().map(d -> new Forwarder("wireguard-go " + d.device(), d.process().pid())).toList();
    }

    @Override
    public Optional<Duration> startup() {
        return Optional.empty();
    }

    /** Daemons are added while an exit hook may already be closing the setup. */
    private synchronized void add(Daemon daemon) {
        daemons.add(daemon);
    }

    @Override
    public synchronized void close() {
        if (closeOnExit != null) {
            closeOnExit.closing();
        }
        for (Daemon daemon : List.copyOf(daemons)) {
            // SIGTERM lets wireguard-go delete its socket; after a SIGKILL the delete below does
            daemon.process().destroy();
            try {
                if (!daemon.process().waitFor(5, TimeUnit.SECONDS)) {
                    daemon.process().destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                Files.deleteIfExists(daemon.socket());
            } catch (IOException e) {
                System.err.println("wireguard-go: could not delete " + daemon.socket() + ": " + e.getMessage());
            }
        }
        daemons.clear();
        if (bed != null) {
            bed.close();
        }
    }
}
