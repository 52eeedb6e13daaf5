package org.alagg.shell.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.alagg.api.Event;
import org.junit.jupiter.api.Test;

class ScreensTest {
    private static final long T0 = 1_700_000_000_000L;

    private static Snapshot snapshot(long time, long framesReceived, long bytesReceived, String state, String detail) {
        return new Snapshot("east", "nfqueue", "windowed", time,
                List.of(new Snapshot.Peer("default", "DEGRADED", 1, 2, 500, 480, 2)),
                List.of(new Snapshot.Link("default", "eth1", "02:00:00:00:01:02", "UP", T0 - 65_000, 250L, 0L, 50_000L,
                                12L, 1000, 150_000, framesReceived, bytesReceived, ""),
                        new Snapshot.Link("default", "eth2", "02:00:00:00:02:02", state, T0 - 2_000, null, null, null,
                                null, 10, 600, 0, 0, detail)),
                List.of(new Event(T0 - 2_000, "link eth2", "DOWN: nothing heard\tfor 300 ms")));
    }

    @Test
    void theDumpReadsBackAsItWasWritten() {
        Snapshot s = snapshot(T0, 900, 120_000, "DOWN", "nothing heard from the peer for 2205 ms");
        Snapshot read = Snapshot.parse(s.dump());
        assertEquals(s.links(), read.links());
        assertEquals(s.peers(), read.peers());
        assertEquals(T0, read.timeMillis());
        // a tab in an event's text would split the line: it is written as a blank
        assertEquals("DOWN: nothing heard for 300 ms", read.events().get(0).text());
        assertTrue(s.dump().lines().anyMatch(l -> l.equals("link\tdefault\teth2\t02:00:00:00:02:02\tDOWN\t" + (T0 - 2_000)
                + "\t-\t-\t-\t-\t10\t600\t0\t0\tnothing heard from the peer for 2205 ms")), s.dump());
    }

    @Test
    void aLineThatIsNotADumpsIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Snapshot.parse("instance\teast\tnfqueue\twindowed\t1\npeer\tdefault\tUP"));
        assertEquals("line 2 of the dump: 8 fields expected, 3 found: peer\tdefault\tUP", e.getMessage());
    }

    @Test
    void topShowsRatesFromTwoSnapshotsASecondApartAndTheEvents() {
        Snapshot before = snapshot(T0, 900, 120_000, "UP", "");
        // as alagg top has them: read from dumps
        Snapshot now = Snapshot.parse(snapshot(T0 + 2_000, 1100, 245_000, "DOWN", "nothing heard from the peer for 2205 ms").dump());
        String screen = Screens.top(before, now, 200);
        // eth1: 200 frames and 125 000 bytes in 2 s: 100/s and 500 kbit/s
        assertTrue(screen.lines().anyMatch(l -> l.matches("default\\s+eth1\\s+UP\\s+1m07s\\s+100\\s+500\\.0k\\s+0\\s+0"
                + "\\s+0\\.0%\\s+5\\.0%\\s+0\\.25ms\\s+12ms\\s+-")), screen);
        assertTrue(screen.lines().anyMatch(l -> l.matches("default\\s+eth2\\s+DOWN\\s+4s\\s+0\\s+0\\s+0\\s+0\\s+-\\s+-\\s+-"
                + "\\s+never\\s+nothing heard from the peer for 2205 ms")), screen);
        assertTrue(screen.contains("link eth2: DOWN: nothing heard for 300 ms"), screen);
        assertTrue(screen.contains("peer default: DEGRADED, 1 of 2 links up"), screen);
        // the first screen has no rates yet
        assertTrue(Screens.top(null, now, 200).lines().anyMatch(l -> l.matches("default\\s+eth1\\s+UP\\s+1m07s\\s+-\\s+-.*")));
        assertTrue(Screens.top(before, now, 40).lines().allMatch(l -> l.length() <= 40));
    }

    @Test
    void showIsTerse() {
        String show = Screens.show(snapshot(T0, 900, 1_258_291, "DOWN", "nothing heard"));
        assertTrue(show.startsWith("instance: east\n  capture: nfqueue\n  reordering: windowed\n\npeer: default\n"
                + "  state: DEGRADED (1 of 2 links up)\n  packets: 500 sent, 480 passed, 2 lost\n\n  link: eth1 -> 02:00:00:00:01:02\n"
                + "    state: UP for 1m05s\n    rtt: 0.25ms\n    loss (last 2 s): 0.0% to the peer, 5.0% from it\n"
                + "    last heard: 12ms ago\n    transfer: 1.20 MiB received, 146.48 KiB sent\n"), show);
        assertTrue(show.contains("    state: DOWN for 2s: nothing heard\n    loss (last 2 s): - to the peer, - from it\n"
                + "    last heard: never\n"), show);
    }
}
