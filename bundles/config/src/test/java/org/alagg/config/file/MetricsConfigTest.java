package org.alagg.config.file;

import static org.alagg.config.file.Refusals.problem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code metrics.listen} and {@code metrics.token}: the endpoint is off unless given, and loopback-only without a token. */
class MetricsConfigTest {
    private static final Path FILE = Path.of("/etc/alagg/metrics.cfg");
    private static final String TOKEN = "s3cret-token-of-20chars";

    private static Map<String, Object> metrics(String... lines) throws ConfigFileException {
        return ConfigFile.parse(FILE, List.of(lines)).configurations().get("org.alagg.metrics");
    }

    @Test
    void leftOutTheEndpointIsOff() throws Exception {
        assertNull(metrics().get("listen"));
    }

    @Test
    void aLoopbackAddressNeedsNoToken() throws Exception {
        assertEquals("127.0.0.1:9464", metrics("metrics.listen = 127.0.0.1:9464").get("listen"));
        assertEquals("[::1]:9464", metrics("metrics.listen = [::1]:9464").get("listen"));
    }

    @Test
    void anyOtherAddressTakesAToken() throws Exception {
        Map<String, Object> m = metrics("metrics.listen = 0.0.0.0:9464", "metrics.token = " + TOKEN);
        assertEquals("0.0.0.0:9464", m.get("listen"));
        assertEquals(TOKEN, m.get(".token")); // private: Config Admin's '.' properties are never shown
    }

    @Test
    void anyOtherAddressWithoutATokenIsRefusedOnItsLine() {
        Refusals.assertStartsWith("/etc/alagg/metrics.cfg:2: metrics.listen 0.0.0.0:9464 is not a loopback address",
                problem(FILE, "instance = x", "metrics.listen = 0.0.0.0:9464"));
    }

    @Test
    void aShortTokenIsRefusedWithoutRepeatingIt() {
        String p = problem(FILE, "metrics.listen = 10.0.0.1:9464", "metrics.token = short-token");
        assertEquals("/etc/alagg/metrics.cfg:2: metrics.token is 11 characters long; give at least 16"
                + " (alagg genkey prints a good one)", p);
        assertFalse(p.contains("short-token"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "localhost:9464     | metrics.listen 'localhost:9464' is not ADDRESS:PORT with an IP address",
        "[cafe]:9464        | metrics.listen '[cafe]:9464' is not ADDRESS:PORT with an IP address",
        "127.0.0.1          | metrics.listen '127.0.0.1' is not ADDRESS:PORT with an IP address",
        "127.0.0.1:70000    | metrics.listen port 70000 is out of range 1..65535",
        "127.0.0.1:0        | metrics.listen port 0 is out of range 1..65535",
        "[::1::2]:9464      | metrics.listen '[::1::2]:9464': '::1::2' is not an IP address",
    })
    void malformedAddressesAreRefusedOnTheirLine(String value, String expected) {
        Refusals.assertStartsWith("/etc/alagg/metrics.cfg:1: " + expected, problem(FILE, "metrics.listen = " + value));
    }

    @Test
    void theKeysBelongToTheTopLevel() {
        Refusals.assertStartsWith("/etc/alagg/metrics.cfg:3: ",
                problem(FILE, "[peer b]", "link.eth1 = 02:00:00:00:01:02", "metrics.listen = 127.0.0.1:9464"));
    }
}
