package org.alagg.metrics;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.alagg.api.InstanceStatus;
import org.alagg.api.PluginReport;
import org.alagg.config.listen.MetricsListen;
import org.alagg.shell.view.PluginReports;
import org.alagg.shell.view.Snapshot;
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

import io.prometheus.metrics.config.ExporterProperties;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;

/**
 * The HTTP endpoint on {@code metrics.listen}: {@code /metrics} in the Prometheus text format, or OpenMetrics when the
 * scraper asks for it ({@code Accept}), read from the engine at each scrape; {@code /} the live page and
 * {@code /live.json} its figures, a snapshot a second ({@link LiveView}). Off when {@code listen} is empty. The JDK's own
 * HTTP server, its requests on a few threads of their own and the snapshots on another: nothing runs on the hot threads
 * (docs/observability.md says why not Jetty). The JDK's server reads a request on the thread that serves it: a client
 * that sends its request slowly, or never reads the answer, holds one of the {@value #REQUEST_THREADS} threads until it
 * is cut off after {@value #REQUEST_SECONDS} s; beyond a short queue, requests are refused. So a client can delay the
 * endpoint by seconds, never hold it, and never touches the data path. Without a token only a request naming this host ({@code Host}: the
 * listen address, {@code localhost} or a loopback address) is answered, so a web page elsewhere cannot read the
 * loopback endpoint through a name it points at 127.0.0.1 (DNS rebinding).
 *
 * <p>A change of the configuration re-activates the component: the listener is closed and opened again.
 */
@Component(configurationPid = MetricsListen.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
@Designate(ocd = MetricsConfig.class)
public final class MetricsEndpoint {
    /** Bytes of an exposition's buffer to start with: about what two peers with four links take. */
    private static final int INITIAL_BUFFER = 32 * 1024;
    /** Between two snapshots of the live view. */
    private static final long SNAPSHOT_MILLIS = 1000;
    /** Requests served at once; more wait in a short queue, and beyond it are refused. */
    static final int REQUEST_THREADS = 8;
    private static final int REQUEST_QUEUE = 16;
    /** How long a request may take to arrive, and its answer to be taken. */
    static final int REQUEST_SECONDS = 3;

    private final Logger log;
    private final String version;
    private final ExpositionFormats formats = ExpositionFormats.init(ExporterProperties.builder().build());
    private final byte[] page;
    private final LiveView live = new LiveView();
    private final HttpServer server;
    private final ThreadPoolExecutor requests;
    private final ScheduledExecutorService snapshots;
    /** The names a request's {@code Host} may give without a token (lower case, with the port). */
    private final Set<String> hosts;
    /** The token a request must carry (as a bearer token, or the password of basic authentication); null: none. */
    private final byte[] token;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile InstanceStatus engine;

    /** The plugins that report their own counters, with their naming properties. */
    @Reference(service = PluginReport.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile List<Map.Entry<Map<String, Object>, PluginReport>> pluginReports = List.of();

    @Activate
    public MetricsEndpoint(BundleContext context, MetricsConfig config,
                           @Reference(service = LoggerFactory.class) Logger log) {
        this.log = log;
        this.version = context.getBundle().getVersion().toString();
        this.page = resource("live.html");
        String given = config._token().isEmpty() ? null : config._token();
        InetSocketAddress address = null;
        if (!config.listen().isBlank()) {
            try {
                address = MetricsListen.check(config.listen(), given == null ? null : MetricsListen.checkToken(given));
            } catch (IllegalArgumentException e) {
                log.error("No metrics endpoint: {}", e.getMessage());
            }
        }
        token = given == null ? null : given.getBytes(StandardCharsets.US_ASCII);
        hosts = address == null ? Set.of() : hostNames(address);
        HttpServer opened = null;
        ThreadPoolExecutor served = null;
        ScheduledThreadPoolExecutor taken = null;
        if (address != null) {
            try {
                limitRequests();
                served = new ThreadPoolExecutor(REQUEST_THREADS, REQUEST_THREADS, 30, TimeUnit.SECONDS,
                        new ArrayBlockingQueue<>(REQUEST_QUEUE), daemon("alagg-metrics"), new ThreadPoolExecutor.AbortPolicy());
                served.allowCoreThreadTimeOut(true);
                taken = new ScheduledThreadPoolExecutor(1, daemon("alagg-metrics-snapshot"));
                opened = HttpServer.create(address, REQUEST_QUEUE);
                opened.setExecutor(served);
                opened.createContext("/metrics", this::metrics);
                opened.createContext("/live.json", this::liveJson);
                opened.createContext("/", this::page);
                opened.start();
                taken.scheduleAtFixedRate(this::snapshot, 0, SNAPSHOT_MILLIS, TimeUnit.MILLISECONDS);
                log.info("Metrics endpoint on http://{}/metrics, the live page on http://{}/", config.listen(), config.listen());
            } catch (IOException e) {
                log.error("No metrics endpoint: cannot listen on {}: {}", config.listen(), e.toString());
                served.shutdownNow();
                taken.shutdownNow();
                opened = null;
                served = null;
                taken = null;
            }
        }
        server = opened;
        requests = served;
        snapshots = taken;
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * The JDK's HTTP server has no time limit on a request arriving or its answer being taken, nor on connections, unless
     * these are set before its first server is made (it reads them once); a value the operator set is kept.
     */
    private static void limitRequests() {
        System.getProperties().putIfAbsent("sun.net.httpserver.maxReqTime", Integer.toString(REQUEST_SECONDS));
        System.getProperties().putIfAbsent("sun.net.httpserver.maxRspTime", Integer.toString(REQUEST_SECONDS));
        System.getProperties().putIfAbsent("jdk.httpserver.maxConnections", Integer.toString(4 * REQUEST_QUEUE));
    }

    /** What a browser or scraper on this host puts in {@code Host} for the listen address. */
    private static Set<String> hostNames(InetSocketAddress address) {
        int port = address.getPort();
        Set<String> names = new java.util.HashSet<>();
        String literal = address.getAddress().getHostAddress();
        names.add((literal.contains(":") ? "[" + literal + "]" : literal) + ":" + port);
        for (String name : List.of("localhost", "127.0.0.1", "[::1]")) {
            names.add(name + ":" + port);
        }
        return Set.copyOf(names);
    }

    @Deactivate
    void stop() {
        if (server != null) {
            server.stop(0);
            requests.shutdownNow();
            snapshots.shutdownNow();
        }
    }

    /** Every second on the snapshot thread: the live view's next snapshot. */
    private void snapshot() {
        InstanceStatus status = engine;
        if (status == null) {
            return;
        }
        try {
            live.add(Snapshot.of(status));
        } catch (RuntimeException e) {
            // a scheduled task that throws is never run again: log it and take the next one
            log.error("The live view's snapshot failed", e);
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
            if (!writer.isAvailable()) { // protobuf, asked for but not embedded: the text format serves every scraper
                writer = formats.getPrometheusTextFormatWriter();
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream(INITIAL_BUFFER);
            try {
                writer.write(body, Exposition.of(status, version, new PluginReports(pluginReports).counters()));
            } catch (RuntimeException | LinkageError e) {
                // a name the exposition format refuses, a class missing: the scraper and the log say which
                log.error("A metrics scrape failed", e);
                text(exchange, 500, "the exposition failed: " + e + "\n");
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", writer.getContentType());
            send(exchange, 200, body.toByteArray());
        }
    }

    /** {@code GET /live.json}: 204 until the first snapshot. */
    private void liveJson(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!allowed(exchange)) {
                return;
            }
            String json = live.json();
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            if (json == null) {
                exchange.sendResponseHeaders(204, -1);
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            send(exchange, 200, json.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** {@code GET /}: the page; anything else under {@code /} is 404. */
    private void page(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!allowed(exchange)) {
                return;
            }
            String path = exchange.getRequestURI().getPath();
            if (!path.equals("/") && !path.equals("/index.html")) {
                text(exchange, 404, "no such page: " + path + " (there are /, /live.json and /metrics)\n");
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            // the page loads nothing from elsewhere and runs only its own script
            exchange.getResponseHeaders().set("Content-Security-Policy",
                    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'");
            send(exchange, 200, page);
        }
    }

    /**
     * Whether the request may be answered: a GET or HEAD, with the token when one is configured, as a bearer token
     * (Prometheus) or as the password of basic authentication (a browser asks for it). Answers the refusal itself.
     */
    private boolean allowed(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            exchange.getResponseHeaders().set("Allow", "GET, HEAD");
            text(exchange, 405, "only GET and HEAD\n");
            return false;
        }
        String host = exchange.getRequestHeaders().getFirst("Host");
        if (token == null && (host == null || !hosts.contains(host.toLowerCase(java.util.Locale.ROOT)))) {
            text(exchange, 421, "this endpoint answers requests for " + String.join(", ", new java.util.TreeSet<>(hosts))
                    + " only (or with metrics.token)\n");
            return false;
        }
        if (token != null && !tokenGiven(exchange.getRequestHeaders().getFirst("Authorization"))) {
            exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"alagg\"");
            exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"alagg\", charset=\"UTF-8\"");
            text(exchange, 401, "the metrics token is required (metrics.token): as a bearer token, or as the password\n");
            return false;
        }
        return true;
    }

    private boolean tokenGiven(String authorization) {
        if (authorization == null) {
            return false;
        }
        byte[] given;
        if (authorization.startsWith("Bearer ")) {
            given = authorization.substring("Bearer ".length()).getBytes(StandardCharsets.US_ASCII);
        } else if (authorization.startsWith("Basic ")) {
            String credentials;
            try {
                credentials = new String(Base64.getDecoder().decode(authorization.substring("Basic ".length()).strip()),
                        StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return false;
            }
            given = credentials.substring(credentials.indexOf(':') + 1).getBytes(StandardCharsets.UTF_8);
        } else {
            return false;
        }
        // the same time whatever the first wrong byte: the comparison tells nothing about the token
        return MessageDigest.isEqual(token, given);
    }

    private static byte[] resource(String name) {
        try (InputStream in = MetricsEndpoint.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the bundle lacks its " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
