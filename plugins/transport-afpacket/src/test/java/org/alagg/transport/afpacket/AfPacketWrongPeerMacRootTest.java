package org.alagg.transport.afpacket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.alagg.api.Link;
import org.alagg.api.LinkState;
import org.alagg.api.MacAddress;
import org.alagg.linux.NetworkInterfaces;
import org.alagg.linux.NetworkNamespace;
import org.alagg.testing.Await;
import org.alagg.testing.RequiresRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;


/**
 * A link whose configured peer MAC is silent while another MAC sends frames of the link's EtherType on its interface
 * says so in its state detail (issue 12: misconfiguration named); a link whose peer is heard says nothing of other
 * senders, and the peers of the interface's other links are no other senders (issue 13: one interface, many peers).
 *
 * <pre>
 *   ns a: va ----- vb :ns b
 *                  mv  (macvlans on vb: more MACs on the same wire)
 *                  mv2
 * </pre>
 */
@RequiresRoot
class AfPacketWrongPeerMacRootTest {
    private static final int ETHERTYPE = 0x88B5;
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    /** No interface has it: the peer MAC a careless operator typed. */
    private static final MacAddress WRONG = MacAddress.parse("02:00:00:00:01:02");

    private TwoHosts hosts;
    private MacAddress macA;
    private MacAddress macB;

    @BeforeEach
    void network() throws Exception {
        hosts = new TwoHosts((net, a, b) -> net.veth(a, "va", b, "vb"));
        macA = NetworkNamespace.call(hosts.a, () -> NetworkInterfaces.mac("va"));
        macB = NetworkNamespace.call(hosts.b, () -> NetworkInterfaces.mac("vb"));
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (hosts != null) {
            hosts.close();
        }
    }

    /** Makes a macvlan on vb, up (one more MAC on the wire), and returns its MAC. */
    private MacAddress macvlan(String name) throws Exception {
        hosts.net.exec(hosts.b, "ip", "link", "add", name, "link", "vb", "type", "macvlan", "mode", "bridge");
        hosts.net.up(hosts.b, name);
        return NetworkNamespace.call(hosts.b, () -> NetworkInterfaces.mac(name));
    }

    @Test
    void aSilentPeerMacIsNamedWhileAnotherMacSendsAndTheDetailClearsWhenItStops() throws Exception {
        long opened = System.nanoTime();
        Link link = NetworkNamespace.call(hosts.a, () -> hosts.inA.open(0, "va", WRONG, ETHERTYPE));
        Link fromB = NetworkNamespace.call(hosts.b, () -> hosts.inB.open(0, "vb", macA, ETHERTYPE));
        await("both ends UP", () -> link.state() == LinkState.UP && fromB.state() == LinkState.UP);
        ReceiverThread receiver = hosts.receiver(hosts.inA);
        SenderThread sender = hosts.sender(hosts.inB, 0);

        await("the detail names " + macB, () -> link.stateDetail().contains(macB.toString()));
        long named = System.nanoTime();
        String detail = link.stateDetail();
        System.out.println("detail: " + detail);
        assertTrue(named - opened >= SECOND, "named only after the peer was silent for 1 s: "
                + TimeUnit.NANOSECONDS.toMillis(named - opened) + " ms");
        assertTrue(detail.contains("configured peer " + WRONG), detail);
        assertTrue(detail.contains(" on va"), detail);
        assertTrue(detail.contains("is the peer's MAC right?"), detail);
        assertFalse(detail.contains("\n"), "one line: " + detail);
        assertEquals(LinkState.UP, link.state(), "the interface is fine: the transport keeps the link UP");
        assertTrue(receiver.unknown() > 0, "the frames arrived, from a source no link has");
        assertEquals(0, receiver.frames(0), "none from the configured peer");

        sender.links();
        long stopped = System.nanoTime();
        await("the detail clears once the other MAC stopped", () -> link.stateDetail().isEmpty());
        long cleared = System.nanoTime();
        assertTrue(cleared - stopped >= SECOND * 9 / 10, "cleared after about 1 s without foreign frames: "
                + TimeUnit.NANOSECONDS.toMillis(cleared - stopped) + " ms");
        assertEquals(LinkState.UP, link.state());
    }

    /**
     * The right peer MAC: another MAC sending on the same wire (legal: several peers on one interface) says nothing
     * while the peer is heard; once the peer falls silent the other MAC is named, and the detail clears as soon as the
     * peer is heard again.
     */
    @Test
    void anotherMacIsNamedOnlyWhileTheConfiguredPeerIsSilent() throws Exception {
        MacAddress macMv = macvlan("mv");
        Link link = NetworkNamespace.call(hosts.a, () -> hosts.inA.open(0, "va", macB, ETHERTYPE));
        Link fromB = NetworkNamespace.call(hosts.b, () -> hosts.inB.open(0, "vb", macA, ETHERTYPE));
        Link fromMv = NetworkNamespace.call(hosts.b, () -> hosts.inB.open(1, "mv", macA, ETHERTYPE));
        await("all ends UP", () -> link.state() == LinkState.UP && fromB.state() == LinkState.UP
                && fromMv.state() == LinkState.UP);
        ReceiverThread receiver = hosts.receiver(hosts.inA);
        SenderThread sender = hosts.sender(hosts.inB, 0, 1);

        long until = System.nanoTime() + 2 * SECOND;
        while (System.nanoTime() < until) {
            assertEquals("", link.stateDetail(), "the peer is heard: another MAC is no misconfiguration");
            Thread.sleep(20);
        }
        assertTrue(receiver.frames(0) > 0, "frames from the peer arrived");
        assertTrue(receiver.unknown() > 0, "frames from the other MAC arrived");

        sender.links(1);
        long silent = System.nanoTime();
        await("the detail names " + macMv, () -> link.stateDetail().contains(macMv.toString()));
        long named = System.nanoTime();
        String detail = link.stateDetail();
        System.out.println("detail: " + detail);
        assertTrue(named - silent >= SECOND * 9 / 10, "named after the peer was silent for about 1 s: "
                + TimeUnit.NANOSECONDS.toMillis(named - silent) + " ms");
        assertTrue(detail.contains("configured peer " + macB), detail);
        assertFalse(detail.contains(macB + " on va since the link opened"), "the peer was heard: " + detail);

        sender.links(0, 1);
        await("the detail clears once the peer is heard again", () -> link.stateDetail().isEmpty());
    }

    /** Two other MACs send while the configured one is silent: the detail says so and names the last of them. */
    @Test
    void severalOtherMacsAreCountedTogether() throws Exception {
        MacAddress macMv = macvlan("mv");
        Link link = NetworkNamespace.call(hosts.a, () -> hosts.inA.open(0, "va", WRONG, ETHERTYPE));
        Link fromB = NetworkNamespace.call(hosts.b, () -> hosts.inB.open(0, "vb", macA, ETHERTYPE));
        Link fromMv = NetworkNamespace.call(hosts.b, () -> hosts.inB.open(1, "mv", macA, ETHERTYPE));
        await("all ends UP", () -> link.state() == LinkState.UP && fromB.state() == LinkState.UP
                && fromMv.state() == LinkState.UP);
        hosts.receiver(hosts.inA);
        hosts.sender(hosts.inB, 0, 1);

        await("the detail names the other MACs", () -> link.stateDetail().contains("from other MACs"));
        String detail = link.stateDetail();
        System.out.println("detail: " + detail);
        assertTrue(detail.contains("the last from " + macB) || detail.contains("the last from " + macMv), detail);
        assertTrue(detail.contains("configured peer " + WRONG), detail);
    }

    /**
     * Two links on va, one peer silent, the other's peer sending (a hub's interface hears its many peers): that peer
     * is no other MAC for the silent link, which says nothing; a MAC that is no link's peer on va still is named, as
     * the only other source (the other link's peer is not counted with it).
     */
    @Test
    void theOtherLinksPeersAreNotForeign() throws Exception {
        MacAddress macMv = macvlan("mv");
        MacAddress macMv2 = macvlan("mv2");
        Link silent = NetworkNamespace.call(hosts.a, () -> hosts.inA.open(0, "va", macMv2, ETHERTYPE));
        Link heard = NetworkNamespace.call(hosts.a, () -> hosts.inA.open(1, "va", macMv, ETHERTYPE));
        Link fromB = NetworkNamespace.call(hosts.b, () -> hosts.inB.open(0, "vb", macA, ETHERTYPE));
        Link fromMv = NetworkNamespace.call(hosts.b, () -> hosts.inB.open(1, "mv", macA, ETHERTYPE));
        await("all ends UP", () -> silent.state() == LinkState.UP && heard.state() == LinkState.UP
                && fromB.state() == LinkState.UP && fromMv.state() == LinkState.UP);
        ReceiverThread receiver = hosts.receiver(hosts.inA);
        SenderThread sender = hosts.sender(hosts.inB, 1);

        long until = System.nanoTime() + 2 * SECOND;
        while (System.nanoTime() < until) {
            assertEquals("", silent.stateDetail(), "the frames come from the other link's peer: nothing foreign");
            assertEquals("", heard.stateDetail());
            Thread.sleep(20);
        }
        assertTrue(receiver.frames(1) > 0, "the other link's peer was heard");
        assertEquals(0, receiver.unknown(), "no frame from a source no link has");

        sender.links(0, 1);
        await("the detail names " + macB, () -> silent.stateDetail().contains(macB.toString()));
        String detail = silent.stateDetail();
        System.out.println("detail: " + detail);
        assertTrue(detail.contains("configured peer " + macMv2 + " on va since the link opened"), detail);
        assertTrue(detail.contains("came from " + macB + " meanwhile"), "the only foreign source: " + detail);
        assertFalse(detail.contains(macMv.toString()), "the other link's peer is not foreign: " + detail);
        assertEquals("", heard.stateDetail(), "its peer is heard");
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        Await.until(what, Duration.ofSeconds(5), condition);
    }
}
