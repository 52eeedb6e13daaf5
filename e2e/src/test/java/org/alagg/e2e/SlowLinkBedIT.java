package org.alagg.e2e;

import static org.alagg.e2e.Beds.report;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.alagg.e2e.Bed.Side;
import org.alagg.testing.RequiresRoot;
import org.junit.jupiter.api.Test;

/**
 * A slow link does not hold the fast one back: link 1 limited by a token bucket far below the offered load, link 2
 * free. The frames link 1's queue refuses are its own loss; link 2 takes every frame, and the receiver gets about
 * every datagram.
 */
@RequiresRoot(tools = {"tc", "iperf3", "ping", "ethtool", "ss", "iptables", "ip6tables"})
class SlowLinkBedIT {
    private static final String SLOW = "5mbit";
    private static final String OFFERED = "50M";
    private static final int SECONDS = 10;

    @Test
    void aSlowLinkRefusesItsOwnFramesOnlyAndTheFastOneCarriesEverything() throws Exception {
        try (Bed bed = Beds.create(Bed.Capture.NFQUEUE, 2, 2, "reorder = windowed").start()) {
            Side a = bed.a();
            bed.slow(1, SLOW, 50);
            Map<String, Instance.LinkReport> before = a.instance().links();
            Traffic.Iperf udp = Traffic.udp(a, bed.b().ipv4(), SECONDS, OFFERED, 1300);
            Map<String, Instance.LinkReport> after = a.instance().links();
            bed.slow(1, null, 0);

            long slowSent = delta(before, after, "l1a", "frames_sent");
            long slowRefused = delta(before, after, "l1a", "refused_queue_full");
            long fastSent = delta(before, after, "l2a", "frames_sent");
            long fastRefused = delta(before, after, "l2a", "refused_queue_full");
            report("slow link", "link 1 tbf %s, link 2 free, iperf3 UDP %s bit/s 1300 B %d s A -> B: %s", SLOW, OFFERED,
                    SECONDS, udp);
            report("slow link", "A: l1a %d frames sent, %d refused (queue full); l2a %d frames sent, %d refused (queue full)",
                    slowSent, slowRefused, fastSent, fastRefused);
            assertTrue(udp.packets() > 40_000, "UDP datagrams offered: " + udp);
            assertTrue(udp.lostPercent() < 1.0, "the receiver gets about every datagram over the free link: " + udp);
            assertTrue(fastRefused * 1000 <= fastSent, "link 2 refuses (almost) nothing: " + fastRefused + " of " + fastSent
                    + " frames refused with a full queue");
            assertTrue(slowRefused * 2 > fastSent, "link 1's queue refuses most of what it is offered: " + slowRefused
                    + " refused, link 2 sent " + fastSent);
            Conservation.assertCountersAddUp(bed);
        }
    }

    private static long delta(Map<String, Instance.LinkReport> before, Map<String, Instance.LinkReport> after, String link,
            String counter) {
        return after.get(link).counter(counter) - before.get(link).counter(counter);
    }
}
