package org.alagg.e2e;

import static org.alagg.e2e.Beds.report;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.alagg.e2e.Bed.Side;
import org.alagg.testing.RequiresRoot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The TAP capture mode end to end: Ethernet frames cross the aggregate, so ARP and IPv6 neighbour discovery
 * between the two TAP devices go through Alagg like everything else.
 */
@RequiresRoot(tools = {"ping", "ethtool"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TapBedIT {
    private Bed bed;

    @BeforeAll
    void start() throws Exception {
        bed = Beds.create(Bed.Capture.TAP, 2, 2, "reorder = windowed").start();
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
    void resolvesThePeerWithArpAndNeighbourDiscoveryThroughTheAggregate() throws Exception {
        for (Side side : new Side[] {bed.a(), bed.b()}) {
            side.exec("ip", "neigh", "flush", "dev", "agg0");
        }
        Beds.assertPingsBothWays(bed);
        for (Side side : new Side[] {bed.a(), bed.b()}) {
            String peerMac = side.peer().mac("agg0");
            String neighbours = side.exec("ip", "neigh", "show", "dev", "agg0");
            report("tap", "%s's neighbours on agg0:\n%s", side, neighbours.strip());
            for (String address : new String[] {side.peer().ipv4(), side.peer().ipv6()}) {
                assertTrue(neighbours.lines().anyMatch(l -> l.startsWith(address + " ") && l.contains("lladdr " + peerMac)),
                        side + " learnt " + address + " -> " + peerMac + " through the aggregate:\n" + neighbours);
            }
        }
    }
}
