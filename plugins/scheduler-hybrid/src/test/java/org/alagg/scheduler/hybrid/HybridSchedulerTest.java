package org.alagg.scheduler.hybrid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;

import org.alagg.api.LinkState;
import org.alagg.api.PayloadType;
import org.alagg.testkit.SchedulerCheck;
import org.alagg.testkit.TestLinks;
import org.junit.jupiter.api.Test;

class HybridSchedulerTest {
    private final HybridScheduler scheduler = new HybridScheduler();
    private final TestLinks links = new TestLinks();
    private final int[] chosen = new int[4];
    private final HybridScheduler.Rules defaults = HybridScheduler.rules(HybridScheduler.DEFAULT_SMALL_BYTES,
            HybridScheduler.DEFAULT_DSCP, HybridScheduler.DEFAULT_PORTS);

    @Test
    void meetsTheEnginesContractWithoutAllocating() {
        SchedulerCheck.of(scheduler).run(5, 20_000);
    }

    @Test
    void smallPacketsGoOnEveryLinkBulkOnOne() {
        links.set(0, LinkState.UP, 1_000_000, 0, 0);
        links.set(1, LinkState.UP, 1_000_000, 0, 0);
        ByteBuffer ack = ipv4(6, 0, 40000, 5201, 52);
        assertEquals(2, scheduler.choose(0, PayloadType.IPV4, ack, 52, new int[] {0, 1}, 2, links, chosen));
        ByteBuffer bulk = ipv4(6, 0, 40000, 5201, 1400);
        assertEquals(1, scheduler.choose(1, PayloadType.IPV4, bulk, 1400, new int[] {0, 1}, 2, links, chosen));
    }

    @Test
    void dscpAndPortsMarkPacketsForEveryLink() {
        assertTrue(HybridScheduler.isProtected(defaults, PayloadType.IPV4, ipv4(17, 46, 16384, 16386, 1000), 1000), "EF");
        assertFalse(HybridScheduler.isProtected(defaults, PayloadType.IPV4, ipv4(17, 10, 16384, 16386, 1000), 1000), "AF11");
        assertTrue(HybridScheduler.isProtected(defaults, PayloadType.IPV4, ipv4(17, 0, 40000, 53, 600), 600), "DNS query");
        assertTrue(HybridScheduler.isProtected(defaults, PayloadType.IPV4, ipv4(6, 0, 53, 40000, 1400), 1400), "DNS over TCP");
        assertTrue(HybridScheduler.isProtected(defaults, PayloadType.IPV6, ipv6(17, 46, 1, 2, 1000), 1000), "EF over IPv6");
        assertTrue(HybridScheduler.isProtected(defaults, PayloadType.IPV6, ipv6(17, 0, 40000, 53, 1000), 1000), "DNS over IPv6");
        assertFalse(HybridScheduler.isProtected(defaults, PayloadType.IPV6, ipv6(6, 0, 40000, 443, 1400), 1400));
        ByteBuffer tagged = ByteBuffer.allocate(1500);
        tagged.putShort(12, (short) 0x8100).putShort(16, (short) 0x0800);
        tagged.put(18, ipv4(17, 46, 1, 2, 1000).array(), 0, 1000);
        assertTrue(HybridScheduler.isProtected(defaults, PayloadType.ETHERNET, tagged, 1018), "EF behind a VLAN tag");
    }

    @Test
    void aTruncatedOrFragmentedPacketIsBulk() {
        ByteBuffer fragment = ipv4(17, 0, 40000, 53, 1000);
        fragment.putShort(6, (short) 0x0010); // a later fragment: its bytes 20.. are not a UDP header
        assertFalse(HybridScheduler.isProtected(defaults, PayloadType.IPV4, fragment, 1000));
        HybridScheduler.Rules noSize = HybridScheduler.rules(0, "46", "53");
        assertFalse(HybridScheduler.isProtected(noSize, PayloadType.IPV6, ipv6(17, 0, 40000, 53, 1000), 42),
                "the ports lie beyond the packet's 42 bytes: not read");
        assertFalse(HybridScheduler.isProtected(noSize, PayloadType.IPV4, ipv4(17, 46, 1, 2, 1000), 19),
                "shorter than an IPv4 header: not read");
    }

    @Test
    void badSettingsAreRefusedWithTheirName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> scheduler.configure(100, "46, 64", "53"));
        assertEquals("plugin.hybrid.dscp: 64 is out of range 0..63", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> scheduler.configure(100, "46", "dns"));
        assertEquals("plugin.hybrid.ports: 'dns' is not a number", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> scheduler.configure(70000, "46", "53"));
        assertEquals("plugin.hybrid.small.bytes 70000 is out of range 0..65535", e.getMessage());
    }

    private static ByteBuffer ipv4(int protocol, int dscp, int sourcePort, int destinationPort, int length) {
        ByteBuffer b = ByteBuffer.allocate(Math.max(length, 40));
        b.put(0, (byte) 0x45).put(1, (byte) (dscp << 2)).putShort(2, (short) length).put(9, (byte) protocol);
        b.putShort(20, (short) sourcePort).putShort(22, (short) destinationPort);
        return b;
    }

    private static ByteBuffer ipv6(int protocol, int dscp, int sourcePort, int destinationPort, int length) {
        ByteBuffer b = ByteBuffer.allocate(Math.max(length, 60));
        b.putShort(0, (short) (0x6000 | dscp << 6)).putShort(4, (short) (length - 40)).put(6, (byte) protocol);
        b.putShort(40, (short) sourcePort).putShort(42, (short) destinationPort);
        return b;
    }
}
