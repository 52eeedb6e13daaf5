package org.alagg.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.alagg.e2e.Bed.Side;

/**
 * A file sent with {@code nc} over TCP from one side to the other, watched while it runs: the receiver's file is
 * sampled every 10 ms, so the longest time it did not grow (a stall) is known; at the end both files' SHA-256
 * are compared.
 */
public final class Transfer {
    private static final int PORT = 5301;
    private static final long SAMPLE_MILLIS = 10;

    private final Path source;
    private final Path target;
    private final Process receiver;
    private final Process sender;
    private final long startNanos;
    private final Thread watcher;
    /** Writes the file into the sending nc at a fixed pace; null when nc reads the file itself. */
    private Thread feeder;
    private volatile IOException feedFailure;
    private volatile long longestStallNanos;
    private volatile long lastGrowthNanos;

    private Transfer(Path source, Path target, Process receiver, Process sender) {
        this.source = source;
        this.target = target;
        this.receiver = receiver;
        this.sender = sender;
        this.startNanos = System.nanoTime();
        this.watcher = new Thread(this::watch, "transfer-watcher");
        watcher.setDaemon(true);
        watcher.start();
    }

    /** Writes {@code bytes} of pseudo-random data (seeded: runs are comparable) into {@code file}. */
    public static Path randomFile(Path file, long bytes) throws IOException {
        SplittableRandom random = new SplittableRandom(bytes);
        byte[] block = new byte[1 << 16];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long left = bytes; left > 0; left -= block.length) {
                for (int i = 0; i < block.length; i += 8) {
                    long r = random.nextLong();
                    for (int j = 0; j < 8; j++) {
                        block[i + j] = (byte) (r >>> (8 * j));
                    }
                }
                out.write(block, 0, (int) Math.min(block.length, left));
            }
        }
        return file;
    }

    /**
     * Starts sending {@code source} from a side to its peer's address {@code to}: {@code nc -l} on the peer writes
     * into {@code target}, {@code nc -N} here reads the file.
     */
    public static Transfer start(Side from, String to, Path source, Path target) throws IOException, InterruptedException {
        Files.deleteIfExists(target);
        // nc listens on IPv4 only unless told otherwise
        String family = to.contains(":") ? "-6 " : "";
        Process receiver = from.peer().start("sh", "-c", "exec nc " + family + "-d -l " + PORT + " > '" + target + "'");
        Traffic.awaitListening(from.peer(), PORT);
        Process sender = from.start("sh", "-c", "exec nc -N " + to + " " + PORT + " < '" + source + "'");
        return new Transfer(source, target, receiver, sender);
    }

    /**
     * Like {@link #start}, but the sending {@code nc} gets the file from this JVM at {@code bytesPerSecond}, in
     * 64 KiB pieces: the transfer lasts about {@code size / bytesPerSecond} whatever the links could carry, so
     * something can happen all along it.
     */
    public static Transfer startPaced(Side from, String to, Path source, Path target, long bytesPerSecond)
            throws IOException, InterruptedException {
        Files.deleteIfExists(target);
        String family = to.contains(":") ? "-6 " : "";
        Process receiver = from.peer().start("sh", "-c", "exec nc " + family + "-d -l " + PORT + " > '" + target + "'");
        Traffic.awaitListening(from.peer(), PORT);
        Process sender = from.start("nc", "-N", to, Integer.toString(PORT));
        Transfer transfer = new Transfer(source, target, receiver, sender);
        transfer.feeder = new Thread(() -> transfer.feed(bytesPerSecond), "transfer-feeder");
        transfer.feeder.setDaemon(true);
        transfer.feeder.start();
        return transfer;
    }

    private void feed(long bytesPerSecond) {
        byte[] piece = new byte[1 << 16];
        long sent = 0;
        try (InputStream in = Files.newInputStream(source); OutputStream out = sender.getOutputStream()) {
            for (int n; (n = in.readNBytes(piece, 0, piece.length)) > 0; ) {
                out.write(piece, 0, n);
                out.flush();
                sent += n;
                long due = startNanos + sent * 1_000_000_000L / bytesPerSecond;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
        } catch (IOException e) {
            feedFailure = e; // nc is gone: the transfer fails, await says why
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void watch() {
        long lastSize = -1;
        lastGrowthNanos = System.nanoTime();
        while (receiver.isAlive()) {
            long now = System.nanoTime();
            long size = size();
            if (size != lastSize) {
                lastSize = size;
                lastGrowthNanos = now;
            } else {
                longestStallNanos = Math.max(longestStallNanos, now - lastGrowthNanos);
            }
            try {
                Thread.sleep(SAMPLE_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private long size() {
        try {
            return Files.size(target);
        } catch (IOException e) {
            return -1;
        }
    }

    /** The bytes received so far. */
    public long received() {
        return Math.max(0, size());
    }

    /** What a finished transfer showed. */
    public record Result(long bytes, boolean intact, Duration took, Duration longestStall, String detail) {
        public double megabitsPerSecond() {
            return bytes * 8 / 1e6 / Math.max(1e-9, took.toNanos() / 1e9);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%d bytes in %.2f s (%.0f Mbit/s), %s, longest stall %d ms%s", bytes,
                    took.toMillis() / 1000.0, megabitsPerSecond(), intact ? "SHA-256 equal" : "SHA-256 DIFFERS",
                    longestStall.toMillis(), detail.isEmpty() ? "" : "; " + detail);
        }
    }

    /** Waits for both ends (at most {@code within}), then compares the files. */
    public Result await(Duration within) throws IOException, InterruptedException {
        long end = System.nanoTime() + within.toNanos();
        boolean senderFailed = false;
        while (receiver.isAlive() && System.nanoTime() - end < 0) {
            if (!sender.isAlive() && sender.exitValue() != 0) {
                senderFailed = true; // e.g. the connection was refused: the receiver would wait forever
                break;
            }
            receiver.waitFor(SAMPLE_MILLIS, TimeUnit.MILLISECONDS);
        }
        boolean done = !receiver.isAlive();
        long tookNanos = (done ? lastGrowthNanos : System.nanoTime()) - startNanos;
        watcher.interrupt();
        watcher.join();
        for (Process nc : new Process[] {sender, receiver}) {
            nc.destroy();
            nc.waitFor();
        }
        if (feeder != null) { // after nc is gone: a write into its full pipe fails then instead of blocking
            feeder.interrupt();
            feeder.join();
        }
        String detail = done ? "" : senderFailed ? "the sending nc failed with exit status " + sender.exitValue()
                : "not finished within " + within.toSeconds() + " s";
        if (feedFailure != null) {
            detail += (detail.isEmpty() ? "" : "; ") + "feeding the sending nc failed: " + feedFailure.getMessage();
        }
        boolean intact = done && sha256(source).equals(sha256(target));
        return new Result(received(), intact, Duration.ofNanos(tookNanos), Duration.ofNanos(longestStallNanos), detail);
    }

    /** The SHA-256 of a file, hex. */
    public static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
