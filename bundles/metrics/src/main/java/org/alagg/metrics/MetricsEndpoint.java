package org.alagg.metrics;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.alagg.api.InstanceStatus;
import org.alagg.config.listen.MetricsListen;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.Designate;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.config.ExporterProperties;

/**
 * The HTTP endpoint on {@code metrics.listen}: {@code /metrics} in the Prometheus text format, or OpenMetrics when the
 * scraper asks for it ({@code Accept}), read from the engine at each scrape. Off when {@code listen} is empty. The JDK's
 * own HTTP server with one thread: a scrape a second costs a few hundred microseconds of that thread and nothing on
 * the hot threads (docs/observability.md says why not Jetty).
 *
 * <p>A change of the configuration re-activates the component: the listener is closed and opened again.
 */
@Component(configurationPid = MetricsListen.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
@Designate(ocd = MetricsConfig.class)
public final class MetricsEndpoint {
    /** Bytes of an exposition's buffer to start with: about what two peers with four links take. */
    private static final int INITIAL_BUFFER = 32 * 1024;

    private final Logger log;
    private final String version;
    private final ExpositionFormats formats = ExpositionFormats.init(ExporterProperties.builder().build());
    private final HttpServer server;
    private final ExecutorService executor;
    /** {@code Bearer <token>}, as the scraper must send it; null: no token asked for. */
    private final byte[] authorization;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile InstanceStatus engine;

    @Activate
    public MetricsEndpoint(BundleContext context, MetricsConfig config,
                           @Reference(service = LoggerFactory.class) Logger log) {
        this.log = log;
        this.version = context.getBundle().getVersion().toString();
        String token = config._token().isEmpty() ? null : config._token();
        if (config.listen().isBlank()) {
            server = null;
            executor = null;
            authorization = null;
            return;
        }
        InetSocketAddress address;
        try {
            address = MetricsListen.check(config.listen(), token == null ? null : MetricsListen.checkToken(token));
        } catch (IllegalArgumentException e) {
            log.error("No metrics endpoint: {}", e.getMessage());
            server = null;
            executor = null;
            authorization = null;
            return;
        }
        authorization = token == null ? null : ("Bearer " + token).getBytes(StandardCharsets.US_ASCII);
        HttpServer opened = null;
        ExecutorService threads = null;
        try {
            opened = HttpServer.create(address, 16);
            threads = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "alagg-metrics");
                t.setDaemon(true);
                return t;
            });
            opened.setExecutor(threads);
            opened.createContext("/metrics", this::metrics);
            opened.start();
            log.info("Metrics endpoint on http://{}/metrics", config.listen());
        } catch (IOException e) {
            log.error("No metrics endpoint: cannot listen on {}: {}", config.listen(), e.toString());
            if (threads != null) {
                threads.shutdownNow();
            }
            opened = null;
            threads = null;
        }
        server = opened;
        executor = threads;
    }

    @Deactivate
    void stop() {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
        }
    }

    /** {@code GET /metrics}. */
    private void metrics(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!allowed(exchange)) {
                return;
            }
            InstanceStatus status = engine;
            if (status == null) {
                text(exchange, 503, "the engine is not running (no engine configuration)\n");
                return;
            }
            ExpositionFormatWriter writer = formats.findWriter(exchange.getRequestHeaders().getFirst("Accept"));
            ByteArrayOutputStream body = new ByteArrayOutputStream(INITIAL_BUFFER);
            writer.write(body, Exposition.of(status, version));
            exchange.getResponseHeaders().set("Content-Type", writer.getContentType());
            send(exchange, 200, body.toByteArray());
        } catch (RuntimeException e) {
            log.error("A metrics scrape failed", e);
            throw e;
        }
    }

    /**
     * Whether the request may be answered: a GET or HEAD, with the token when one is configured. Answers the
     * refusal itself.
     */
    private boolean allowed(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            exchange.getResponseHeaders().set("Allow", "GET, HEAD");
            text(exchange, 405, "only GET and HEAD\n");
            return false;
        }
        if (authorization != null) {
            String given = exchange.getRequestHeaders().getFirst("Authorization");
            // the same time whatever the first wrong byte: the comparison tells nothing about the token
            if (given == null || !MessageDigest.isEqual(authorization, given.getBytes(StandardCharsets.US_ASCII))) {
                exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"alagg\"");
                text(exchange, 401, "a bearer token is required (metrics.token)\n");
                return false;
            }
        }
        return true;
    }

    private static void text(HttpExchange exchange, int status, String text) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        send(exchange, status, text.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
