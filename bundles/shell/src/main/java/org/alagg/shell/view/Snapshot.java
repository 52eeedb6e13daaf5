package org.alagg.shell.view;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.alagg.api.Event;
import org.alagg.api.InstanceStatus;
import org.alagg.api.LinkState;
import org.alagg.api.LinkStatus;
import org.alagg.api.PeerStatus;

/**
 * What {@code alagg show} and {@code alagg top} show of an instance at one moment, and its {@code dump} form: one
 * tab-separated line per instance, peer, link and event, counters as they stand (cumulative), for scripts and for
 * {@code alagg top}, which reads two dumps a second apart to tell rates. An unknown figure is {@code -}.
 *
 * <pre>
 * instance  NAME  CAPTURE  STRATEGY  TIME_MS
 * peer      NAME  STATE  LINKS_UP  LINKS  SENT  PASSED  LOST
 * link      PEER  LINK  MAC  STATE  SINCE_MS  RTT_US  LOSS_TO_PPM  LOSS_FROM_PPM  HEARD_MS  FRAMES_SENT  BYTES_SENT
 *           FRAMES_RECEIVED  BYTES_RECEIVED  DETAIL
 * event     TIME_MS  SUBJECT  TEXT
 * </pre>
 *
 * <p>TIME_MS is the instance's clock (Unix ms) when the figures were read, SINCE_MS when the link entered its state;
 * the losses are those of the last 2 s; HEARD_MS how long ago the peer was last heard on the link.
 *
 * @param instance the instance's name
 * @param capture the active capture mode
 * @param strategy the active reordering strategy
 * @param timeMillis when the figures were read, Unix ms
 * @param peers every peer
 * @param links every link
 * @param events the last events, oldest first
 */
public record Snapshot(String instance, String capture, String strategy, long timeMillis, List<Peer> peers,
                       List<Link> links, List<Event> events) {
    /** The events a dump carries: what fits at the bottom of a terminal. */
    static final int EVENTS = 8;
    private static final String UNKNOWN = "-";

    public Snapshot {
        peers = List.copyOf(peers);
        links = List.copyOf(links);
        events = List.copyOf(events);
    }

    /** One peer: its state, links up of all, and its packets sent, passed and lost. */
    public record Peer(String name, String state, long linksUp, long links, long sent, long passed, long lost) {
    }

    /**
     * One link: the peer's name, the local interface, the peer's MAC, the state and when it began (Unix ms), the
     * round-trip time (µs), the recent loss both ways (ppm), how long ago the peer was last heard (ms; each null when
     * not known), the frame and byte counters, why it is in its state.
     */
    public record Link(String peer, String link, String mac, String state, long sinceMillis, Long rttMicros,
                       Long lossToPpm, Long lossFromPpm, Long heardMillis, long framesSent, long bytesSent,
                       long framesReceived, long bytesReceived, String detail) {
        /** What tells a link from the others: its peer and its interface. */
        public String key() {
            return peer + " " + link;
        }
    }

    /** An instance's figures now. */
    public static Snapshot of(InstanceStatus status) {
        List<Peer> peers = new ArrayList<>();
        List<LinkStatus> all = status.links(); // read once: each read takes the engine's lock
        for (PeerStatus p : status.peers()) {
            Map<String, Long> c = p.counters();
            List<LinkStatus> own = all.stream().filter(l -> l.peerName().equals(p.name())).toList();
            long up = own.stream().filter(l -> l.state() != LinkState.DOWN).count();
            peers.add(new Peer(p.name(), p.state().name(), up, p.links().size(), c.getOrDefault("sent", 0L),
                    c.getOrDefault("passed", 0L), c.getOrDefault("lost", 0L)));
        }
        List<Link> links = new ArrayList<>();
        for (LinkStatus l : all) {
            Map<String, Long> c = l.counters();
            Long heard = c.get("last_received_ms");
            links.add(new Link(l.peerName(), l.link(), l.peer().toString(), l.state().name(),
                    c.getOrDefault("state_since_ms", 0L), c.get("rtt_us"), c.get("recent_loss_to_peer_ppm"),
                    c.get("recent_loss_from_peer_ppm"), heard == null || heard < 0 ? null : heard,
                    c.getOrDefault("frames_sent", 0L), c.getOrDefault("bytes_sent", 0L),
                    c.getOrDefault("frames_received", 0L), c.getOrDefault("bytes_received", 0L), l.detail()));
        }
        List<Event> events = status.events();
        return new Snapshot(status.instance(), status.interceptor() == null ? null : status.interceptor().active(),
                status.strategy() == null ? null : status.strategy().active(),
                System.currentTimeMillis(), peers, links, events.subList(Math.max(0, events.size() - EVENTS), events.size()));
    }

    /** The dump form: one line per instance, peer, link and event. */
    public String dump() {
        List<String> lines = new ArrayList<>();
        lines.add(line("instance", instance, orUnknown(capture), orUnknown(strategy), timeMillis));
        for (Peer p : peers) {
            lines.add(line("peer", p.name(), p.state(), p.linksUp(), p.links(), p.sent(), p.passed(), p.lost()));
        }
        for (Link l : links) {
            lines.add(line("link", l.peer(), l.link(), l.mac(), l.state(), l.sinceMillis(), orUnknown(l.rttMicros()),
                    orUnknown(l.lossToPpm()), orUnknown(l.lossFromPpm()), orUnknown(l.heardMillis()), l.framesSent(),
                    l.bytesSent(), l.framesReceived(), l.bytesReceived(), l.detail().isEmpty() ? UNKNOWN : l.detail()));
        }
        for (Event e : events) {
            lines.add(line("event", e.timeMillis(), e.subject(), e.text()));
        }
        return String.join("\n", lines);
    }

    /**
     * Reads a dump.
     *
     * @throws IllegalArgumentException naming the line that is not a dump's
     */
    public static Snapshot parse(String dump) {
        String[] instance = null;
        List<Peer> peers = new ArrayList<>();
        List<Link> links = new ArrayList<>();
        List<Event> events = new ArrayList<>();
        int number = 0;
        for (String line : dump.split("\n")) {
            number++;
            String[] f = line.split("\t", -1);
            try {
                switch (f[0]) {
                    case "instance" -> instance = fields(f, 5);
                    case "peer" -> peers.add(new Peer(fields(f, 8)[1], f[2], Long.parseLong(f[3]), Long.parseLong(f[4]),
                            Long.parseLong(f[5]), Long.parseLong(f[6]), Long.parseLong(f[7])));
                    case "link" -> links.add(new Link(fields(f, 15)[1], f[2], f[3], f[4], Long.parseLong(f[5]),
                            known(f[6]), known(f[7]), known(f[8]), known(f[9]), Long.parseLong(f[10]),
                            Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[13]),
                            f[14].equals(UNKNOWN) ? "" : f[14]));
                    case "event" -> events.add(new Event(Long.parseLong(fields(f, 4)[1]), f[2], f[3]));
                    default -> throw new IllegalArgumentException("unknown kind of line '" + f[0] + "'");
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("line " + number + " of the dump: a number is not one: " + line);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("line " + number + " of the dump: " + e.getMessage() + ": " + line);
            }
        }
        if (instance == null) {
            throw new IllegalArgumentException("the dump has no instance line");
        }
        try {
            return new Snapshot(instance[1], known(instance[2], UNKNOWN), known(instance[3], UNKNOWN),
                    Long.parseLong(instance[4]), peers, links, events);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the dump's instance line has no time: " + String.join("\t", instance));
        }
    }

    private static String[] fields(String[] f, int count) {
        if (f.length != count) {
            throw new IllegalArgumentException(count + " fields expected, " + f.length + " found");
        }
        return f;
    }

    private static String line(Object... fields) {
        StringBuilder s = new StringBuilder();
        for (Object field : fields) {
            if (s.length() > 0) {
                s.append('\t');
            }
            // a tab or a line end in a detail or an event would split it, an escape or a carriage return would garble a
            // terminal (alagg top): a blank instead of any control character
            s.append(String.valueOf(field).replaceAll("\\p{Cntrl}", " "));
        }
        return s.toString();
    }

    private static Object orUnknown(Object value) {
        return value == null ? UNKNOWN : value;
    }

    private static Long known(String field) {
        return field.equals(UNKNOWN) ? null : Long.valueOf(field);
    }

    private static String known(String field, String unknown) {
        return field.equals(unknown) ? null : field;
    }
}
