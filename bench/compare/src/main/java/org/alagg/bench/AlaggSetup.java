package org.alagg.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import org.alagg.e2e.Bed;

/**
 * Alagg in one capture mode on both hosts: both links, every packet sent on each ({@code redundant}),
 * {@code windowed} reordering; {@linkplain #authenticated authenticated}, both sides also have the same key, so every
 * frame carries an HMAC-SHA-256 tag (docs/protocol.md, section 7); {@linkplain #scraped scraped}, both sides serve their
 * metrics and live page and a scraper in each namespace asks for both every second (docs/observability.md).
 */
final class AlaggSetup implements Setup {
    private static final List<String> CONFIG = List.of("scheduler = redundant", "reorder = windowed");
    /** What {@code alagg genkey} makes: 32 random bytes. */
    private static final int KEY_BYTES = 32;
    /** The engine's warning when it runs without a key (Engine.warnings). */
    private static final String NO_KEY_WARNING = "no key";

    /** Where a scraped setup serves its metrics, on each side's loopback. */
    private static final String METRICS = "127.0.0.1:9464";
    /** What Prometheus and an open live page ask for, every second. */
    private static final String SCRAPER = "while :; do curl -sf -o /dev/null http://" + METRICS + "/metrics;"
            + " curl -sf -o /dev/null http://" + METRICS + "/live.json; sleep 1; done";

    private final Bed.Capture capture;
    private final boolean authenticated;
    private final boolean scraped;
    private Bed bed;
    private Duration startup;

    private AlaggSetup(Bed.Capture capture, boolean authenticated, boolean scraped) {
        this.capture = capture;
        this.authenticated = authenticated;
        this.scraped = scraped;
    }

    private AlaggSetup(Bed.Capture capture, boolean authenticated) {
        this(capture, authenticated, false);
    }

    /** Without a key, with the metrics endpoint on and scraped every second on both sides. */
    static AlaggSetup scraped(Bed.Capture capture) {
        return new AlaggSetup(capture, false, true);
    }

    /** Without a key: frames are not authenticated. */
    static AlaggSetup plain(Bed.Capture capture) {
        return new AlaggSetup(capture, false);
    }

    /** With a key, new for each run and the same on both sides ({@code key = ...} in both configurations). */
    static AlaggSetup authenticated(Bed.Capture capture) {
        return new AlaggSetup(capture, true);
    }

    @Override
    public String name() {
        return "Alagg " + capture.name() + (authenticated ? " + auth" : "") + (scraped ? " + metrics scraped 1/s" : "");
    }

    @Override
    public Bed open(Path root, boolean vethOffloads) throws IOException, InterruptedException {
        // the bed's own copy of the distribution: a rebuild of the project's during the run changes nothing here
        bed = Bed.create(root, capture, 2, 2, config(), true, vethOffloads);
        // not Bed.start(): its pings wait up to 1 s for an answer, the start-up figure could be a second late
        long started = System.nanoTime();
        bed.a().instance().start();
        bed.b().instance().start();
        try {
            Forwarding.await(bed);
        } catch (IOException e) {
            throw new IOException(e.getMessage() + "\n" + bed.a().instance().log() + "\n" + bed.b().instance().log(), e);
        }
        startup = Duration.ofNanos(System.nanoTime() - started);
        if (authenticated) {
            requireKey();
        }
        if (scraped) {
            for (Bed.Side side : List.of(bed.a(), bed.b())) {
                // fails unless the endpoint answers within 5 s; the loop then runs until the bed closes (it kills it)
                side.exec("sh", "-c", "for i in $(seq 50); do curl -sf -o /dev/null http://" + METRICS + "/metrics && exit 0;"
                        + " sleep 0.1; done; echo 'no metrics endpoint on " + METRICS + "' >&2; exit 1");
                side.start("sh", "-c", SCRAPER);
            }
        }
        return bed;
    }

    private List<String> config() {
        List<String> config = new ArrayList<>(CONFIG);
        if (scraped) {
            config.add("metrics.listen = " + METRICS);
        }
        if (authenticated) {
            byte[] key = new byte[KEY_BYTES];
            new SecureRandom().nextBytes(key);
            config.add("key = " + Base64.getEncoder().encodeToString(key));
        }
        return config;
    }

    /** The figures must not be those of a setup that quietly runs without its key. */
    private void requireKey() throws IOException {
        for (Bed.Side side : List.of(bed.a(), bed.b())) {
            Object warnings = side.instance().status().get("warnings");
            if (String.valueOf(warnings).contains(NO_KEY_WARNING)) {
                throw new IOException(side + " runs without its key: " + warnings);
            }
        }
    }

    @Override
    public List<Forwarder> forwarders() {
        return List.of(new Forwarder("alagg A", bed.a().instance().pid()),
                new Forwarder("alagg B", bed.b().instance().pid()));
    }

    @Override
    public Optional<Duration> startup() {
        return Optional.ofNullable(startup);
    }

    @Override
    public void close() {
        if (bed != null) {
            bed.close();
        }
    }
}
