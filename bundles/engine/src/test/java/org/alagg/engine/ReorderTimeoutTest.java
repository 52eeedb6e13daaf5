package org.alagg.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;


import org.alagg.api.MacAddress;
import org.alagg.api.ReorderSettings;
import org.junit.jupiter.api.Test;

class ReorderTimeoutTest {
    private static final long MS = 1_000_000;
    private final DataPath path = DataPathTest.newPath(256, ReorderTimeout.LEAST_NANOS);
    private final Peer peer = DataPathTest.peer(path);

    private OpenLink link(int id, long srttMs, long rttVarMs, boolean down) {
        OpenLink link = new OpenLink(new TestLink(id, "l" + id, MacAddress.parse("02:00:00:00:00:0" + id),
                MacAddress.parse("02:00:00:00:00:0" + id), i -> down), peer);
        link.health.srttNanos = srttMs * MS;
        link.health.rttVarNanos = rttVarMs * MS;
        return link;
    }

    @Test
    void theLeastTimeoutPlusTheLinksDelaySpread() {
        assertEquals(5 * MS, ReorderTimeout.of(new OpenLink[0]), "no link: the least");
        assertEquals(5 * MS + 2 * 4 * MS, ReorderTimeout.of(new OpenLink[] {link(0, 2, 1, false)}), "one link: its deviation");
        assertEquals(5 * MS + 2 * (50 + 8 - 2) * MS,
                ReorderTimeout.of(new OpenLink[] {link(0, 2, 0, false), link(1, 50, 2, false)}), "a queue in front of one");
        assertEquals(5 * MS + 2 * 4 * MS, ReorderTimeout.of(new OpenLink[] {link(0, 2, 1, false), link(1, 500, 0, true)}),
                "a DOWN link does not count");
        assertEquals(1000 * MS, ReorderTimeout.of(new OpenLink[] {link(0, 1, 0, false), link(1, 3000, 0, false)}), "at most 1 s");
    }

    @Test
    void thePeerGetsANewTimeoutOnlyWhenItSizesItsOwnAndTheSpreadMovedEnough() {
        peer.links = new OpenLink[] {link(0, 2, 0, false), link(1, 30, 0, false)};
        peer.reorderTimeoutAuto = false;
        ReorderTimeout.follow(peer);
        assertNull(peer.timing, "a configured timeout stays");
        peer.reorderTimeoutAuto = true;
        ReorderTimeout.follow(peer);
        assertEquals(new ReorderSettings(256, 61 * MS), peer.timing);
        ReorderSettings set = peer.timing;
        peer.links[1].health.srttNanos = 32 * MS; // 65 ms: within an eighth of 61
        ReorderTimeout.follow(peer);
        assertSame(set, peer.timing, "jitter is not passed on");
        peer.links[1].health.srttNanos = 60 * MS;
        ReorderTimeout.follow(peer);
        assertEquals(121 * MS, peer.timing.timeoutNanos());
    }

    /** With FEC on, a gap may wait for its group's parity: fec.timeout.ms more. */
    @Test
    void fecAddsItsGroupTimeout() {
        peer.links = new OpenLink[] {link(0, 2, 0, false), link(1, 2, 0, false)};
        peer.reorderTimeoutAuto = true;
        peer.fec = FecSettings.of("4:2", 20, 0.001);
        ReorderTimeout.follow(peer);
        assertEquals(25 * MS, peer.timing.timeoutNanos(), "5 ms, no spread, 20 ms of fec.timeout.ms");
    }
}
