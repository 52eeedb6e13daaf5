package org.alagg.linux;

import static org.alagg.linux.PacketSocketRootTest.ETHERTYPE;
import static org.alagg.linux.PacketSocketRootTest.SECOND;
import static org.alagg.linux.PacketSocketRootTest.frame;
import static org.alagg.linux.PacketSocketRootTest.number;
import static org.alagg.linux.PacketSocketRootTest.receiveAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.alagg.api.MacAddress;
import org.alagg.api.PacketBatch;
import org.alagg.testing.RequiresRoot;
import org.alagg.testing.TestNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * PacketSockets bound to one interface each (one per link, as the AF_PACKET transport uses them), on two veth
 * pairs between two namespaces.
 */
@RequiresRoot(tools = {"tc"})
class BoundPacketSocketRootTest {
    TestNetwork net;
    String a;
    String b;
    int l1a;
    int l2a;
    int l1b;
    MacAddress mac1a;
    MacAddress mac1b;
    MacAddress mac2b;
    PacketSocket s1a;
    PacketSocket s1b;

    @BeforeEach
    void network() throws Exception {
        net = TestNetwork.create();
        a = net.namespace("a");
        b = net.namespace("b");
        net.veth(a, "l1a", b, "l1b");
        net.veth(a, "l2a", b, "l2b");
        l1a = NetworkNamespace.call(a, () -> NetworkInterfaces.index("l1a"));
        l2a = NetworkNamespace.call(a, () -> NetworkInterfaces.index("l2a"));
        l1b = NetworkNamespace.call(b, () -> NetworkInterfaces.index("l1b"));
        mac1a = NetworkNamespace.call(a, () -> NetworkInterfaces.mac("l1a"));
        mac1b = NetworkNamespace.call(b, () -> NetworkInterfaces.mac("l1b"));
        mac2b = NetworkNamespace.call(b, () -> NetworkInterfaces.mac("l2b"));
        s1a = NetworkNamespace.call(a, () -> PacketSocket.open(ETHERTYPE, 64, l1a));
        s1b = NetworkNamespace.call(b, () -> PacketSocket.open(ETHERTYPE, 64, l1b));
        s1a.setDestination(0, l1a, mac1b);
    }

    @AfterEach
    void removeNetwork() {
        if (s1a != null) {
            s1a.close();
        }
        if (s1b != null) {
            s1b.close();
        }
        net.close();
    }

    @Test
    void receivesFromItsOwnInterfaceOnly() throws Exception {
        assertEquals(l1a, s1a.ifindex());
        assertEquals(l1a, s1a.boundIfindex());
        try (PacketSocket all = NetworkNamespace.call(a, () -> PacketSocket.open(ETHERTYPE, 8))) {
            all.setDestination(0, l1a, mac1b);
            all.setDestination(1, l2a, mac2b);
            assertEquals(0, all.ifindex());
            PacketBatch out = new PacketBatch(8, 2048);
            frame(out, 1, 0);
            frame(out, 2, 1);
            frame(out, 3, 0);
            assertEquals(3, all.send(out));
        }
        PacketBatch in = new PacketBatch(8, 2048);
        receiveAll(s1b, in, 2);
        assertEquals(mac1a.toLong(), s1b.sourceMac(1));
        assertEquals(l1b, s1b.sourceIfindex(1));
        assertEquals(0, s1b.receive(in, 100_000_000L), "nothing from l2b");
        assertEquals(1, number(in, 0));
        assertEquals(3, number(in, 1));
    }

    @Test
    void aFullQueueRefusesTheRestOfTheCall() throws Exception {
        // a token bucket of 1 Mbit/s holding 400 ms: a few hundred short frames fill it
        net.exec(a, "tc", "qdisc", "add", "dev", "l1a", "root", "tbf", "rate", "1mbit", "burst", "4kbit", "latency", "400ms");
        PacketBatch out = new PacketBatch(64, 2048);
        int refused = 0;
        for (int k = 0; k < 50 && refused == 0; k++) {
            out.clear();
            for (int n = 0; n < 64; n++) {
                frame(out, n, 0);
            }
            int sent = s1a.send(out);
            int first = -1;
            for (int i = 0; i < out.size(); i++) {
                if (out.refusal(i) != 0) {
                    first = first < 0 ? i : first;
                    assertEquals(LinuxException.ENOBUFS, out.refusal(i), "frame " + i);
                    refused++;
                } else {
                    assertTrue(first < 0, "once full, the rest of the call is refused without trying: frame " + i);
                }
            }
            assertEquals(64 - refused, sent);
        }
        assertTrue(refused > 0, "the queue filled");
    }

    @Test
    void anErrorQueuedWhileTheInterfaceWasDownIsCleared() throws Exception {
        net.down(a, "l1a");
        PacketBatch out = new PacketBatch(8, 2048);
        frame(out, 1, 0);
        frame(out, 2, 0);
        assertEquals(0, s1a.send(out));
        assertEquals(LinuxException.ENETDOWN, out.refusal(0));
        assertEquals(LinuxException.ENETDOWN, out.refusal(1), "ENETDOWN is tried frame by frame (it may be an old error)");
        net.up(a, "l1a");
        assertEquals(LinuxException.ENETDOWN, s1a.clearError(), "queued when l1a went down");
        assertEquals(0, s1a.clearError());
        out.clear();
        frame(out, 3, 0);
        assertEquals(1, s1a.send(out));
        PacketBatch in = new PacketBatch(8, 2048);
        receiveAll(s1b, in, 1);
        assertEquals(3, number(in, 0));
    }

    @Test
    void aRemovedInterfaceLeavesTheSocketUnbound() throws Exception {
        net.exec(a, "ip", "link", "del", "l1a");
        assertEquals(-1, s1a.boundIfindex());
        PacketBatch out = new PacketBatch(8, 2048);
        frame(out, 1, 0);
        frame(out, 2, 0);
        assertEquals(0, s1a.send(out));
        assertEquals(LinuxException.ENXIO, out.refusal(0));
        assertEquals(LinuxException.ENXIO, out.refusal(1));
        assertThrows(LinuxException.class, () -> NetworkNamespace.call(a, () -> PacketSocket.open(ETHERTYPE, 8, l1a)));
    }

    @Test
    void anInterfaceMadeAgainWithTheSameIndexIsNotBoundAgain() throws Exception {
        net.exec(a, "ip", "link", "del", "l1a");
        net.exec(a, "ip", "link", "add", "l1a", "index", String.valueOf(l1a), "type", "veth", "peer", "name", "l1b", "netns", b);
        net.up(a, "l1a");
        assertEquals(l1a, (int) NetworkNamespace.call(a, () -> NetworkInterfaces.index("l1a")), "the same index");
        assertEquals(-1, s1a.boundIfindex(), "but the socket lost its interface");
    }

    @Test
    void closeFromAnotherThreadWakesAReceiveAndThenClosesTheDescriptor() throws Exception {
        PacketBatch in = new PacketBatch(8, 2048);
        CompletableFuture<Integer> received = CompletableFuture.supplyAsync(() -> {
            try {
                return s1b.receive(in, 20 * SECOND);
            } catch (ClosedChannelException e) {
                return 0; // closed before the receive began to wait
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(100);
        s1b.close();
        assertEquals(0, received.get(10, TimeUnit.SECONDS));
        assertThrows(ClosedChannelException.class, () -> s1b.receive(in, 0));
        assertThrows(ClosedChannelException.class, () -> s1b.send(in));
        assertThrows(ClosedChannelException.class, s1b::boundIfindex);
    }
}
