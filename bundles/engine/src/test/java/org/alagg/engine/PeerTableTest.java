package org.alagg.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.alagg.api.Alagg;
import org.alagg.api.IpNetwork;
import org.junit.jupiter.api.Test;

/** The peers configured besides the default one: resolved against the engine's settings, refused with the reason. */
class PeerTableTest {
    private static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);
    private final DataPath path = new DataPath(problem -> { });
    private final PeerTable table = new PeerTable(path);

    private static PeerDefinition peer(String name, String allowed, Object... more) {
        Map<String, Object> p = new HashMap<>();
        p.put(Alagg.PEER_NAME, name);
        if (allowed != null) {
            p.put(Alagg.PEER_ALLOWED, allowed);
        }
        for (int i = 0; i < more.length; i += 2) {
            p.put((String) more[i], more[i + 1]);
        }
        p.put(Alagg.ORIGIN, "test");
        return new PeerDefinition(p);
    }

    private void update(EngineSettings engine, boolean defaultWanted) {
        table.update(engine, defaultWanted, name -> null, name -> null);
    }

    @Test
    void eachPeerTakesWhatItLeavesOutFromTheEngine() {
        EngineSettings engine = EngineSettings.parse(Map.of(Alagg.ENGINE_KEY, KEY, Alagg.ENGINE_REORDER_WINDOW, 512), EngineSettings.DEFAULTS);
        table.add(peer("a", "10.9.1.0/24"));
        table.add(peer("b", "10.9.2.0/24", Alagg.ENGINE_REORDER_WINDOW, 64, Alagg.ENGINE_STRATEGY, "strict"));
        update(engine, true);
        assertEquals(List.of(Alagg.DEFAULT_PEER, "a", "b"), table.running().stream().map(p -> p.name).toList());
        assertEquals(512, table.settings("a").reorder().window());
        assertTrue(table.get("a").trust.authenticates(), "the engine's key");
        assertEquals(IpNetwork.parseList("10.9.1.0/24"), table.get("a").trust.allowed());
        assertEquals(64, table.settings("b").reorder().window());
        assertEquals("strict", table.settings("b").strategy());
        assertEquals(List.of(), table.get(Alagg.DEFAULT_PEER).trust.allowed(), "the default peer: the engine's peer.allowed");
        assertTrue(table.refusals().isEmpty(), table.refusals().toString());
    }

    @Test
    void aPeerThatClashesWithOneBeforeItIsRefusedAndTheOthersRun() {
        table.add(peer("a", "10.9.1.0/24, fd09:1::/64"));
        table.add(peer("b", "10.9.0.0/16, fd09:1::/64")); // the same IPv6 network as a
        table.add(peer("c", null));
        table.add(peer("d", null)); // a second peer without networks
        table.add(peer("e", "10.9.0.0/16")); // nested in nobody's, equal to b's (refused): fine
        update(EngineSettings.DEFAULTS, false);
        assertEquals(List.of("a", "c", "e"), table.running().stream().map(p -> p.name).toList());
        assertTrue(table.refusal("b").contains("fd09:1:0:0:0:0:0:0/64") && table.refusal("b").contains("'a'"),
                table.refusal("b"));
        assertTrue(table.refusal("d").contains("peer 'c'") && table.refusal("d").contains("one peer at most"),
                table.refusal("d"));
        assertNull(table.refusal("e"));
    }

    @Test
    void badNamesAndValuesAreRefusedWithoutEchoingAKey() {
        table.add(peer("default", "10.9.1.0/24"));
        table.add(peer("no spaces", "10.9.2.0/24"));
        table.add(peer("k", "10.9.3.0/24", Alagg.ENGINE_KEY, "c2VjcmV0LWJ1dC1zaG9ydA=="));
        table.add(peer("w", "10.9.4.0/24", Alagg.ENGINE_REORDER_WINDOW, 0));
        update(EngineSettings.DEFAULTS, false);
        assertTrue(table.running().isEmpty());
        assertTrue(table.refusal("default").contains("links configured without a peer name"), table.refusal("default"));
        assertTrue(table.refusal("no spaces").contains("must be 1-32"), table.refusal("no spaces"));
        assertTrue(table.refusal("k").contains("key is 16 bytes, not 32"), table.refusal("k"));
        assertFalse(table.refusal("k").contains("c2VjcmV0"), "a key is never repeated: " + table.refusal("k"));
        assertTrue(table.refusal("w").contains("reorder.window = 0"), table.refusal("w"));
    }

    @Test
    void aRunningPeerKeepsItsLastGoodSettingsAndItsCountersComeBackWithIt() {
        PeerDefinition a = peer("a", "10.9.1.0/24");
        table.add(a);
        update(EngineSettings.DEFAULTS, false);
        Peer running = table.get("a");
        Reordering reordering = running.reordering;
        running.receive.counters.add(Ingress.PASSED, 7);
        running.receive.counters.publish();
        update(EngineSettings.DEFAULTS, false);
        assertSame(reordering, running.reordering, "the same settings: the same reordering (no hand-over)");
        a.modified(peer("a", "10.9.1.0/33").properties()); // Config Admin's update of the peer's configuration
        update(EngineSettings.DEFAULTS, false);
        assertSame(running, table.get("a"), "the same peer runs on");
        assertEquals(IpNetwork.parseList("10.9.1.0/24"), running.trust.allowed());
        assertTrue(table.refusal("a").contains("its last good settings stay"), table.refusal("a"));
        a.modified(peer("a", "10.9.7.0/24").properties());
        update(EngineSettings.DEFAULTS, false);
        assertSame(running, table.get("a"), "a good change: the same peer, its new networks");
        assertEquals(IpNetwork.parseList("10.9.7.0/24"), running.trust.allowed());
        assertNull(table.refusal("a"));
        table.remove(a);
        update(EngineSettings.DEFAULTS, false);
        assertNull(table.get("a"), "removed");
        table.add(peer("a", "10.9.1.0/24"));
        update(EngineSettings.DEFAULTS, false);
        Peer again = table.get("a");
        assertNotNull(again);
        assertSame(running.receive.counters, again.receive.counters, "its counters go on where they stopped");
        assertEquals(7, again.receive.counters.snapshot().get("passed"));
    }

    @Test
    void anEditNeverTakesANetworkFromAPeerThatRunsOn() {
        PeerDefinition a = peer("a", "10.9.1.0/24");
        PeerDefinition b = peer("b", "10.9.2.0/24");
        table.add(a);
        table.add(b);
        update(EngineSettings.DEFAULTS, true);
        a.modified(peer("a", "10.9.2.0/24").properties()); // a, first in the list, asks for b's network
        update(EngineSettings.DEFAULTS, true);
        assertEquals(IpNetwork.parseList("10.9.2.0/24"), table.get("b").trust.allowed(), "b keeps its network");
        assertEquals(IpNetwork.parseList("10.9.1.0/24"), table.get("a").trust.allowed(), "a its last good one");
        assertTrue(table.refusal("a").contains("'b'"), table.refusal("a"));
        // the default peer's peer.allowed changed to b's network: the default peer keeps its own, b runs on
        EngineSettings clashing = EngineSettings.parse(Map.of(Alagg.ENGINE_PEER_ALLOWED, "10.9.2.0/24"), EngineSettings.DEFAULTS);
        update(clashing, true);
        assertEquals(IpNetwork.parseList("10.9.2.0/24"), table.get("b").trust.allowed());
        assertEquals(List.of(), table.get(Alagg.DEFAULT_PEER).trust.allowed());
        assertNotNull(table.refusal(Alagg.DEFAULT_PEER));
    }
}
