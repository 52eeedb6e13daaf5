package org.alagg.config.listen;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metrics endpoint's settings ({@code metrics.listen}, {@code metrics.token}) and their checks, shared by the
 * configuration file (which reports a bad line with FILE:LINE) and the metrics bundle (which refuses the same values
 * set through Config Admin directly). Not an API: both bundles carry a copy of this package (bnd
 * {@code -conditionalpackage}).
 */
public final class MetricsListen {
    /** The endpoint's configuration. */
    public static final String PID = "org.alagg.metrics";
    /** Where it listens, {@code ADDRESS:PORT}; absent or empty: no endpoint. */
    public static final String LISTEN = "listen";
    /** The bearer token a scraper must give (private: never shown); needed to listen beyond the loopback. */
    public static final String TOKEN = ".token";
    /** Shorter tokens are guessed too easily to guard an endpoint on a network. */
    public static final int MIN_TOKEN_LENGTH = 16;

    /** {@code 127.0.0.1:9464}, {@code [::1]:9464}: an IP address literal (no name to resolve) and a port. */
    private static final Pattern FORM = Pattern.compile("(?:\\[([0-9A-Fa-f.]*:[0-9A-Fa-f:.]*)]|([0-9.]+)):([0-9]{1,5})");

    private MetricsListen() {
    }

    /**
     * The address a {@code metrics.listen} value names.
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    public static InetSocketAddress parse(String value) {
        Matcher m = FORM.matcher(value.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("metrics.listen '" + value + "' is not ADDRESS:PORT with an IP address,"
                    + " like 127.0.0.1:9464 or [::1]:9464");
        }
        String host = m.group(1) != null ? m.group(1) : m.group(2);
        int port = Integer.parseInt(m.group(3));
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("metrics.listen port " + port + " is out of range 1..65535");
        }
        InetAddress address;
        try {
            // a literal only (the pattern): getByName does not resolve it, it parses it
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("metrics.listen '" + value + "': '" + host + "' is not an IP address");
        }
        return new InetSocketAddress(address, port);
    }

    /**
     * Checks the two settings together: a {@code listen} beyond the loopback needs a token, since anyone who can
     * reach the address would read the instance's peers, links and counters.
     *
     * @param listen the {@code metrics.listen} value
     * @param token the token, or null when none is given
     * @return the address to listen on
     * @throws IllegalArgumentException saying what is wrong (never repeating the token)
     */
    public static InetSocketAddress check(String listen, String token) {
        InetSocketAddress address = parse(listen);
        if (token == null && !address.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("metrics.listen " + listen + " is not a loopback address: anyone who can"
                    + " reach it would read this instance's peers, links and counters; listen on 127.0.0.1 or [::1], or"
                    + " set metrics.token (at least " + MIN_TOKEN_LENGTH + " characters) that scrapers must send as a"
                    + " bearer token");
        }
        return address;
    }

    /**
     * A {@code metrics.token} value.
     *
     * @throws IllegalArgumentException saying what is wrong, without the token
     */
    public static String checkToken(String token) {
        if (token.length() < MIN_TOKEN_LENGTH) {
            throw new IllegalArgumentException("metrics.token is " + token.length() + " characters long; give at least "
                    + MIN_TOKEN_LENGTH + " (alagg genkey prints a good one)");
        }
        if (!token.chars().allMatch(c -> c > ' ' && c < 127)) {
            throw new IllegalArgumentException("metrics.token holds a blank or a character that is not printable ASCII:"
                    + " it travels in an HTTP header");
        }
        return token;
    }
}
