package org.alagg.e2e;

import static org.alagg.e2e.Beds.await;
import static org.alagg.e2e.Beds.report;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.alagg.e2e.Bed.Side;
import org.alagg.e2e.chaos.HangingScheduler;
import org.alagg.linux.UnixDatagram;
import org.alagg.testing.RequiresRoot;
import org.alagg.testing.TestNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Alagg as the systemd unit runs it, where systemd is not PID 1: the unit file verified by {@code systemd-analyze}; both
 * instances of a managed-capture bed started as a user without a name (uid {@value #UID}) holding only CAP_NET_ADMIN and
 * CAP_NET_RAW (setpriv, as the unit's User= and AmbientCapabilities= do); A with a real {@code NOTIFY_SOCKET} (a
 * datagram socket this test listens on, as systemd does) and {@code WATCHDOG_USEC}: READY=1 once forwarding, WATCHDOG=1
 * while the hot threads turn, none while a plugin holds up the egress thread, again once it lets go, STOPPING=1.
 */
@RequiresRoot(tools = {"nc", "ping", "ethtool", "iptables", "ip6tables", "setpriv", "systemd-analyze"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServiceBedIT {
    /** A user id no account has: nothing but what setpriv gives it. */
    static final int UID = 64123;
    /** The capabilities the unit gives: CAP_NET_ADMIN (12) and CAP_NET_RAW (13). */
    private static final String TWO_CAPABILITIES = "0000000000003000";
    /** WATCHDOG_USEC: a ping every half second. */
    private static final long WATCHDOG_USEC = 1_000_000;

    private Bed bed;
    private Side a;
    private Side b;
    private Path notifySocket;
    private UnixDatagram listener;

    @BeforeAll
    void start() throws Exception {
        bed = Bed.createManaged(Beds.ROOT, 2, 2, List.of("reorder = windowed"), true);
        a = bed.a();
        b = bed.b();
        notifySocket = bed.directory().resolve("notify.sock");
        listener = UnixDatagram.bind(notifySocket.toString());
        List<String> setpriv = List.of("setpriv", "--reuid=" + UID, "--regid=" + UID, "--clear-groups",
                "--inh-caps=-all,+net_admin,+net_raw", "--ambient-caps=-all,+net_admin,+net_raw",
                "--bounding-set=-all,+net_admin,+net_raw", "--no-new-privs");
        a.instance().launchWith(setpriv, Map.of("NOTIFY_SOCKET", notifySocket.toString(),
                "WATCHDOG_USEC", Long.toString(WATCHDOG_USEC)));
        b.instance().launchWith(setpriv, Map.of());
        // the user reads its distribution and configuration, and writes its run directory (the bed's directory)
        TestNetwork.run("chown", "-R", UID + ":" + UID, bed.directory().toString());
        long started = System.nanoTime();
        bed.start();
        report("service", "both instances forwarding as uid %d with CAP_NET_ADMIN and CAP_NET_RAW only, %d ms after the"
                + " start", UID, (System.nanoTime() - started) / 1_000_000);
    }

    @AfterAll
    void stop() throws Exception {
        if (listener != null) {
            listener.close();
        }
        if (bed != null) {
            bed.close();
        }
    }

    @Test
    @Order(1)
    void theUnitFileVerifies() throws Exception {
        Path unit = Beds.ROOT.resolve("launcher/src/dist/systemd/alagg@.service");
        Path instance = Files.createTempDirectory("alagg-unit-").resolve("alagg@east.service");
        try {
            // the unit names the packaged /usr/bin/alagg, which this machine need not have: the project's script stands in
            Files.writeString(instance, Files.readString(unit).replace("/usr/bin/alagg", Beds.ROOT.resolve("alagg").toString()));
            Process verify = new ProcessBuilder("systemd-analyze", "verify", instance.toString()).redirectErrorStream(true).start();
            String output = new String(verify.getInputStream().readAllBytes());
            assertEquals(0, verify.waitFor(), output);
            assertEquals("", output.strip(), "systemd-analyze verify " + unit);
        } finally {
            Files.deleteIfExists(instance);
            Files.deleteIfExists(instance.getParent());
        }
    }

    @Test
    @Order(2)
    void forwardsAsAUserWithOnlyTheTwoCapabilities() throws Exception {
        for (Side side : List.of(a, b)) {
            String status = Files.readString(Path.of("/proc", Long.toString(side.instance().javaPid()), "status"));
            assertTrue(status.contains("\nUid:\t" + UID + "\t" + UID + "\t" + UID + "\t" + UID + "\n"), status);
            for (String set : List.of("CapEff", "CapPrm", "CapBnd", "CapAmb")) {
                assertTrue(status.contains("\n" + set + ":\t" + TWO_CAPABILITIES + "\n"), set + " of " + side + ":\n" + status);
            }
            for (String to : List.of(side.peer().ipv4(), side.peer().ipv6())) {
                Traffic.Ping ping = Traffic.ping(side, to, 20, 0.01);
                assertEquals(0.0, ping.lossPercent(), side + " to " + to + ": " + ping);
            }
            // its managed capture rules, made by iptables running with the instance's capabilities
            assertTrue(side.exec("iptables-save").contains("-A OUTPUT -j ALAGG-" + side.instance().name()),
                    side.exec("iptables-save"));
        }
    }

    @Test
    @Order(3)
    void tellsReadyOnceForwardingAndFeedsTheWatchdog() throws Exception {
        List<String> messages = receive(Duration.ofSeconds(2));
        String ready = messages.stream().filter(m -> m.contains("READY=1")).findFirst().orElse(null);
        if (ready == null) {
            messages = receiveUntil("READY=1", Duration.ofSeconds(10));
            ready = messages.get(messages.size() - 1);
        }
        assertTrue(ready.contains("MAINPID=" + a.instance().javaPid()), ready);
        assertTrue(ready.contains("STATUS=forwarding: interceptor nfqueue, 2 link(s) open"), ready);
        long pings = receive(Duration.ofSeconds(2)).stream().filter("WATCHDOG=1"::equals).count();
        report("service", "READY=1 (%s), then %d WATCHDOG=1 in 2 s", ready.replace('\n', ' '), pings);
        assertTrue(pings >= 3 && pings <= 5, pings + " WATCHDOG=1 in 2 s, expected 4 (every 500 ms)");
    }

    @Test
    @Order(4)
    void aPluginHoldingUpTheEgressThreadStopsTheWatchdogUntilItLetsGo() throws Exception {
        Path jar = bed.pluginsFolder().resolve("hang.jar");
        Path staged = bed.directory().resolve("hang.jar.part");
        Path marker = HangingScheduler.marker(a.instance().config());
        List<String> original = Files.readAllLines(a.instance().config());
        Files.createFile(marker);
        try {
            HangingScheduler.writeBundle(staged);
            Files.move(staged, jar, StandardCopyOption.ATOMIC_MOVE);
            List<String> hanging = new ArrayList<>(original);
            hanging.add("scheduler = " + HangingScheduler.NAME);
            Files.write(a.instance().config(), hanging);
            // once the scheduler is in use, the next captured packet holds the egress thread in it
            await("A's egress thread has not turned for over 2.5 s", () -> {
                Traffic.ping(a, b.ipv4(), 1, 0.2);
                return a.instance().ctl("alagg:status");
            }, s -> s.lines().anyMatch(l -> l.matches("thread\\s+alagg-egress: alive, last turn \\d+ ms ago.*")
                    && Long.parseLong(l.replaceAll(".*last turn (\\d+) ms.*", "$1")) > 2500));
            receive(Duration.ofMillis(600)); // what was sent before the thread was held up
            long pings = receive(Duration.ofSeconds(2)).stream().filter("WATCHDOG=1"::equals).count();
            assertEquals(0, pings, "WATCHDOG=1 while the egress thread is held up");
            assertTrue(a.instance().log().contains("not feeding the watchdog: hot thread alagg-egress has not turned for"),
                    a.instance().log());
            Files.delete(marker); // the plugin lets go
            List<String> again = receiveUntil("WATCHDOG=1", Duration.ofSeconds(10));
            report("service", "egress thread held up by a plugin: no WATCHDOG=1 for 2 s; WATCHDOG=1 again once it let go"
                    + " (%d message(s) until then)", again.size());
        } finally {
            Files.deleteIfExists(marker);
            Files.write(a.instance().config(), original);
            Files.deleteIfExists(jar);
        }
        bed.awaitForwarding(Duration.ofSeconds(20));
    }

    @Test
    @Order(5)
    void aCleanStopSaysStoppingAndRemovesTheRules() throws Exception {
        a.instance().stop();
        List<String> messages = receiveUntil("STOPPING=1", Duration.ofSeconds(5));
        assertTrue(messages.get(messages.size() - 1).equals("STOPPING=1"), messages.toString());
        assertTrue(!a.exec("iptables-save").contains("ALAGG-"), a.exec("iptables-save"));
    }

    /** The datagrams that arrive within {@code window}. */
    private List<String> receive(Duration window) throws Exception {
        return receive(window, null);
    }

    /** The datagrams up to the first that holds {@code text}; fails when none does within {@code deadline}. */
    private List<String> receiveUntil(String text, Duration deadline) throws Exception {
        List<String> messages = receive(deadline, text);
        if (messages.isEmpty() || !messages.get(messages.size() - 1).contains(text)) {
            throw new AssertionError("no " + text + " within " + deadline.toSeconds() + " s; received " + messages
                    + "\n" + a.instance().log());
        }
        return messages;
    }

    /** The datagrams that arrive within {@code window}, up to the first holding {@code until} when it is not null. */
    private List<String> receive(Duration window, String until) throws Exception {
        List<String> messages = new ArrayList<>();
        long end = System.nanoTime() + window.toNanos();
        while (System.nanoTime() - end < 0) {
            String m = listener.receive(Math.max(1, (end - System.nanoTime()) / 1_000_000));
            if (m != null) {
                messages.add(m);
                if (until != null && m.contains(until)) {
                    break;
                }
            }
        }
        return messages;
    }
}
