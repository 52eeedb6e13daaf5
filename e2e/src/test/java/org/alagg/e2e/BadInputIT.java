package org.alagg.e2e;

import static org.alagg.e2e.Beds.await;
import static org.alagg.e2e.Beds.awaitLinkState;
import static org.alagg.e2e.Beds.report;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.alagg.e2e.Bed.Side;
import org.alagg.testing.RequiresRoot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Mistakes an operator makes, on a running two-namespace bed (NFQUEUE, two links): each gives a clear error that
 * says what is wrong and where, nothing crashes, and what still can carry traffic does.
 */
@RequiresRoot(tools = {"ping", "ethtool", "iptables", "ip6tables"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputIT {
    private static final String MISSING = "nosuch0";

    private Bed bed;
    private Side a;

    @BeforeAll
    void start() throws Exception {
        bed = Beds.create(Bed.Capture.NFQUEUE, 2, 2, "reorder = windowed");
        a = bed.a();
        // A's file also names an interface this host does not have
        Files.writeString(a.instance().config(), Files.readString(a.instance().config())
                + "link." + MISSING + " = 02:00:00:00:00:09\n");
        bed.start();
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
    void aMissingInterfaceIsReportedDownWhileTheOtherLinksCarryTraffic() throws Exception {
        Instance.LinkReport missing = awaitLinkState(a.instance(), MISSING, "DOWN");
        report("bad input", "link naming a missing interface: %s %s (%s)", missing.link(), missing.state(), missing.detail());
        assertTrue(missing.detail().contains(MISSING), "the reason names the interface: " + missing.detail());
        assertEquals(0.0, Traffic.ping(a, bed.b().ipv4(), 50, 0.01).lossPercent());
    }

    @Test
    void aMalformedMacStopsAStartWithItsFileAndLine() throws Exception {
        Path bad = bed.directory().resolve("bad-mac.cfg");
        Files.write(bad, List.of("instance = bad-mac", "link.l1a = 02:00:00:00:00:01", "link.l2a = 02:00:zz:00:00:02"));
        IOException refused = assertThrows(IOException.class,
                () -> a.exec(Beds.ROOT.resolve("alagg").toString(), "run", "-c", bad.toString()));
        report("bad input", "alagg run with a malformed MAC: %s", refused.getMessage().strip());
        assertTrue(refused.getMessage().contains("exit code 2"), refused.getMessage());
        assertTrue(refused.getMessage().contains(bad + ":3"), "names file and line: " + refused.getMessage());
        assertTrue(refused.getMessage().contains("02:00:zz:00:00:02"), "names the value: " + refused.getMessage());
    }

    @Test
    void aMalformedMacInALiveEditKeepsTheLastGoodConfigurationForwarding() throws Exception {
        Path config = a.instance().config();
        String good = Files.readString(config);
        try {
            Files.writeString(config, good.replaceFirst("link\\.l2a = \\S+", "link.l2a = 02:00:zz:00:00:02"));
            String status = await("A reports the config error", () -> a.instance().ctl("alagg:status"),
                    out -> out.contains("config error"));
            report("bad input", "live edit with a malformed MAC, alagg:status says:\n%s", status.strip());
            assertTrue(status.contains("02:00:zz:00:00:02"), status);
            assertEquals(0.0, Traffic.ping(a, bed.b().ipv4(), 50, 0.01).lossPercent(), "the last good configuration forwards");
        } finally {
            Files.writeString(config, good);
            await("A's config error clears", () -> a.instance().ctl("alagg:status"), out -> !out.contains("config error"));
        }
    }

    @Test
    void aQueueAnotherProgramOwnsIsAClearErrorAndNothingElseBreaks() throws Exception {
        // A's instance owns NFQUEUE 0 in this namespace; a second one is told to use it too
        Instance second = a.newInstance("second", List.of("instance = second", "link.l1a = " + bed.b().mac("l1b"),
                "interceptor = nfqueue", "nfqueue.num = " + Bed.QUEUE));
        second.start();
        try {
            second.awaitAnswering(Duration.ofSeconds(30));
            String status = await("the second instance reports the queue", () -> second.ctl("alagg:status"),
                    out -> out.contains("cannot bind NFQUEUE " + Bed.QUEUE));
            String line = status.lines().filter(l -> l.contains("cannot bind NFQUEUE")).findFirst().orElseThrow();
            report("bad input", "second instance on a queue another program owns, alagg:status: %s", line.strip());
            assertTrue(line.contains("another program owns NFQUEUE " + Bed.QUEUE), line);
            assertTrue(second.log().contains("cannot bind NFQUEUE " + Bed.QUEUE), "and logs it:\n" + second.log());
            assertTrue(second.alive(), "the second instance keeps running");
            assertTrue(second.ctl("alagg:links").contains("l1a"), "and answers");
            assertEquals(0.0, Traffic.ping(a, bed.b().ipv4(), 50, 0.01).lossPercent(), "the first instance forwards");
        } finally {
            second.stop();
        }
    }
}
