#if( $kind == "strategy" )
package ${package};

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.alagg.api.ReorderSettings;
import org.alagg.api.ReorderStrategy;
import org.alagg.testkit.Arrivals;
import org.alagg.testkit.RecordingOutput;
import org.alagg.testkit.StrategyCheck;
import org.alagg.testkit.StrategyRun;
import org.junit.jupiter.api.Test;

class ${className}Test {
    private static final ReorderSettings SETTINGS = new ReorderSettings(256, 5_000_000);

    @Test
    void deliversAtOnceAndCountsWhatArrivedOutOfOrder() {
        ${className} plugin = new ${className}();
        ReorderStrategy strategy = plugin.create(SETTINGS, -2);
        RecordingOutput out = new RecordingOutput();
        for (int sequence : new int[] {-2, 0, -1, 1}) { // across the wrap at 2^32
            strategy.accept(sequence, sequence + 10, 0, out);
        }
        assertEquals(List.of("d4294967294", "d0", "d4294967295", "d1"), out.events());
        assertEquals(Map.of("delivered", 4L, "out_of_order", 1L), plugin.counters());
        assertEquals(List.of("25.0 % of 4 packets arrived out of order"), plugin.status());
    }

    @Test
    void meetsWhatTheEngineReliesOnUnderLossDuplicatesReorderingWrapAndSwaps() {
        StrategyRun run = StrategyCheck.of(new ${className}(), SETTINGS).timed()
                .run(Arrivals.random(42, -5_000, 10_000, 10_000, 0.05, 0.05, 300_000).withSwapEvery(2_500));
        assertEquals(run.arrivals() - run.duplicates(), run.delivered(), "every packet delivered, none late");
    }
}
#elseif( $kind == "scheduler" )
package ${package};

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Map;

import org.alagg.testkit.SchedulerCheck;
import org.alagg.testkit.SchedulerRun;
import org.junit.jupiter.api.Test;

class ${className}Test {
    @Test
    void eachPacketGoesOnTheNextLinksInTurn() {
        ${className} scheduler = new ${className}();
        scheduler.copies(2);
        int[] up = {4, 7, 9};
        int[] chosen = new int[3];
        int count = scheduler.choose(0, 100, up, 3, chosen);
        assertArrayEquals(new int[] {4, 7}, Arrays.copyOf(chosen, count));
        count = scheduler.choose(1, 100, up, 3, chosen);
        assertArrayEquals(new int[] {7, 9}, Arrays.copyOf(chosen, count));
        assertEquals(0, scheduler.choose(2, 100, up, 0, chosen), "no link up: sent nowhere");
        assertEquals(Map.of("packets", 3L, "sends", 4L, "unsent", 1L), scheduler.counters());
    }

    @Test
    void meetsWhatTheEngineReliesOnWithOneCopyAndWithSeveral() {
        for (int copies : new int[] {1, 3}) {
            ${className} scheduler = new ${className}();
            scheduler.copies(copies);
            SchedulerRun run = SchedulerCheck.of(scheduler).run(copies, 20_000);
            assertEquals(run.packets(), scheduler.counters().get("packets") / 3, "three runs: two to warm up, one measured");
        }
    }

    @Test
    void aNumberOfCopiesOutOfRangeIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ${className}().copies(0));
        assertEquals("plugin.${pluginName}.copies 0 is out of range 1..16", e.getMessage());
    }
}
#elseif( $kind == "transport" )
package ${package};

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.alagg.api.Link;
import org.alagg.api.LinkState;
import org.alagg.api.MacAddress;
import org.alagg.api.PacketBatch;
import org.alagg.testkit.ThreadAllocation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Two transports on this host's loopback interface, each the other's peer, on ports of their own. */
class ${className}Test {
    private static final MacAddress PEER = MacAddress.parse("02:00:00:00:00:02");
    private final List<${className}> transports = new ArrayList<>();

    @AfterEach
    void closeThem() throws IOException {
        for (${className} t : transports) {
            t.close();
        }
    }

    @Test
    void framesCrossTheLinkBothWaysTaggedWithTheLinkTheyCameBy() throws Exception {
        int portA = freePort();
        int portB = freePort();
        ${className} a = transport(portA, "lo=127.0.0.1:" + portB);
        ${className} b = transport(portB, "lo=127.0.0.1:" + portA);
        Link linkA = a.open(3, "lo", PEER, 0x88B5);
        Link linkB = b.open(7, "lo", PEER, 0x88B5);
        assertEquals(LinkState.UP, linkA.state(), linkA.stateDetail());
        assertTrue(linkA.mtu() > 1000, "lo's MTU less the IP and UDP headers: " + linkA.mtu());

        PacketBatch out = new PacketBatch(4, 2048);
        add(out, "one", 3);
        add(out, "lost: no link 9", 9);
        add(out, "two", 3);
        assertEquals(2, a.send(out));
        assertEquals(${className}.ENETDOWN, out.refusal(1), "a frame for a link not open is refused, the rest go");

        PacketBatch in = new PacketBatch(4, 2048);
        receiveAtLeast(b, in, 2);
        assertEquals(List.of("one@7", "two@7"), frames(in));

        PacketBatch back = new PacketBatch(4, 2048);
        add(back, "three", 7);
        assertEquals(1, b.send(back));
        PacketBatch atA = new PacketBatch(4, 2048);
        receiveAtLeast(a, atA, 1);
        assertEquals(List.of("three@3"), frames(atA));
        assertEquals(Map.of("datagrams_sent", 2L, "datagrams_refused", 1L, "datagrams_received", 1L), a.counters());

        linkB.close();
        assertEquals(LinkState.DOWN, linkB.state());
        PacketBatch afterClose = new PacketBatch(1, 2048);
        add(afterClose, "four", 7);
        assertEquals(0, b.send(afterClose), "a closed link sends nothing");
    }

    @Test
    void sendAndReceiveAllocateNothingOnceWarm() throws Exception {
        int portA = freePort();
        int portB = freePort();
        ${className} a = transport(portA, "lo=127.0.0.1:" + portB);
        ${className} b = transport(portB, "lo=127.0.0.1:" + portA);
        a.open(1, "lo", PEER, 0x88B5);
        b.open(2, "lo", PEER, 0x88B5);
        PacketBatch out = new PacketBatch(16, 2048);
        PacketBatch in = new PacketBatch(16, 2048);
        ThreadAllocation thread = ThreadAllocation.ofThisThread();
        long allocated = 0;
        for (int round = 0; round < 3; round++) { // two to warm up, the third measured
            allocated = 0;
            for (int i = 0; i < 1_000; i++) {
                out.clear();
                for (int k = 0; k < 16; k++) {
                    out.slot(out.size()).putInt(i);
                    out.commit(1200, null, 1);
                }
                in.clear();
                long before = thread.bytes();
                a.send(out);
                b.receive(in, 1_000_000);
                allocated += thread.bytes() - before;
            }
        }
        assertTrue(allocated < 1024, allocated + " bytes allocated sending and receiving 16 000 frames: the hot threads must not allocate");
    }

    @Test
    void aLinkWhoseInterfaceIsMissingIsDownSayingWhy() throws Exception {
        ${className} a = transport(freePort(), "nosuch0=192.0.2.2");
        Link link = a.open(1, "nosuch0", PEER, 0x88B5);
        assertEquals(LinkState.DOWN, link.state());
        assertEquals("no interface nosuch0", link.stateDetail());
        assertEquals(List.of("down: nosuch0: no interface nosuch0"), a.status());
    }

    @Test
    void aLinkOpenedBeforeItsSettingsComeUpWhenTheyArrive() throws Exception {
        int port = freePort();
        ${className} a = transport(port, "eth1=192.0.2.2");
        Link link = a.open(1, "lo", PEER, 0x88B5);
        assertEquals(LinkState.DOWN, link.state());
        assertEquals("no peer address for lo: give it in plugin.${pluginName}.peers = lo=<address>, ...", link.stateDetail());
        a.configure(port, "lo=127.0.0.1:" + freePort()); // the engine and the plugin get a file's change in any order
        a.receive(new PacketBatch(1, 2048), 1_000_000);
        assertEquals(LinkState.UP, link.state(), link.stateDetail());
    }

    @Test
    void badSettingsAreRefusedWithTheReason() throws Exception {
        ${className} a = transport(freePort(), "eth1=192.0.2.2");
        assertEquals("plugin.${pluginName}.port 0 is out of range 1..65535",
                assertThrows(IllegalArgumentException.class, () -> a.configure(0, "")).getMessage());
        assertEquals("plugin.${pluginName}.peers: 'eth1' is not <interface>=<the peer's IP address>[:<its port>]",
                assertThrows(IllegalArgumentException.class, () -> a.configure(7050, "eth1")).getMessage());
        assertEquals("plugin.${pluginName}.peers: 'peer.example' is not an IP address",
                assertThrows(IllegalArgumentException.class, () -> a.configure(7050, "eth1=peer.example")).getMessage());
        assertEquals("plugin.${pluginName}.peers: '192.0.2.2:0' has no port 1..65535 after ':'",
                assertThrows(IllegalArgumentException.class, () -> a.configure(7050, "eth1=192.0.2.2:0")).getMessage());
        assertEquals(7051, ${className}.peerAddress("[fd00::2]:7051", 7050).getPort());
        assertEquals(7050, ${className}.peerAddress("fd00::2", 7050).getPort());
    }

    private ${className} transport(int port, String peers) throws IOException {
        ${className} t = new ${className}();
        t.configure(port, peers);
        transports.add(t);
        return t;
    }

    private static void add(PacketBatch batch, String text, int link) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        batch.slot(batch.size()).put(bytes);
        batch.commit(bytes.length, null, link);
    }

    private static void receiveAtLeast(${className} transport, PacketBatch into, int frames) throws IOException {
        long end = System.nanoTime() + 5_000_000_000L;
        while (into.size() < frames && System.nanoTime() < end) {
            transport.receive(into, 100_000_000);
        }
    }

    private static List<String> frames(PacketBatch batch) {
        List<String> frames = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            frames.add(StandardCharsets.US_ASCII.decode(batch.packet(i)) + "@" + batch.link(i));
        }
        return frames;
    }

    private static int freePort() throws IOException {
        try (DatagramSocket socket = new DatagramSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
#end
