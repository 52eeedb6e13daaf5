package org.alagg.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Debian's Chromium, headless, driven through Debian's ChromeDriver (the W3C WebDriver protocol) in a bed side's
 * namespace, so that it reaches what listens on that side's loopback. The WebDriver requests are made with curl in the
 * namespace too: the test's JVM lives in another network namespace. The bed's network kills both processes when it
 * closes, whatever happened; {@link #close()} ends the session first.
 */
final class HeadlessBrowser implements AutoCloseable {
    /** ChromeDriver's port on the side's loopback. */
    private static final String DRIVER = "http://127.0.0.1:9515";
    /**
     * What this machine's Chromium needs as root and without a network beyond the bed (docs: the machine's notes):
     * without the background-networking flags it keeps trying to reach hosts it cannot.
     */
    private static final List<String> FLAGS = List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage", "--window-size=1280,900");

    private final Bed.Side side;
    private final String session;

    private HeadlessBrowser(Bed.Side side, String session) {
        this.side = side;
        this.session = session;
    }

    /** Starts ChromeDriver in the side's namespace and a browser session with its own empty profile in {@code profile}. */
    static HeadlessBrowser start(Bed.Side side, Path profile) throws Exception {
        Files.createDirectories(profile);
        side.start("chromedriver", "--port=9515");
        Beds.await("ChromeDriver answers", () -> {
            try {
                return side.exec("curl", "-sS", DRIVER + "/status");
            } catch (IOException e) {
                return e.getMessage();
            }
        }, status -> status.contains("\"ready\":true"));
        StringBuilder args = new StringBuilder();
        for (String flag : FLAGS) {
            args.append(args.length() == 0 ? "" : ",").append(quote(flag));
        }
        args.append(",").append(quote("--user-data-dir=" + profile));
        String capabilities = "{\"capabilities\":{\"alwaysMatch\":{\"browserName\":\"chrome\",\"goog:chromeOptions\":"
                + "{\"binary\":\"/usr/bin/chromium\",\"args\":[" + args + "]}}}}";
        Map<String, Object> value = Json.object(request(side, "POST", "/session", capabilities), "new session");
        return new HeadlessBrowser(side, (String) value.get("sessionId"));
    }

    /** Loads a page. */
    void open(String url) throws IOException {
        request(side, "POST", "/session/" + session + "/url", "{\"url\":" + quote(url) + "}");
    }

    /** Runs a script in the page and returns what it returns, as JSON reads it (a string, a list, a map...). */
    Object run(String script) throws IOException {
        return request(side, "POST", "/session/" + session + "/execute/sync", "{\"script\":" + quote(script) + ",\"args\":[]}");
    }

    /** A PNG of the window. */
    void screenshot(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, Base64.getDecoder().decode((String) request(side, "GET", "/session/" + session + "/screenshot", null)));
    }

    @Override
    public void close() {
        try {
            request(side, "DELETE", "/session/" + session, null);
        } catch (IOException | RuntimeException e) {
            // the bed kills the driver and the browser when it closes
        }
    }

    /** One WebDriver request; its answer's {@code value}, or an error saying what the driver said. */
    private static Object request(Bed.Side side, String method, String path, String body) throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of("curl", "-sS", "-X", method, DRIVER + path));
        if (body != null) {
            command.addAll(List.of("-H", "Content-Type: application/json", "--data-binary", body));
        }
        String answer = side.exec(command.toArray(String[]::new));
        Object value = Json.object(Json.parse(answer), "WebDriver answer").get("value");
        if (value instanceof Map<?, ?> m && m.containsKey("error")) {
            throw new IOException("WebDriver " + method + " " + path + ": " + m.get("error") + ": " + m.get("message"));
        }
        return value;
    }

    private static String quote(String text) {
        StringBuilder s = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> s.append("\\\"");
                case '\\' -> s.append("\\\\");
                case '\n' -> s.append("\\n");
                default -> s.append(c);
            }
        }
        return s.append('"').toString();
    }
}
