package org.alagg.transport.afpacket;

import static org.alagg.transport.afpacket.Frames.receive;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.BooleanSupplier;

import org.alagg.api.Link;
import org.alagg.api.LinkState;
import org.alagg.api.MacAddress;
import org.alagg.api.PacketBatch;
import org.alagg.linux.NetworkInterfaces;
import org.alagg.linux.NetworkNamespace;
import org.alagg.testing.Await;
import org.alagg.testing.RequiresRoot;
import org.alagg.testing.TestNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;


/** The transport on the real kernel: two namespaces joined by a veth pair, one transport in each. */
@RequiresRoot
class AfPacketTransportRootTest {
    private static final int ETHERTYPE = 0x88B5;

    private TestNetwork net;
    private String a;
    private String b;
    private AfPacketTransport inA;
    private AfPacketTransport inB;

    @BeforeEach
    void network() throws Exception {
        net = TestNetwork.create();
        a = net.namespace("a");
        b = net.namespace("b");
        inA = NetworkNamespace.call(a, () -> new AfPacketTransport(QuietLogger.create()));
        inB = NetworkNamespace.call(b, () -> new AfPacketTransport(QuietLogger.create()));
    }

    @AfterEach
    void cleanUp() {
        try {
            inA.stop();
            inB.stop();
        } finally {
            net.close();
        }
    }

    @Test
    void framesCrossTheVethIntactAndAreTaggedWithTheirLink() throws Exception {
        net.veth(a, "va", b, "vb");
        MacAddress macA = NetworkNamespace.call(a, () -> NetworkInterfaces.mac("va"));
        MacAddress macB = NetworkNamespace.call(b, () -> NetworkInterfaces.mac("vb"));
        Link toB = NetworkNamespace.call(a, () -> inA.open(3, "va", macB, ETHERTYPE));
        Link toA = NetworkNamespace.call(b, () -> inB.open(5, "vb", macA, ETHERTYPE));
        // a new veth gets its carrier a moment after it is up
        await("both ends UP", () -> toB.state() == LinkState.UP && toA.state() == LinkState.UP);

        PacketBatch out = new PacketBatch(4, 2048);
        for (String text : new String[] {"first frame", "second"}) {
            byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
            out.slot(out.size()).put(0, bytes);
            out.commit(bytes.length, null, 3);
        }
        assertEquals(2, inA.send(out));

        PacketBatch in = new PacketBatch(8, 2048);
        receive(inB, in, 2);
        assertEquals(2, in.size());
        for (int i = 0; i < 2; i++) {
            assertEquals(5, in.link(i), "tagged with the receiving side's link");
        }
        byte[] first = new byte["first frame".length()];
        in.packet(0).get(0, first);
        assertEquals("first frame", new String(first, StandardCharsets.US_ASCII));
        assertTrue(in.length(0) >= "first frame".length(), "Ethernet may pad short frames: " + in.length(0));
    }

    @Test
    void aFrameFromAnUnconfiguredMacIsTaggedMinusOne() throws Exception {
        net.veth(a, "va", b, "vb");
        MacAddress macB = NetworkNamespace.call(b, () -> NetworkInterfaces.mac("vb"));
        NetworkNamespace.call(a, () -> inA.open(0, "va", macB, ETHERTYPE));
        NetworkNamespace.call(b, () -> inB.open(0, "vb", MacAddress.parse("02:00:00:00:99:99"), ETHERTYPE));

        PacketBatch out = new PacketBatch(1, 256);
        out.slot(0).put(0, (byte) 1);
        out.commit(1, null, 0);
        inA.send(out);
        PacketBatch in = new PacketBatch(4, 2048);
        receive(inB, in, 1);
        assertEquals(-1, in.link(0), "the source is not the configured peer");
    }

    @Test
    void aMissingInterfaceIsDownUntilItAppearsAndGoesDownWithIt() throws Exception {
        Link link = NetworkNamespace.call(a, () -> inA.open(1, "vlate", MacAddress.parse("02:00:00:00:00:02"), ETHERTYPE));
        assertEquals(LinkState.DOWN, link.state());
        assertEquals("interface vlate does not exist", link.stateDetail());

        net.veth(a, "vlate", b, "vother");
        await("UP once the interface exists", () -> link.state() == LinkState.UP);
        net.down(a, "vlate");
        await("DOWN with the interface", () -> link.state() == LinkState.DOWN);
        assertEquals("interface vlate is down", link.stateDetail());
        net.up(a, "vlate");
        await("UP again", () -> link.state() == LinkState.UP);

        // the other end goes down: this end is up, but nothing it sends arrives
        net.down(b, "vother");
        await("DOWN without a carrier", () -> link.state() == LinkState.DOWN);
        assertEquals("interface vlate has no carrier", link.stateDetail());
        net.up(b, "vother");
        await("UP with the carrier back", () -> link.state() == LinkState.UP);
        link.close();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        Await.until(what, Duration.ofSeconds(5), condition);
    }
}
