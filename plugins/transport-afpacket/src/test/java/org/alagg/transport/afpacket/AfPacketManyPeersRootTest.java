package org.alagg.transport.afpacket;

import static org.alagg.transport.afpacket.Frames.frame;
import static org.alagg.transport.afpacket.Frames.numbers;
import static org.alagg.transport.afpacket.Frames.receive;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import org.alagg.api.Link;
import org.alagg.api.LinkState;
import org.alagg.api.MacAddress;
import org.alagg.api.PacketBatch;
import org.alagg.linux.LinuxException;
import org.alagg.linux.NetworkInterfaces;
import org.alagg.linux.NetworkNamespace;
import org.alagg.testing.Await;
import org.alagg.testing.OpenDescriptors;
import org.alagg.testing.RequiresRoot;
import org.alagg.testing.TestNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One interface, many peers (issue 13): a's interface va carries a link to each of two MACs on the far side, which
 * share va's one socket. Each frame a sends goes to its own link's peer, each frame a receives is its source's
 * link's (or -1), and arrives once however many links va carries.
 *
 * <pre>
 *   ns a: va ----- vb :ns b
 *                  mv1  macvlans on vb, each its own MAC and a link of b's to va (links 0, 1, 2):
 *                  mv2  a macvlan receives only the frames addressed to its MAC, so a frame b receives on mv1
 *                  mv3  was sent to mv1's MAC; a's links: 3 to mv1, 7 to mv2, none to mv3
 * </pre>
 */
@RequiresRoot
class AfPacketManyPeersRootTest {
    private static final int ETHERTYPE = 0x88B5;
    private static final MacAddress MAC_A = MacAddress.parse("02:00:00:00:0a:01");
    /** The MACs of mv1, mv2, mv3. */
    private static final MacAddress[] FAR = {MacAddress.parse("02:00:00:00:0b:01"),
        MacAddress.parse("02:00:00:00:0b:02"), MacAddress.parse("02:00:00:00:0b:03")};
    private static final int TO_MV1 = 3;
    private static final int TO_MV2 = 7;

    private TwoHosts hosts;
    private final List<Link> far = new ArrayList<>();

    @BeforeEach
    void network() throws Exception {
        hosts = new TwoHosts(AfPacketManyPeersRootTest::wire);
    }

    /** va and vb, mv1 to mv3 on vb, all up, with the MACs of {@link #MAC_A} and {@link #FAR}. */
    private static void wire(TestNetwork net, String a, String b) throws IOException {
        net.exec(a, "ip", "link", "add", "va", "address", MAC_A.toString(), "type", "veth", "peer", "name", "vb",
                "netns", b);
        net.up(a, "va");
        net.up(b, "vb");
        for (int k = 0; k < FAR.length; k++) {
            net.exec(b, "ip", "link", "add", "mv" + (k + 1), "link", "vb", "address", FAR[k].toString(),
                    "type", "macvlan", "mode", "bridge");
            net.up(b, "mv" + (k + 1));
        }
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (hosts != null) {
            hosts.close();
        }
    }

    private Link openA(int id, MacAddress peer) throws Exception {
        return NetworkNamespace.call(hosts.a, () -> hosts.inA.open(id, "va", peer, ETHERTYPE));
    }

    /** b's links 0, 1, 2 on mv1, mv2, mv3, each to va's MAC. */
    private void openFarLinks() throws Exception {
        for (int k = 0; k < FAR.length; k++) {
            String name = "mv" + (k + 1);
            int id = k;
            far.add(NetworkNamespace.call(hosts.b, () -> hosts.inB.open(id, name, MAC_A, ETHERTYPE)));
        }
    }

    private void awaitUp(Link... links) throws InterruptedException {
        await("all links UP", () -> far.stream().allMatch(l -> l.state() == LinkState.UP)
                && List.of(links).stream().allMatch(l -> l.state() == LinkState.UP));
    }

    @Test
    void eachFrameGoesToItsLinksPeerAndArrivesOnceTaggedWithItsSourcesLink() throws Exception {
        Link to1 = openA(TO_MV1, FAR[0]);
        Link to2 = openA(TO_MV2, FAR[1]);
        openFarLinks();
        awaitUp(to1, to2);

        // a to b: 150 frames per link, alternating in batches of 60; each arrives on the macvlan of its link's peer
        ReceiverThread atB = new ReceiverThread(hosts.inB);
        try {
            PacketBatch out = new PacketBatch(64, 2048);
            for (int round = 0; round < 5; round++) {
                out.clear();
                for (int n = 0; n < 60; n++) {
                    frame(out, 100, n % 2 == 0 ? TO_MV1 : TO_MV2, round * 60 + n);
                }
                assertEquals(60, hosts.inA.send(out), "one batch for two links on one interface, none refused");
            }
            await("a's frames at b", () -> atB.frames(0) >= 150 && atB.frames(1) >= 150);
            Thread.sleep(300);
            assertEquals(150, atB.frames(0), "link 3's frames were addressed to mv1's MAC");
            assertEquals(150, atB.frames(1), "link 7's frames were addressed to mv2's MAC");
            assertEquals(0, atB.frames(2), "none to mv3's");
            assertEquals(0, atB.unknown());
        } finally {
            atB.stopWithoutFailure();
        }

        // b to a: 100 frames from each of mv1, mv2, mv3
        ReceiverThread receiver = hosts.receiver(hosts.inA);
        PacketBatch back = new PacketBatch(64, 2048);
        for (int round = 0; round < 5; round++) {
            back.clear();
            for (int n = 0; n < 60; n++) {
                frame(back, 100, n % 3, round * 60 + n);
            }
            assertEquals(60, hosts.inB.send(back));
        }
        await("b's frames at a", () -> receiver.frames(TO_MV1) >= 100 && receiver.frames(TO_MV2) >= 100
                && receiver.unknown() >= 100);
        Thread.sleep(300);
        assertEquals(100, receiver.frames(TO_MV1), "mv1's frames are link 3's, each once (not once per link)");
        assertEquals(100, receiver.frames(TO_MV2), "mv2's frames are link 7's, each once");
        assertEquals(100, receiver.unknown(), "mv3's frames are no link's, each once");
        for (int id = 0; id < 256; id++) {
            if (id != TO_MV1 && id != TO_MV2) {
                assertEquals(0, receiver.frames(id), "frames of link " + id);
            }
        }
    }

    @Test
    void onePeerMacOnceAnInterfaceAndItsSocketClosesWithItsLastLink() throws Exception {
        openFarLinks();
        int before = sockets();
        Link to1 = openA(TO_MV1, FAR[0]);
        int open = sockets();
        assertTrue(open > before, "va's socket (and its eventfd)");
        Link to2 = openA(TO_MV2, FAR[1]);
        assertEquals(open, sockets(), "va's second link shares its socket");

        IOException twice = assertThrows(IOException.class, () -> openA(5, FAR[0]));
        String message = twice.getMessage();
        assertTrue(message.contains("va") && message.contains(FAR[0].toString()) && message.contains("link " + TO_MV1),
                "names the interface, the MAC and the link that has it: " + message);
        assertThrows(IOException.class,
                () -> NetworkNamespace.call(hosts.a, () -> hosts.inA.open(5, "va", FAR[0], 0x88B6)),
                "not with another EtherType either");
        assertEquals(open, sockets(), "the refused links opened nothing");
        awaitUp(to1, to2);

        to1.close();
        assertEquals(open, sockets(), "the socket stays for link 7");
        assertEquals(LinkState.UP, to2.state());
        PacketBatch out = new PacketBatch(4, 256);
        frame(out, 60, TO_MV2, 1);
        frame(out, 60, TO_MV1, 2);
        frame(out, 60, TO_MV2, 3);
        assertEquals(2, hosts.inA.send(out));
        assertEquals(LinuxException.ENETDOWN, out.refusal(1), "link 3 is closed");
        PacketBatch in = new PacketBatch(8, 2048);
        receive(hosts.inB, in, 2);
        assertEquals(List.of(1, 3), numbers(in));
        assertEquals(List.of(1, 1), List.of(in.link(0), in.link(1)), "both to mv2's MAC");

        ReceiverThread receiver = hosts.receiver(hosts.inA);
        PacketBatch back = new PacketBatch(4, 256);
        frame(back, 60, 0, 1);
        frame(back, 60, 1, 2);
        assertEquals(2, hosts.inB.send(back));
        await("b's frames at a", () -> receiver.frames(TO_MV2) == 1 && receiver.unknown() == 1);
        assertEquals(0, receiver.frames(TO_MV1), "mv1's frame is no link's any more");

        to2.close();
        assertEquals(before, sockets(), "closed with va's last link");
        Link again = openA(TO_MV1, FAR[0]);
        assertEquals(open, sockets(), "a new link opens a new socket");
        awaitUp(again);
        again.close();
        assertEquals(before, sockets());
    }

    /**
     * va is deleted and made again (another index, the same MACs on both sides) while b sends to both links: both
     * go DOWN, come back UP together on va's new socket, and carry frames both ways again.
     */
    @Test
    void bothLinksFollowTheirInterfaceMadeAgain() throws Exception {
        Link to1 = openA(TO_MV1, FAR[0]);
        Link to2 = openA(TO_MV2, FAR[1]);
        openFarLinks();
        awaitUp(to1, to2);
        ReceiverThread receiver = hosts.receiver(hosts.inA);
        SenderThread sender = hosts.sender(hosts.inB, 0, 1);
        await("frames for both links", () -> receiver.frames(TO_MV1) > 20 && receiver.frames(TO_MV2) > 20);
        int index = NetworkNamespace.call(hosts.a, () -> NetworkInterfaces.index("va"));

        hosts.net.exec(hosts.a, "ip", "link", "del", "va");
        await("both links DOWN", () -> to1.state() == LinkState.DOWN && to2.state() == LinkState.DOWN);
        wire(hosts.net, hosts.a, hosts.b);
        awaitUp(to1, to2);
        assertNotEquals(index, (int) NetworkNamespace.call(hosts.a, () -> NetworkInterfaces.index("va")),
                "a new index");
        long from1 = receiver.frames(TO_MV1);
        long from2 = receiver.frames(TO_MV2);
        await("frames for both links on the new va", () -> receiver.frames(TO_MV1) > from1 + 20
                && receiver.frames(TO_MV2) > from2 + 20);
        assertEquals(0, receiver.unknown(), "mv3 sends nothing");

        sender.stop();
        PacketBatch out = new PacketBatch(4, 256);
        frame(out, 60, TO_MV1, 1);
        frame(out, 60, TO_MV2, 2);
        assertEquals(2, hosts.inA.send(out));
        PacketBatch in = new PacketBatch(8, 2048);
        receive(hosts.inB, in, 2);
        assertEquals(List.of(1, 2), numbers(in));
        int first = in.packet(0).getInt(0) == 1 ? 0 : 1;
        assertEquals(List.of(0, 1), List.of(in.link(first), in.link(1 - first)), "each to its link's peer");
    }

    /**
     * The sockets open now, counted while neither transport's watcher runs (under its lock): each look at an interface
     * opens and closes one.
     */
    private int sockets() throws IOException {
        synchronized (hosts.inA) {
            synchronized (hosts.inB) {
                return OpenDescriptors.now().count();
            }
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        Await.until(what, Duration.ofSeconds(10), condition);
    }
}
