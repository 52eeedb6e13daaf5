package org.alagg.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.alagg.shell.view.Snapshot;
import org.junit.jupiter.api.Test;

class LiveViewTest {
    private static Snapshot at(long second, List<String> links) {
        return new Snapshot("east", "nfqueue", "windowed", second * 1000, List.of(),
                links.stream().map(name -> new Snapshot.Link("default", name, "02:00:00:00:01:02", "UP", 0, 250L, 0L, 0L,
                        5L, second * 100, second * 12_500, second * 100, second * 25_000, "")).toList(), List.of());
    }

    @Test
    void nothingBeforeTheFirstSnapshotThenRatesFromTheSecond() {
        LiveView live = new LiveView();
        assertNull(live.json());
        live.add(at(1, List.of("eth1")));
        assertTrue(live.json().contains("\"rx_bps\":null"), live.json());
        live.add(at(2, List.of("eth1")));
        // 100 frames and 25 000 bytes received a second: 200 kbit/s in, 100 kbit/s out
        assertTrue(live.json().contains("\"rx_bps\":200000.0,\"tx_bps\":100000.0,\"rx_fps\":100.0,\"tx_fps\":100.0"),
                live.json());
        assertTrue(live.json().contains("\"history\":[[2000,200000,100000,0,0,250,\"UP\"]]"), live.json());
    }

    @Test
    void aLinkKeepsFiveMinutesAndARemovedLinkGoesWithItsHistory() {
        LiveView live = new LiveView();
        for (int s = 1; s <= LiveView.HISTORY + 20; s++) {
            live.add(at(s, List.of("eth1", "eth2")));
        }
        String json = live.json();
        assertEquals(2 * LiveView.HISTORY, json.split("\"UP\"]").length - 1, json.substring(0, 400));
        live.add(at(LiveView.HISTORY + 21, List.of("eth1")));
        assertTrue(!live.json().contains("\"eth2\""), "eth2 is gone");
    }
}
