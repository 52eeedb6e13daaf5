package org.alagg.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.alagg.e2e.Bed.Side;
import org.alagg.testing.TestNetwork;

/** The real clients the bed drives: ping and iperf3, run in one side's namespace against the other side. */
public final class Traffic {
    private static final Pattern REPLY_TIME = Pattern.compile("time=([0-9.]+) ms");
    private static final Pattern SUMMARY = Pattern.compile("(\\d+) packets transmitted, (\\d+) received");
    private static final int IPERF_PORT = 5201;

    private Traffic() {
    }

    /** What a ping run saw: packets sent and answered, and the round-trip time of each answer. */
    public record Ping(int transmitted, int received, double[] rttMillis) {
        public boolean allAnswered() {
            return transmitted > 0 && received == transmitted;
        }

        public double lossPercent() {
            return transmitted == 0 ? 100 : 100.0 * (transmitted - received) / transmitted;
        }

        /** The {@code p}-th percentile of the round-trip times (0-100), ms; NaN when none answered. */
        public double percentile(double p) {
            if (rttMillis.length == 0) {
                return Double.NaN;
            }
            double[] sorted = rttMillis.clone();
            Arrays.sort(sorted);
            int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
        }

        @Override
        public String toString() {
            String answered = String.format(Locale.ROOT, "%d/%d answered (%.1f %% loss)", received, transmitted, lossPercent());
            return rttMillis.length == 0 ? answered
                    : answered + String.format(Locale.ROOT, ", rtt p50 %.3f ms, p99 %.3f ms", percentile(50), percentile(99));
        }
    }

    /**
     * Pings {@code to} from a side: {@code count} echo requests {@code intervalSeconds} apart, each given 1 s to
     * be answered. Lost answers are a result, not an error.
     */
    public static Ping ping(Host from, String to, int count, double intervalSeconds) throws IOException {
        return ping(from, to, count, intervalSeconds, "");
    }

    /**
     * Like {@link #ping}, but every echo request has its time to be answered: {@code ping -c count -w deadline} sends
     * until {@code count} are answered (one more for each that is not) or the deadline (three times the run's length,
     * plus 5 s) has passed. A plain counted ping waits for the last replies only twice the longest round trip seen
     * (iputils' {@code -W} applies only while nothing was answered), so on a busy machine one slow last reply counts
     * as lost; here only a request never answered does. {@code transmitted} may exceed {@code count}.
     */
    public static Ping pingAnswered(Host from, String to, int count, double intervalSeconds) throws IOException {
        return ping(from, to, count, intervalSeconds, " -w " + ((long) Math.ceil(count * intervalSeconds * 3) + 5));
    }

    private static Ping ping(Host from, String to, int count, double intervalSeconds, String options) throws IOException {
        String out = from.exec("sh", "-c", String.format(Locale.ROOT, "ping -n -c %d -i %s -W 1%s %s 2>&1; true",
                count, Double.toString(intervalSeconds), options, to));
        List<Double> rtts = new ArrayList<>();
        Matcher m = REPLY_TIME.matcher(out);
        while (m.find()) {
            rtts.add(Double.parseDouble(m.group(1)));
        }
        Matcher summary = SUMMARY.matcher(out);
        if (!summary.find()) {
            throw new IOException("ping " + to + " from " + from + " printed no summary:\n" + out);
        }
        return new Ping(Integer.parseInt(summary.group(1)), Integer.parseInt(summary.group(2)),
                rtts.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** A ping that runs in the background until {@link #stop()}: {@code ping -q}, its summary parsed at the end. */
    public static final class RunningPing {
        private final Host from;
        private final String to;
        private final Process process;
        private final CompletableFuture<String> output;

        private RunningPing(Host from, String to, Process process) {
            this.from = from;
            this.to = to;
            this.process = process;
            this.output = CompletableFuture.supplyAsync(() -> {
                try (InputStream in = process.getInputStream()) {
                    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    return "";
                }
            });
        }

        /** Stops it with SIGINT (ping then prints its summary) and returns what it saw. */
        public Ping stop() throws IOException, InterruptedException {
            if (process.isAlive()) {
                TestNetwork.run("sh", "-c", "kill -INT " + process.pid()); // the shell's own kill: no procps needed
            }
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("ping " + to + " from " + from + " did not stop on SIGINT");
            }
            Matcher summary = SUMMARY.matcher(output.join());
            if (!summary.find()) {
                throw new IOException("ping " + to + " from " + from + " printed no summary:\n" + output.join());
            }
            return new Ping(Integer.parseInt(summary.group(1)), Integer.parseInt(summary.group(2)), new double[0]);
        }
    }

    /**
     * Starts pinging {@code to} from a side every {@code intervalSeconds} until {@link RunningPing#stop()} (at most
     * an hour); only the counts are kept, not the round-trip times.
     */
    public static RunningPing pingInBackground(Host from, String to, double intervalSeconds) throws IOException {
        // ip netns exec and ping: one process, so SIGINT to it reaches ping
        Process process = from.start("ping", "-n", "-q", "-i", Double.toString(intervalSeconds), "-W", "1", "-w", "3600", to);
        return new RunningPing(from, to, process);
    }

    /** What an iperf3 run measured (receiver side for TCP). */
    public record Iperf(double bitsPerSecond, long bytes, long retransmits, long packets, long lostPackets,
            double lostPercent) {
        public double megabitsPerSecond() {
            return bitsPerSecond / 1e6;
        }

        @Override
        public String toString() {
            return packets > 0
                    ? String.format(Locale.ROOT, "%.0f Mbit/s, %d packets, %d lost (%.2f %%)", megabitsPerSecond(), packets,
                            lostPackets, lostPercent)
                    : String.format(Locale.ROOT, "%.0f Mbit/s, %d bytes, %d retransmits", megabitsPerSecond(), bytes,
                            retransmits);
        }
    }

    /** A TCP bulk transfer from a side to {@code to} for {@code seconds}, measured at the receiver. */
    public static Iperf tcp(Side from, String to, int seconds) throws IOException, InterruptedException {
        return tcp(iperf(from, to, "-t", Integer.toString(seconds)));
    }

    /**
     * Like {@link #tcp}, with the first {@code omitSeconds} left out of the result (iperf3 {@code -O}): TCP's slow start
     * and whatever adapts to the traffic settle there; what is measured is the transfer going on.
     */
    public static Iperf tcpSettled(Side from, String to, int omitSeconds, int seconds) throws IOException, InterruptedException {
        return tcp(iperf(from, to, "-O", Integer.toString(omitSeconds), "-t", Integer.toString(seconds)));
    }

    /** Like {@link #tcp}, but the sender holds {@code rate} (iperf3 syntax: {@code 20M}). */
    public static Iperf tcpAtRate(Side from, String to, int seconds, String rate) throws IOException, InterruptedException {
        return tcp(iperf(from, to, "-t", Integer.toString(seconds), "-b", rate));
    }

    private static Iperf tcp(Map<String, Object> end) {
        return new Iperf(Json.number(end, "sum_received", "bits_per_second"), (long) Json.number(end, "sum_received", "bytes"),
                (long) Json.number(end, "sum_sent", "retransmits"), 0, 0, 0);
    }

    /**
     * UDP datagrams of {@code length} bytes at {@code rate} (iperf3 syntax: {@code 200M}) for {@code seconds}, from
     * a side to {@code to}; loss as the receiver counted it.
     */
    public static Iperf udp(Side from, String to, int seconds, String rate, int length) throws IOException, InterruptedException {
        Map<String, Object> end = iperf(from, to, "-u", "-b", rate, "-l", Integer.toString(length), "-t", Integer.toString(seconds));
        return new Iperf(Json.number(end, "sum", "bits_per_second"), (long) Json.number(end, "sum", "bytes"), 0,
                (long) Json.number(end, "sum", "packets"), (long) Json.number(end, "sum", "lost_packets"),
                Json.number(end, "sum", "lost_percent"));
    }

    /**
     * Runs a one-off iperf3 server on the peer and the client here; returns the client's {@code end} report. A run
     * that iperf3 itself calls failed (its control connection, e.g. across a lossy aggregate) is run once more:
     * such a run measured nothing.
     */
    private static Map<String, Object> iperf(Side from, String to, String... options) throws IOException, InterruptedException {
        try {
            return iperfOnce(from, to, options);
        } catch (IperfFailed e) {
            System.out.println("iperf3 failed (" + e.getMessage() + "); once more");
            return iperfOnce(from, to, options);
        }
    }

    /** iperf3 reported an error instead of a result. */
    private static final class IperfFailed extends IOException {
        IperfFailed(String message) {
            super(message);
        }
    }

    private static Map<String, Object> iperfOnce(Side from, String to, String... options) throws IOException, InterruptedException {
        return Json.object(iperfReport(from, from.peer(), to, options).get("end"), "iperf3 end");
    }

    /** Runs a one-off iperf3 server on {@code server} and the client on {@code from}; returns the client's whole report. */
    private static Map<String, Object> iperfReport(Host from, Host server, String to, String... options)
            throws IOException, InterruptedException {
        Process listener = server.start("iperf3", "-s", "-1", "-p", Integer.toString(IPERF_PORT));
        try {
            awaitListening(server, IPERF_PORT);
            List<String> client = new ArrayList<>(List.of("iperf3", "-c", to, "-p", Integer.toString(IPERF_PORT), "-J"));
            client.addAll(List.of(options));
            String out = from.exec("sh", "-c", String.join(" ", client) + "; true");
            Map<String, Object> report = Json.object(Json.parse(out), "iperf3 -J");
            if (report.get("error") != null) {
                throw new IperfFailed("iperf3 " + String.join(" ", options) + " to " + to + ": " + report.get("error"));
            }
            return report;
        } finally {
            // gone before the next run looks for a listener on the same port
            listener.destroy();
            listener.waitFor();
        }
    }

    /**
     * A TCP transfer measured every half second too: the result, and the longest run of half seconds in which the sender
     * wrote nothing (the connection stalled, or the client was not scheduled), in seconds.
     */
    public record TcpRun(Iperf result, double longestStallSeconds) {
    }

    /** A TCP bulk transfer from {@code from} to {@code server} at {@code to} for {@code seconds}, reporting every 0.5 s. */
    public static TcpRun tcpTo(Host from, Host server, String to, int seconds) throws IOException, InterruptedException {
        return tcpTo(from, server, to, seconds, null);
    }

    /** As {@link #tcpTo(Host, Host, String, int)}, the sender holding {@code rate} (iperf3 syntax, {@code 20M}; null: as fast as it goes). */
    public static TcpRun tcpTo(Host from, Host server, String to, int seconds, String rate)
            throws IOException, InterruptedException {
        List<String> options = new ArrayList<>(List.of("-t", Integer.toString(seconds), "-i", "0.5"));
        if (rate != null) {
            options.addAll(List.of("-b", rate));
        }
        Map<String, Object> report = iperfReport(from, server, to, options.toArray(new String[0]));
        int run = 0;
        int longest = 0;
        for (Object interval : Json.array(report.get("intervals"), "iperf3 intervals")) {
            run = Json.number(Json.object(interval, "interval"), "sum", "bytes") == 0 ? run + 1 : 0;
            longest = Math.max(longest, run);
        }
        return new TcpRun(tcp(Json.object(report.get("end"), "iperf3 end")), longest * 0.5);
    }

    /** Waits until something listens on a TCP port in a side's namespace (at most 10 s). */
    static void awaitListening(Host side, int port) throws IOException, InterruptedException {
        long end = System.nanoTime() + 10_000_000_000L;
        while (side.exec("ss", "-Hltn", "sport = :" + port).isBlank()) {
            if (System.nanoTime() - end > 0) {
                throw new IOException("nothing listens on port " + port + " in " + side);
            }
            Thread.sleep(20);
        }
    }
}
