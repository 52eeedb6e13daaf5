package org.alagg.metrics;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.alagg.api.Event;
import org.alagg.shell.view.Json;
import org.alagg.shell.view.Rates;
import org.alagg.shell.view.Snapshot;

/**
 * What the live page shows: the instance's last {@link Snapshot}, taken every second while the endpoint is on, each
 * link's rates from the one before, and the last minutes of each link (rates, loss, round-trip time, state) for its
 * chart. Snapshots are taken on the endpoint's thread; requests read under the same lock.
 */
final class LiveView {
    /** The history each link keeps: five minutes of one sample a second. */
    static final int HISTORY = 300;

    /** One second of a link: when, its rates, its loss both ways (ppm), its round-trip time (µs), its state. */
    record Sample(long timeMillis, Rates rates, Long lossToPpm, Long lossFromPpm, Long rttMicros, String state) {
    }

    private Snapshot last;
    /** By peer and link, in the order of the snapshot. */
    private final Map<String, Deque<Sample>> history = new LinkedHashMap<>();

    /** Takes the instance's figures of now. */
    synchronized void add(Snapshot now) {
        Map<String, Snapshot.Link> before = new LinkedHashMap<>();
        if (last != null) {
            last.links().forEach(l -> before.put(l.key(), l));
        }
        double seconds = last == null ? 0 : (now.timeMillis() - last.timeMillis()) / 1000.0;
        Map<String, Deque<Sample>> kept = new LinkedHashMap<>();
        for (Snapshot.Link l : now.links()) {
            Snapshot.Link previous = before.get(l.key());
            if (previous == null || seconds <= 0) {
                kept.put(l.key(), history.getOrDefault(l.key(), new ArrayDeque<>()));
                continue; // a rate needs two samples
            }
            Deque<Sample> samples = history.getOrDefault(l.key(), new ArrayDeque<>());
            samples.addLast(new Sample(now.timeMillis(), Rates.between(previous, l, seconds), l.lossToPpm(),
                    l.lossFromPpm(), l.rttMicros(), l.state()));
            while (samples.size() > HISTORY) {
                samples.removeFirst();
            }
            kept.put(l.key(), samples);
        }
        history.clear(); // a link no longer configured goes with its history
        history.putAll(kept);
        last = now;
    }

    /** The page's data: the last snapshot with each link's rates and history; null before the first snapshot. */
    synchronized String json() {
        if (last == null) {
            return null;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("instance", last.instance());
        out.put("capture", last.capture());
        out.put("strategy", last.strategy());
        out.put("time_ms", last.timeMillis());
        List<Object> peers = new ArrayList<>();
        for (Snapshot.Peer p : last.peers()) {
            Map<String, Object> peer = new LinkedHashMap<>();
            peer.put("name", p.name());
            peer.put("state", p.state());
            peer.put("links_up", p.linksUp());
            peer.put("links", p.links());
            peer.put("sent", p.sent());
            peer.put("passed", p.passed());
            peer.put("lost", p.lost());
            peers.add(peer);
        }
        out.put("peers", peers);
        List<Object> links = new ArrayList<>();
        for (Snapshot.Link l : last.links()) {
            Map<String, Object> link = new LinkedHashMap<>();
            link.put("peer", l.peer());
            link.put("link", l.link());
            link.put("mac", l.mac());
            link.put("state", l.state());
            link.put("since_ms", l.sinceMillis());
            link.put("rtt_us", l.rttMicros());
            link.put("loss_to_ppm", l.lossToPpm());
            link.put("loss_from_ppm", l.lossFromPpm());
            link.put("heard_ms", l.heardMillis());
            link.put("detail", l.detail());
            Deque<Sample> samples = history.getOrDefault(l.key(), new ArrayDeque<>());
            Sample latest = samples.peekLast();
            link.put("rx_bps", latest == null ? null : latest.rates().rxBits());
            link.put("tx_bps", latest == null ? null : latest.rates().txBits());
            link.put("rx_fps", latest == null ? null : latest.rates().rxFrames());
            link.put("tx_fps", latest == null ? null : latest.rates().txFrames());
            // compact: one array a second, [time_ms, rx_bps, tx_bps, loss_to_ppm, loss_from_ppm, rtt_us, state]
            List<Object> points = new ArrayList<>(samples.size());
            for (Sample s : samples) {
                points.add(java.util.Arrays.asList(s.timeMillis(), Math.round(s.rates().rxBits()),
                        Math.round(s.rates().txBits()), s.lossToPpm(), s.lossFromPpm(), s.rttMicros(), s.state()));
            }
            link.put("history", points);
            links.add(link);
        }
        out.put("links", links);
        List<Object> events = new ArrayList<>();
        for (Event e : last.events()) {
            Map<String, Object> event = new LinkedHashMap<>();
            event.put("time_ms", e.timeMillis());
            event.put("subject", e.subject());
            event.put("text", e.text());
            events.add(event);
        }
        out.put("events", events);
        return Json.write(out);
    }
}
