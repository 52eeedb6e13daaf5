package org.alagg.shell.view;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.alagg.api.Event;

/**
 * {@code alagg show} (one terse snapshot, like {@code wg show}) and the screen of {@code alagg top} (a table of every
 * link with its rates, refreshed every second, the last events at the bottom), both drawn from {@link Snapshot}s.
 */
public final class Screens {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

    private Screens() {
    }

    /** The terse snapshot. */
    public static String show(Snapshot s) {
        StringBuilder out = new StringBuilder();
        out.append("instance: ").append(s.instance()).append('\n');
        out.append("  capture: ").append(orNone(s.capture())).append('\n');
        out.append("  reordering: ").append(orNone(s.strategy())).append('\n');
        for (Snapshot.Peer p : s.peers()) {
            out.append('\n').append("peer: ").append(p.name()).append('\n');
            out.append("  state: ").append(p.state()).append(" (").append(p.linksUp()).append(" of ").append(p.links())
                    .append(p.links() == 1 ? " link" : " links").append(" up)\n");
            out.append("  packets: ").append(p.sent()).append(" sent, ").append(p.passed()).append(" passed, ")
                    .append(p.lost()).append(" lost\n");
            for (Snapshot.Link l : s.links()) {
                if (!l.peer().equals(p.name())) {
                    continue;
                }
                out.append('\n').append("  link: ").append(l.link()).append(" -> ").append(l.mac()).append('\n');
                out.append("    state: ").append(l.state()).append(" for ")
                        .append(duration(s.timeMillis() - l.sinceMillis())).append(l.detail().isEmpty() ? "" : ": " + l.detail())
                        .append('\n');
                if (l.rttMicros() != null) {
                    out.append("    rtt: ").append(rtt(l.rttMicros())).append('\n');
                }
                out.append("    loss (last 2 s): ").append(percent(l.lossToPpm())).append(" to the peer, ")
                        .append(percent(l.lossFromPpm())).append(" from it\n");
                out.append("    last heard: ").append(l.heardMillis() == null ? "never" : duration(l.heardMillis()) + " ago")
                        .append('\n');
                out.append("    transfer: ").append(bytes(l.bytesReceived())).append(" received, ")
                        .append(bytes(l.bytesSent())).append(" sent\n");
            }
        }
        return out.toString().stripTrailing();
    }

    /**
     * The screen of {@code alagg top}: a header line, a row per link with its rates since {@code before} (none on the
     * first screen), and the last events.
     *
     * @param before the previous snapshot, or null
     * @param width the terminal's width: longer lines are cut
     */
    public static String top(Snapshot before, Snapshot now, int width) {
        Map<String, Snapshot.Link> previous = before == null ? Map.of()
                : before.links().stream().collect(Collectors.toMap(Snapshot.Link::key, Function.identity(), (x, y) -> x));
        double seconds = before == null ? 0 : (now.timeMillis() - before.timeMillis()) / 1000.0;
        Table t = new Table("PEER", "LINK", "STATE", "SINCE", "RX/s", "RX bit/s", "TX/s", "TX bit/s", "LOSS TO", "FROM",
                "RTT", "HEARD", "DETAIL");
        for (Snapshot.Link l : now.links()) {
            Snapshot.Link p = previous.get(l.key());
            Rates r = p != null && seconds > 0 ? Rates.between(p, l, seconds) : null;
            t.row(l.peer(), l.link(), l.state(), duration(now.timeMillis() - l.sinceMillis()),
                    r == null ? "-" : String.format(Locale.ROOT, "%.0f", r.rxFrames()),
                    r == null ? "-" : bits(r.rxBits()),
                    r == null ? "-" : String.format(Locale.ROOT, "%.0f", r.txFrames()),
                    r == null ? "-" : bits(r.txBits()),
                    percent(l.lossToPpm()), percent(l.lossFromPpm()), l.rttMicros() == null ? "-" : rtt(l.rttMicros()),
                    l.heardMillis() == null ? "never" : duration(l.heardMillis()), l.detail().isEmpty() ? "-" : l.detail());
        }
        StringBuilder out = new StringBuilder();
        out.append("alagg top - instance ").append(now.instance()).append(" - ").append(orNone(now.capture())).append(", ")
                .append(orNone(now.strategy())).append(" - ").append(CLOCK.format(Instant.ofEpochMilli(now.timeMillis())))
                .append("   (Ctrl-C quits)\n");
        for (Snapshot.Peer p : now.peers()) {
            out.append("peer ").append(p.name()).append(": ").append(p.state()).append(", ").append(p.linksUp())
                    .append(" of ").append(p.links()).append(" links up; packets ").append(p.sent()).append(" sent, ")
                    .append(p.passed()).append(" passed, ").append(p.lost()).append(" lost\n");
        }
        out.append('\n').append(t).append("\n\nevents:\n");
        List<Event> events = now.events();
        if (events.isEmpty()) {
            out.append("  none\n");
        }
        for (Event e : events) {
            out.append("  ").append(CLOCK.format(Instant.ofEpochMilli(e.timeMillis()))).append("  ").append(e.subject())
                    .append(": ").append(e.text()).append('\n');
        }
        return out.toString().lines().map(line -> line.length() > width ? line.substring(0, width) : line)
                .collect(Collectors.joining("\n"));
    }

    private static String orNone(String value) {
        return value == null ? "none" : value;
    }

    /** {@code 850ms}, {@code 12s}, {@code 3m05s}, {@code 2h07m}. */
    static String duration(long millis) {
        long ms = Math.max(0, millis);
        if (ms < 1000) {
            return ms + "ms";
        }
        long s = ms / 1000;
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60);
    }

    static String rtt(long micros) {
        return String.format(Locale.ROOT, "%.2fms", micros / 1000.0);
    }

    static String percent(Long ppm) {
        return ppm == null ? "-" : String.format(Locale.ROOT, "%.1f%%", ppm / 10_000.0);
    }

    /** A bit rate with its unit: {@code 950}, {@code 12.3k}, {@code 4.56M}, {@code 1.20G}. */
    static String bits(double bits) {
        if (bits < 1e3) {
            return String.format(Locale.ROOT, "%.0f", bits);
        }
        if (bits < 1e6) {
            return String.format(Locale.ROOT, "%.1fk", bits / 1e3);
        }
        if (bits < 1e9) {
            return String.format(Locale.ROOT, "%.2fM", bits / 1e6);
        }
        return String.format(Locale.ROOT, "%.2fG", bits / 1e9);
    }

    /** {@code 512 B}, {@code 1.20 MiB}. */
    static String bytes(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.2f %s", value, units[unit]);
    }
}
