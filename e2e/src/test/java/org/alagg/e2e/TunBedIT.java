package org.alagg.e2e;

import static org.alagg.e2e.Beds.report;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;

import org.alagg.testing.RequiresRoot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The TUN capture mode end to end: each side's application addresses on its TUN device, two links, windowed. */
@RequiresRoot(tools = {"iperf3", "nc", "ping", "ethtool", "ss"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TunBedIT {
    private Bed bed;
    private Path file;

    @BeforeAll
    void start() throws Exception {
        bed = Beds.create(Bed.Capture.TUN, 2, 2, "reorder = windowed").start();
        file = Transfer.randomFile(bed.directory().resolve("sent.bin"), Beds.TRANSFER_BYTES);
    }

    @AfterEach
    void countersAddUp() throws Exception {
        Conservation.assertCountersAddUp(bed);
    }

    @AfterAll
    void stop() {
        if (bed != null) {
            bed.close();
        }
    }

    @Test
    void pingsBothWaysOverIpv4AndIpv6WithoutLoss() throws Exception {
        Beds.assertPingsBothWays(bed);
    }

    @Test
    void transfersFiftyMegabytesIntact() throws Exception {
        Map<String, Long> a = bed.a().instance().stats();
        Map<String, Long> b = bed.b().instance().stats();
        Beds.assertTransfersIntact(bed, file);
        // tun.offload is on by default: the senders' TCP hands over super-packets, the receivers get joined segments
        long cut = Beds.delta(a, bed.a().instance().stats(), "tun_super_packets");
        long joined = Beds.delta(b, bed.b().instance().stats(), "tun_joined_writes");
        report("transfer", "TUN, super-packets cut by A: %d, joined writes at B: %d", cut, joined);
        assertTrue(cut > 0, "A's TCP sender handed over no super-packet");
        assertTrue(joined > 0, "no segments were joined for B's receiver");
    }

    @Test
    void carriesTcpBulkAndUdpAtAFixedRate() throws Exception {
        Traffic.Iperf tcp = Traffic.tcp(bed.a(), bed.b().ipv4(), 5);
        report("tcp", "TUN, iperf3 TCP 5 s A -> B: %s", tcp);
        assertTrue(tcp.megabitsPerSecond() > 50, "TCP through the aggregate: " + tcp);
        Traffic.Iperf udp = Traffic.udp(bed.b(), bed.a().ipv4(), 5, "100M", 1300);
        report("udp", "TUN, iperf3 UDP 100 Mbit/s, 1300 B, 5 s B -> A: %s", udp);
        assertTrue(udp.packets() > 40_000, "UDP packets: " + udp);
        assertTrue(udp.lostPercent() < 1.0, "UDP loss at 100 Mbit/s: " + udp);
    }
}
