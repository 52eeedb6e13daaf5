package org.alagg.e2e;

import static org.alagg.e2e.Beds.await;
import static org.alagg.e2e.Beds.report;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import org.alagg.e2e.Bed.Capture;
import org.alagg.e2e.Bed.Side;
import org.alagg.testing.RequiresRoot;
import org.junit.jupiter.api.Test;

/**
 * Links below 1500 bytes, and a link MTU changed while traffic flows: Alagg's packet limit is the smallest link MTU
 * less its 20-byte header, and it follows the change. In TUN mode the device MTU follows; in NFQUEUE mode a packet
 * over the limit is answered with "fragmentation needed", so the sender learns the limit instead of losing packets
 * silently. Each mode on its own bed, all four veths at 1400 before Alagg starts.
 */
@RequiresRoot(tools = {"nc", "ping", "ethtool", "ss", "iptables", "ip6tables"})
class MtuBedIT {
    private static final int START_MTU = 1400;
    private static final int LOWER_MTU = 1300;
    private static final int HEADER = 20;
    /** 100 Mbit/s: the second 50 MB transfer lasts 4 s, so the change falls in its middle. */
    private static final long PACE = 12_500_000;
    /** A transfer that stalls silently on too-big packets makes no progress at all: do not wait a minute for it. */
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    /** How soon the TUN device must follow a link's MTU. */
    private static final Duration FOLLOW = Duration.ofMillis(2500);
    /** What ping prints when the packet is too big: the kernel's local error, or Alagg's ICMP answer. */
    private static final Pattern TOO_BIG = Pattern.compile("(?i)message too long|frag needed");

    @Test
    void tunDeviceFollowsTheLinkMtuAndTransfersStayIntact() throws Exception {
        run(Capture.TUN);
    }

    @Test
    void nfqueueAnswersTooBigAfterALinkMtuChangeAndTransfersStayIntact() throws Exception {
        run(Capture.NFQUEUE);
    }

    private static void run(Capture capture) throws Exception {
        try (Bed bed = Beds.create(capture, 2, 2, "reorder = windowed")) {
            bed.mtu(1, START_MTU);
            bed.mtu(2, START_MTU);
            bed.start();
            Side a = bed.a();
            Side b = bed.b();
            if (capture == Capture.TUN) {
                for (Side side : List.of(a, b)) {
                    int mtu = await(side + "'s agg0 at " + (START_MTU - HEADER), () -> side.mtu("agg0"), m -> m == START_MTU - HEADER);
                    report("mtu", "%s, links at %d: %s's agg0 has MTU %d", capture, START_MTU, side, mtu);
                }
            }
            Path file = Transfer.randomFile(bed.directory().resolve("sent.bin"), Beds.TRANSFER_BYTES);
            Transfer.Result first = Transfer.start(a, b.ipv4(), file, bed.directory().resolve("received.bin"))
                    .await(DEADLINE);
            report("mtu", "%s, all links at %d, 50 MB A -> B: %s", capture, START_MTU, first);
            Beds.assertIntact(first, Duration.ofSeconds(1));

            Transfer transfer = Transfer.startPaced(a, b.ipv4(), file, bed.directory().resolve("received-2.bin"), PACE);
            await("the transfer reaches a quarter", transfer::received, r -> r >= Beds.TRANSFER_BYTES / 4);
            long changed = System.nanoTime();
            bed.mtu(1, LOWER_MTU);
            long[] followedMillis = {-1, -1};
            if (capture == Capture.TUN) {
                for (int i = 0; i < 2; i++) {
                    Side side = i == 0 ? a : b;
                    followedMillis[i] = awaitMtu(side, LOWER_MTU - HEADER, changed);
                }
                report("mtu", "%s: link 1 set to %d at both ends mid-transfer; agg0 at %d after %d ms on A, %d ms on B",
                        capture, LOWER_MTU, LOWER_MTU - HEADER, followedMillis[0], followedMillis[1]);
            }
            Transfer.Result second = transfer.await(DEADLINE);
            report("mtu", "%s, link 1 %d -> %d a quarter into a 50 MB transfer paced at 100 Mbit/s: %s", capture, START_MTU,
                    LOWER_MTU, second);
            Beds.assertIntact(second, Duration.ofSeconds(1));
            for (long millis : followedMillis) {
                assertTrue(millis <= FOLLOW.toMillis(), "agg0 followed the link MTU after " + millis + " ms, more than "
                        + FOLLOW.toMillis());
            }

            // the sender learns the limit: a ping over it fails loudly, one under it passes
            a.exec("ip", "route", "flush", "cache"); // forget what the transfer taught the kernel: Alagg must say it again
            String big = a.exec("sh", "-c", "ping -n -c 3 -i 0.2 -W 1 -s 1300 -M do " + b.ipv4() + " 2>&1; true");
            String small = a.exec("sh", "-c", "ping -n -c 3 -i 0.2 -W 1 -s 1200 -M do " + b.ipv4() + " 2>&1; true");
            report("mtu", "%s, ping -s 1300 -M do after the change: %s", capture, lastLines(big));
            report("mtu", "%s, ping -s 1200 -M do after the change: %s", capture, lastLines(small));
            assertTrue(TOO_BIG.matcher(big).find(), "a 1328-byte packet with DF over a 1280-byte limit is refused loudly, "
                    + "not lost silently:\n" + big);
            assertTrue(small.contains("3 packets transmitted, 3 received"), "a 1228-byte packet passes:\n" + small);

            for (Side side : List.of(a, b)) {
                String link = side.link(1);
                Instance.LinkReport report = await(side + " reports the MTU of " + link, () -> side.instance().links().get(link),
                        r -> r != null && r.detail() != null && r.detail().contains(Integer.toString(LOWER_MTU)));
                report("mtu", "%s, %s: %s %s (%s)", capture, side, link, report.state(), report.detail());
            }
            Conservation.assertCountersAddUp(bed);

            long raised = System.nanoTime();
            bed.mtu(1, START_MTU);
            if (capture == Capture.TUN) {
                long backA = awaitMtu(a, START_MTU - HEADER, raised);
                long backB = awaitMtu(b, START_MTU - HEADER, raised);
                report("mtu", "%s: link 1 back at %d; agg0 at %d after %d ms on A, %d ms on B", capture, START_MTU,
                        START_MTU - HEADER, backA, backB);
                assertTrue(Math.max(backA, backB) <= FOLLOW.toMillis(), "agg0 followed the raised link MTU after "
                        + Math.max(backA, backB) + " ms");
            } else {
                mismatch(bed);
            }
        }
    }

    /**
     * Issue 12: only B's end of link 1 goes down to {@link #LOWER_MTU}. A's probes padded to its MTU no longer come
     * back while its plain probes do: A names the mismatch on l1a (B, whose padded probes are smaller, does not), the
     * link stays UP for smaller packets, and the mismatch clears once both ends agree again.
     */
    private static void mismatch(Bed bed) throws Exception {
        Side a = bed.a();
        Side b = bed.b();
        long lowered = System.nanoTime();
        b.exec("ip", "link", "set", "dev", b.link(1), "mtu", Integer.toString(LOWER_MTU));
        try {
            Instance.LinkReport l1a = await("A names the MTU mismatch on l1a", () -> a.instance().links().get(a.link(1)),
                    r -> r.counter("mtu_mismatch") == 1);
            long foundMs = (System.nanoTime() - lowered) / 1_000_000;
            report("mtu", "B's end of link 1 at %d, A's at %d: A found the mismatch after %d ms: %s (%s)", LOWER_MTU,
                    START_MTU, foundMs, l1a.state(), l1a.detail());
            assertTrue(l1a.detail().contains("MTU mismatch: frames of " + START_MTU + " bytes"), l1a.detail());
            assertTrue(foundMs <= 6000, "the mismatch named within 6 s (three MTU probes missed), not " + foundMs + " ms");
            assertEquals("UP", l1a.state(), "smaller frames pass: the link stays UP");
            Instance.LinkReport l1b = b.instance().links().get(b.link(1));
            assertEquals(0, l1b.counter("mtu_mismatch"), "B's padded probes fit A's MTU: " + l1b.detail());
            String ping = a.exec("ping", "-c", "20", "-i", "0.05", "-W", "1", b.ipv4());
            assertTrue(ping.contains("20 packets transmitted, 20 received"), "link 2 carries what link 1 loses:\n" + ping);
        } finally {
            b.exec("ip", "link", "set", "dev", b.link(1), "mtu", Integer.toString(START_MTU));
        }
        long raised = System.nanoTime();
        await("A's mismatch clears", () -> a.instance().links().get(a.link(1)), r -> r.counter("mtu_mismatch") == 0);
        report("mtu", "both ends of link 1 at %d again: the mismatch cleared after %d ms", START_MTU,
                (System.nanoTime() - raised) / 1_000_000);
    }

    /** Polls a side's agg0 until it has {@code mtu}; returns the milliseconds since {@code sinceNanos}, or fails after 20 s. */
    private static long awaitMtu(Side side, int mtu, long sinceNanos) throws Exception {
        long end = sinceNanos + 20_000_000_000L;
        while (true) {
            int now = side.mtu("agg0");
            if (now == mtu) {
                return (System.nanoTime() - sinceNanos) / 1_000_000;
            }
            assertTrue(System.nanoTime() - end < 0, side + "'s agg0 still has MTU " + now + " 20 s after a link went to "
                    + (mtu + HEADER) + " (expected " + mtu + ")");
            Thread.sleep(20);
        }
    }

    private static String lastLines(String out) {
        List<String> lines = out.strip().lines().toList();
        return String.join(" | ", lines.subList(Math.max(0, lines.size() - 4), lines.size()));
    }
}
