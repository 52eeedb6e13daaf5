package org.alagg.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Proxy;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Version;
import org.osgi.service.log.Logger;

/** The endpoint on loopback, against what a hostile page or client sends, and a scraper that asks for protobuf. */
class MetricsEndpointTest {
    private MetricsEndpoint endpoint;
    private int port;
    private final List<Socket> open = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        MetricsConfig config = proxy(MetricsConfig.class, (name) -> switch (name) {
            case "listen" -> "127.0.0.1:" + port;
            case "_token" -> "";
            default -> null;
        });
        Bundle bundle = proxy(Bundle.class, name -> name.equals("getVersion") ? new Version("1.2.3") : null);
        BundleContext context = proxy(BundleContext.class, name -> name.equals("getBundle") ? bundle : null);
        endpoint = new MetricsEndpoint(context, config, proxy(Logger.class, name -> null));
        Field engine = MetricsEndpoint.class.getDeclaredField("engine");
        engine.setAccessible(true);
        engine.set(endpoint, ExpositionTest.status());
    }

    @AfterEach
    void stop() throws IOException {
        for (Socket s : open) {
            s.close();
        }
        endpoint.stop();
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, java.util.function.Function<String, Object> answer) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                (p, method, args) -> answer.apply(method.getName()));
    }

    /** A request as a client writes it, and the answer's status line and body. */
    private String get(String path, String host, String... headers) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout((MetricsEndpoint.REQUEST_SECONDS + 5) * 1000);
            StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n");
            for (String h : headers) {
                request.append(h).append("\r\n");
            }
            s.getOutputStream().write(request.append("Connection: close\r\n\r\n").toString().getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aScraperThatAsksForProtobufGetsTheTextFormat() throws IOException {
        String answer = get("/metrics", "127.0.0.1:" + port,
                "Accept: application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,"
                        + "text/plain;version=0.0.4;q=0.3");
        assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
        assertTrue(answer.contains("alagg_build_info"), answer);
    }

    @Test
    void withoutATokenOnlyRequestsForThisHostAreAnswered() throws IOException {
        String rebound = get("/live.json", "attacker.example:" + port);
        assertTrue(rebound.startsWith("HTTP/1.1 421"), "a name pointed at 127.0.0.1 by a page elsewhere: " + rebound);
        assertTrue(get("/metrics", "localhost:" + port).startsWith("HTTP/1.1 200"));
        assertTrue(get("/metrics", "127.0.0.1:" + port).startsWith("HTTP/1.1 200"));
    }

    @Test
    void clientsThatNeverFinishTheirRequestDelayTheEndpointButDoNotHoldIt() throws IOException {
        for (int i = 0; i < MetricsEndpoint.REQUEST_THREADS + 2; i++) {
            Socket s = new Socket("127.0.0.1", port);
            open.add(s);
            OutputStream out = s.getOutputStream();
            out.write("G".getBytes(StandardCharsets.US_ASCII)); // and nothing more
            out.flush();
        }
        long started = System.nanoTime();
        for (Socket s : open) {
            assertEquals(-1, readAfterLimit(s), "a request that never ends is cut off");
        }
        long seconds = (System.nanoTime() - started) / 1_000_000_000L;
        assertTrue(seconds <= MetricsEndpoint.REQUEST_SECONDS + 2, "cut off after the request time: " + seconds + " s");
        String answer = get("/metrics", "127.0.0.1:" + port);
        assertTrue(answer.startsWith("HTTP/1.1 200"), "the endpoint answers again: " + answer);
    }

    /** What the server sends a silent client once the request time is over: nothing, then the end of the stream. */
    private static int readAfterLimit(Socket s) throws IOException {
        s.setSoTimeout((MetricsEndpoint.REQUEST_SECONDS + 5) * 1000);
        InputStream in = s.getInputStream();
        try {
            return in.read();
        } catch (java.net.SocketException e) {
            return -1; // reset: cut off all the same
        }
    }
}
