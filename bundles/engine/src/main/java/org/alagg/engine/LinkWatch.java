package org.alagg.engine;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.alagg.api.LinkState;
import org.alagg.protocol.FrameAuth;
import org.alagg.protocol.FrameCodec;

/**
 * The control thread's watch over the links' health: each tick it follows every open link's {@link LinkQuality},
 * turns state changes and alarms into {@link Events}, and says for people why a link is in its state (which direction
 * is broken, what is degraded). The status figures of a link ({@link #figures}) come from here too.
 */
final class LinkWatch {
    private final DataPath path;
    private final Events events;

    LinkWatch(DataPath path, Events events) {
        this.path = path;
        this.events = events;
    }

    /** Control thread: one tick for one open link; {@code passed}: what its peer's stream passed so far. */
    void tick(OpenLink link, long passed) {
        long now = System.nanoTime();
        String subject = "link " + link.link.interfaceName();
        LinkHealth h = link.health;
        long changes = h.changes;
        if (changes != link.changesLogged) {
            link.changesLogged = changes;
            if (h.up) {
                events.info(subject, "UP: its probes are answered again");
            } else {
                events.warn(subject, "DOWN: " + downDetail(link, now));
            }
        }
        Map<String, Long> counters = link.received.snapshot();
        counters.putAll(link.sent.snapshot());
        link.quality.tick(now, counters, passed, h, link.isUp(), change -> {
            switch (change) {
                case DEGRADED -> events.warn(subject, "DEGRADED: " + link.quality.degradedWhy);
                case RECOVERED -> {
                    if (link.isUp()) {
                        events.info(subject, "UP: " + link.quality.loss() + ", round-trip time within "
                                + LinkQuality.RECOVERED_RTT_EXCESS_MS + " ms of its floor, for "
                                + LinkQuality.RECOVER_HOLD_MS + " ms");
                    }
                }
                case LATENT -> events.warn(subject, "ALARM latent error: " + latentDetail());
                case LATENT_CLEARED -> events.info(subject, "latent error cleared: the link delivers packets again");
                default -> { }
            }
        });
        boolean mtu = h.mtuTooLarge();
        if (mtu != link.mtuMismatchTold) {
            link.mtuMismatchTold = mtu;
            if (mtu) {
                events.warn(subject, mtuDetail(link));
            } else {
                events.info(subject, "MTU mismatch gone: frames of this side's MTU pass to the peer and back");
            }
        }
    }

    /** Why the probes or the quality put a link in its state, for people; empty when nothing needs saying. */
    String detail(OpenLink link, long now) {
        LinkState state = link.state();
        String detail = state == LinkState.DOWN ? link.transportUp() ? downDetail(link, now) : ""
                : state == LinkState.DEGRADED ? link.quality.degradedWhy : "";
        if (link.quality.latent) {
            detail = (detail.isEmpty() ? "" : detail + "; ") + "latent error: " + latentDetail();
        }
        if (link.health.mtuTooLarge()) {
            detail = (detail.isEmpty() ? "" : detail + "; ") + mtuDetail(link);
        }
        return detail;
    }

    /** The size of the link's padded probes on the wire, header and tag included; 0 before the first. */
    private int mtuProbeFrameBytes(OpenLink link) {
        int body = link.health.mtuProbeLength;
        return body == 0 ? 0 : FrameCodec.HEADER_LENGTH + body + (link.peer.trust.authenticates() ? FrameAuth.TAG_LENGTH : 0);
    }

    /** The MTU mismatch's text. */
    private String mtuDetail(OpenLink link) {
        return "MTU mismatch: frames of " + mtuProbeFrameBytes(link) + " bytes (this side's MTU) do not reach the peer and come back while "
                + "smaller probes do: the peer's MTU on this link, or the path's, is smaller; packets that fill this "
                + "side's MTU are lost on this link";
    }

    /** The latent error alarm's text. */
    String latentDetail() {
        return "none of the stream's packets arrived on it for " + LinkQuality.LATENT_TICKS * Engine.TICK_MILLIS
                + " ms while the other links carried them, yet its frames go missing (link sequence)";
    }

    /** Why a link whose transport is up is DOWN by its probes. */
    private String downDetail(OpenLink link, long now) {
        LinkHealth h = link.health;
        long interval = path.probeIntervalNanos;
        long recently = LinkHealth.DETECT_INTERVALS * interval;
        long heardAgo = TimeUnit.NANOSECONDS.toMillis(now - h.lastHeardNanos);
        long answeredAgo = TimeUnit.NANOSECONDS.toMillis(now - h.lastAnsweredNanos);
        long list = h.peerListNumber; // read first: whether that list named the link was written before it
        boolean listing = now - h.peerListNanos <= recently; // the peer's heard lists arrive (over some link)
        boolean peerHears = listing && h.peerHearsNumber == list; // the latest list names this link
        return switch (h.reason) {
            case LinkHealth.SILENT -> peerHears
                    ? "one-way: nothing arrives from the peer for " + heardAgo + " ms, yet the peer hears this side on it "
                            + "(its reports over another link say so): the direction from the peer is broken"
                    : "nothing heard from the peer for " + heardAgo + " ms"
                            + (listing ? " and the peer hears nothing from this side on it either (its reports over "
                                    + "another link say so): both directions are broken" : "");
            case LinkHealth.UNANSWERED -> "one-way: the peer's frames arrive but no probe of this side was answered for "
                    + answeredAgo + " ms: the direction towards the peer is broken"
                    + (listing && !peerHears ? " (the peer's reports over another link confirm: it hears nothing from "
                            + "this side on it)" : "");
            case LinkHealth.TRANSPORT -> "the transport has the link down";
            default -> "waiting for " + LinkHealth.UP_STREAK + " probes in a row to be answered and "
                    + TimeUnit.NANOSECONDS.toMillis(LinkHealth.DOWN_HOLD_INTERVALS * interval) + " ms DOWN";
        };
    }

    /**
     * The probes' figures of an open link, added to its counters: the time of the last state change (Unix ms), the
     * round-trip time (RFC 6298 smoothed and variation, p50 and p99 of the last {@value LinkHealth#SAMPLES} probes, in
     * microseconds), and the loss of both directions in parts per million, in total and over the last 2 s. A figure not
     * known yet (no reply, nothing sent) is left out.
     */
    void figures(OpenLink link, Map<String, Long> counters, long now) {
        LinkHealth h = link.health;
        counters.put("state_since_ms", System.currentTimeMillis() - TimeUnit.NANOSECONDS.toMillis(now - link.stateSinceNanos()));
        counters.put("state_changes", h.changes);
        long[] rtts = h.sortedRtts();
        if (rtts.length > 0) {
            counters.put("rtt_us", h.srttNanos / 1000);
            counters.put("rtt_var_us", h.rttVarNanos / 1000);
            counters.put("rtt_p50_us", LinkHealth.percentile(rtts, 50) / 1000);
            counters.put("rtt_p99_us", LinkHealth.percentile(rtts, 99) / 1000);
            counters.put("rtt_floor_us", link.quality.rttFloorNanos / 1000);
        }
        putLoss(counters, "loss_from_peer_ppm", counters.get("frames_sequenced"), counters.get("lost"));
        putLoss(counters, "loss_to_peer_ppm", counters.get("peer_received"),
                LinkQuality.lostOnTheWay(counters.get("peer_lost"), LinkQuality.refused(counters)));
        putKnown(counters, "recent_loss_from_peer_ppm", link.quality.lossFromPeerPpm);
        putKnown(counters, "recent_loss_to_peer_ppm", link.quality.lossToPeerPpm);
        counters.put("latent_error", link.quality.latent ? 1L : 0L);
        counters.put("mtu_mismatch", link.health.mtuTooLarge() ? 1L : 0L);
        counters.put("mtu_probe_bytes", (long) mtuProbeFrameBytes(link));
        counters.put("mtu_probes_missed", (long) link.health.mtuMisses);
    }

    private static void putLoss(Map<String, Long> counters, String name, long received, long lost) {
        long ppm = LinkQuality.ppm(received, lost, 1);
        if (ppm >= 0) {
            counters.put(name, ppm);
        }
    }

    private static void putKnown(Map<String, Long> counters, String name, int ppm) {
        if (ppm >= 0) {
            counters.put(name, (long) ppm);
        }
    }
}
