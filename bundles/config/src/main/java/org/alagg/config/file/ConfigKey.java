package org.alagg.config.file;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.alagg.api.Alagg;
import org.alagg.api.InterfaceName;
import org.alagg.api.IpNetwork;
import org.alagg.config.listen.MetricsListen;

/**
 * The keys of the configuration file besides {@code link.<interface>}: where each lands in Config Admin,
 * its default, how its value is checked, and whether it is written at the top level, in a {@code [peer NAME]}
 * section, or both. A new key is one more constant here.
 *
 * <p>A key valid in both places lands at the top level in its {@link #pid()} (the engine configuration), in a section
 * under the same property name in the section's peer configuration, where it has no default: a section that leaves
 * it out takes the engine's value, and the engine resolves that, not the file.
 */
enum ConfigKey {
    INSTANCE("instance", Scope.TOP_LEVEL, Alagg.ENGINE_PID, Alagg.ENGINE_INSTANCE, "alagg", ConfigKey::instanceName),
    INTERCEPTOR("interceptor", Scope.TOP_LEVEL, Alagg.ENGINE_PID, Alagg.ENGINE_INTERCEPTOR, "nfqueue",
            v -> Alagg.checkPluginName("interceptor", v)),
    REORDER("reorder", Scope.BOTH, Alagg.ENGINE_PID, Alagg.ENGINE_STRATEGY, "windowed",
            v -> Alagg.checkPluginName("reordering strategy", v)),
    ETHERTYPE("ethertype", Scope.TOP_LEVEL, Alagg.ENGINE_PID, Alagg.ENGINE_ETHERTYPE, Alagg.DEFAULT_ETHERTYPE,
            v -> Alagg.checkEtherType(int32("EtherType", v))),
    SCHEDULER("scheduler", Scope.BOTH, Alagg.ENGINE_PID, Alagg.ENGINE_SCHEDULER, "redundant",
            v -> Alagg.checkPluginName("link scheduler", v)),
    TRANSPORT("transport", Scope.TOP_LEVEL, Alagg.ENGINE_PID, Alagg.ENGINE_TRANSPORT, "afpacket",
            v -> Alagg.checkPluginName("link transport", v)),
    REORDER_WINDOW("reorder.window", Scope.BOTH, Alagg.ENGINE_PID, Alagg.ENGINE_REORDER_WINDOW, 256,
            v -> Alagg.checkReorderWindow(number("reorder window", v))),
    REORDER_TIMEOUT("reorder.timeout.ms", Scope.BOTH, Alagg.ENGINE_PID, Alagg.ENGINE_REORDER_TIMEOUT_MS,
            Alagg.REORDER_TIMEOUT_AUTO, ConfigKey::reorderTimeout),
    // Forward error correction (docs/fec.md): parity frames after every k DATA frames.
    FEC_RATIO("fec.ratio", Scope.BOTH, Alagg.ENGINE_PID, Alagg.ENGINE_FEC_RATIO, "off", Alagg::checkFecRatio),
    FEC_TIMEOUT("fec.timeout.ms", Scope.BOTH, Alagg.ENGINE_PID, Alagg.ENGINE_FEC_TIMEOUT_MS, 5L,
            v -> Alagg.checkFecTimeoutMs(number("FEC timeout (ms)", v))),
    FEC_TARGET_LOSS("fec.target.loss", Scope.BOTH, Alagg.ENGINE_PID, Alagg.ENGINE_FEC_TARGET_LOSS, "0.1%", v -> {
        Alagg.checkFecTargetLoss(v);
        return v.strip();
    }),
    PROBE_INTERVAL("probe.interval.ms", Scope.TOP_LEVEL, Alagg.ENGINE_PID, Alagg.ENGINE_PROBE_INTERVAL_MS,
            Alagg.DEFAULT_PROBE_INTERVAL_MS, v -> Alagg.checkProbeIntervalMs(number("probe interval (ms)", v))),
    NFQUEUE_NUM("nfqueue.num", Scope.TOP_LEVEL, "org.alagg.interceptor.nfqueue", "queue", 0, ConfigKey::queueNumber),
    // Managed capture (docs/nfqueue.md): Alagg makes the rules and routes for these itself while the queue is bound.
    CAPTURE_DESTINATIONS("capture.destinations", Scope.TOP_LEVEL, "org.alagg.interceptor.nfqueue", "destinations", "",
            ConfigKey::destinations),
    CAPTURE_FORWARD("capture.forward", Scope.TOP_LEVEL, "org.alagg.interceptor.nfqueue", "forward", Boolean.FALSE,
            v -> onOff("capture.forward", v)),
    TUN_NAME("tun.name", Scope.TOP_LEVEL, "org.alagg.interceptor.tun", "name", "alagg0", InterfaceName::check),
    TUN_ADDRESS("tun.address", Scope.TOP_LEVEL, "org.alagg.interceptor.tun", "address", "", v -> cidrList("tun.address", v)),
    TUN_ROUTE("tun.route", Scope.TOP_LEVEL, "org.alagg.interceptor.tun", "route", "", v -> cidrList("tun.route", v)),
    TUN_OFFLOAD("tun.offload", Scope.TOP_LEVEL, "org.alagg.interceptor.tun", "offload", Boolean.TRUE,
            v -> onOff("tun.offload", v)),
    // The keys have no default: left out, the property is absent (no authentication, no second key, any source).
    KEY("key", Scope.BOTH, Alagg.ENGINE_PID, Alagg.ENGINE_KEY, null, ConfigKey::key),
    KEY_FILE("key.file", Scope.BOTH, Alagg.ENGINE_PID, Alagg.ENGINE_KEY, null, ConfigKey::keyFile),
    KEY_ACCEPT("key.accept", Scope.BOTH, Alagg.ENGINE_PID, Alagg.ENGINE_KEY_ACCEPT, null, ConfigKey::key),
    KEY_ACCEPT_FILE("key.accept.file", Scope.BOTH, Alagg.ENGINE_PID, Alagg.ENGINE_KEY_ACCEPT, null, ConfigKey::keyFile),
    PEER_ALLOWED("peer.allowed", Scope.TOP_LEVEL, Alagg.ENGINE_PID, Alagg.ENGINE_PEER_ALLOWED, null,
            v -> networks("peer.allowed", v)),
    // A section's networks, in its peer configuration (the PID here is the factory's: the section names the configuration).
    ALLOWED("allowed", Scope.SECTION, Alagg.PEER_FACTORY_PID, Alagg.PEER_ALLOWED, null, v -> networks("allowed", v)),
    // The metrics endpoint (docs/observability.md): off unless given; beyond the loopback only with a token.
    METRICS_LISTEN("metrics.listen", Scope.TOP_LEVEL, MetricsListen.PID, MetricsListen.LISTEN, null, ConfigKey::listen),
    METRICS_TOKEN("metrics.token", Scope.TOP_LEVEL, MetricsListen.PID, MetricsListen.TOKEN, null,
            MetricsListen::checkToken);

    /** Where a key may be written. */
    enum Scope {
        /** Before the first section only: it sets up the instance, or the default peer (the top-level links'). */
        TOP_LEVEL,
        /** At the top level (for every peer that does not give its own) and in a section (for that peer). */
        BOTH,
        /** In a {@code [peer NAME]} section only. */
        SECTION
    }

    private static final Pattern INSTANCE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    private final String key;
    private final Scope scope;
    private final String pid;
    private final String property;
    private final Object defaultValue;
    /** The value as written and the directory of the file it is written in (relative paths start there). */
    private final BiFunction<String, Path, Object> parser;

    ConfigKey(String key, Scope scope, String pid, String property, Object defaultValue, Function<String, Object> parser) {
        this(key, scope, pid, property, defaultValue, (value, directory) -> parser.apply(value));
    }

    ConfigKey(String key, Scope scope, String pid, String property, Object defaultValue,
              BiFunction<String, Path, Object> parser) {
        this.key = key;
        this.scope = scope;
        this.pid = pid;
        this.property = property;
        this.defaultValue = defaultValue;
        this.parser = parser;
    }

    static ConfigKey named(String key) {
        for (ConfigKey k : values()) {
            if (k.key.equals(key)) {
                return k;
            }
        }
        return null;
    }

    /** The keys valid at the top level, for a message. */
    static String knownKeys() {
        return Arrays.stream(values()).filter(ConfigKey::atTopLevel).map(k -> k.key).collect(Collectors.joining(", "))
                + ", link.<interface>, plugin.<plugin>.<setting>";
    }

    /** The keys valid in a {@code [peer NAME]} section, for a message. */
    static String sectionKeys() {
        return "link.<interface>, " + Arrays.stream(values()).filter(ConfigKey::inSection).map(k -> k.key)
                .collect(Collectors.joining(", "));
    }

    /** Whether the key may be written before the first section. */
    boolean atTopLevel() {
        return scope != Scope.SECTION;
    }

    /** Whether the key may be written in a {@code [peer NAME]} section. */
    boolean inSection() {
        return scope != Scope.TOP_LEVEL;
    }

    String pid() {
        return pid;
    }

    String property() {
        return property;
    }

    /** The value when the key is left out; {@code null}: the property is absent then. */
    Object defaultValue() {
        return defaultValue;
    }

    /** The name written in the file. */
    String key() {
        return key;
    }

    /**
     * Whether the property is a secret: a private Config Admin property (its name starts with '.'), never shown,
     * and never repeated in a message, whatever is wrong with it.
     */
    boolean secret() {
        return property.startsWith(".");
    }

    /**
     * The property's value.
     *
     * @param directory the directory of the configuration file: relative paths in values start there
     * @throws IllegalArgumentException saying what is wrong; for a {@linkplain #secret() secret} never with its value
     */
    Object parse(String value, Path directory) {
        return parser.apply(value, directory);
    }

    private static String instanceName(String v) {
        if (!INSTANCE_NAME.matcher(v).matches()) {
            throw new IllegalArgumentException("instance name '" + v + "' must be 1-64 letters, digits, '_', '.' or '-'"
                    + " starting with a letter or digit (it names the control socket)");
        }
        return v;
    }

    /** Comma-separated addresses with prefix length; the device plugin checks them again when it applies them. */
    private static String cidrList(String what, String v) {
        for (String item : v.split(",")) {
            if (!item.strip().matches("[0-9a-fA-F.:]+/[0-9]{1,3}")) {
                throw new IllegalArgumentException(what + ": '" + item.strip()
                        + "' is not an address with a prefix length, like 10.9.0.1/24 or fd09::1/64");
            }
        }
        return v.replace(" ", "");
    }

    /** A key written inline, normalized to standard Base64 with padding. */
    private static String key(String v) {
        return Base64.getEncoder().encodeToString(Alagg.checkKey(v));
    }

    /** Who besides the owner may read or write a key file: nobody. */
    private static final Set<PosixFilePermission> NOT_FOR_OTHERS_TO_READ = Set.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ);
    private static final Set<PosixFilePermission> NOT_FOR_OTHERS_TO_WRITE = Set.of(
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);
    /** Far more than a key and its line end: a longer file is something else. */
    private static final int KEY_FILE_MAX_BYTES = 1024;

    /**
     * The key in a key file: one line, the key in standard Base64 as {@code alagg genkey} prints it; a relative
     * path starts in {@code directory}. The file must be a regular file (a symbolic link is judged by its target)
     * that neither group nor others can read or write, like ssh asks of a private key. Returned normalized.
     */
    private static String keyFile(String v, Path directory) {
        Path path = directory.resolve(v).normalize();
        String link = "";
        if (Files.isSymbolicLink(path)) {
            try {
                link = " (a symbolic link to " + path.toRealPath() + ")";
            } catch (IOException e) {
                try {
                    link = " (a symbolic link to " + path.resolveSibling(Files.readSymbolicLink(path)).normalize() + ")";
                } catch (IOException again) {
                    link = " (a symbolic link)";
                }
            }
        }
        PosixFileAttributes attributes;
        byte[] bytes;
        try {
            attributes = Files.readAttributes(path, PosixFileAttributes.class);
            if (!attributes.isRegularFile()) {
                throw new IllegalArgumentException("key file " + path + link + " is not a regular file");
            }
            if (attributes.size() > KEY_FILE_MAX_BYTES) {
                throw new IllegalArgumentException("key file " + path + link + " is " + attributes.size()
                        + " bytes long, too long for a key; write only the key into it with 'alagg genkey > " + path + "'");
            }
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("key file " + path + link + " does not exist; make one with"
                    + " 'umask 077; alagg genkey > " + path + "'");
        } catch (AccessDeniedException e) {
            throw new IllegalArgumentException("cannot read key file " + path + link + ": permission denied");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read key file " + path + link + ": " + e);
        }
        Set<PosixFilePermission> mode = attributes.permissions();
        boolean readable = mode.stream().anyMatch(NOT_FOR_OTHERS_TO_READ::contains);
        boolean writable = mode.stream().anyMatch(NOT_FOR_OTHERS_TO_WRITE::contains);
        if (readable || writable) {
            throw new IllegalArgumentException("key file " + path + link + " is "
                    + (readable && writable ? "readable and writable" : readable ? "readable" : "writable")
                    + " by others (mode " + octal(mode) + "): chmod 600 it");
        }
        String text = new String(bytes, StandardCharsets.UTF_8).strip();
        if (text.isEmpty()) {
            throw new IllegalArgumentException("key file " + path + link + " is empty; write a key into it with"
                    + " 'alagg genkey > " + path + "'");
        }
        if (text.lines().count() > 1) {
            throw new IllegalArgumentException("key file " + path + link + " holds " + text.lines().count()
                    + " lines; it must hold the key alone, on one line, as 'alagg genkey' prints it");
        }
        try {
            return key(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("key file " + path + link + ": " + e.getMessage(), e);
        }
    }

    /** A mode the way chmod and ls -n write it: 0644. */
    private static String octal(Set<PosixFilePermission> mode) {
        int bits = 0;
        for (PosixFilePermission p : mode) {
            bits |= 0400 >> p.ordinal(); // OWNER_READ, OWNER_WRITE, ..., OTHERS_EXECUTE: from the high bit down
        }
        return String.format("%04o", bits);
    }

    /**
     * The key id of a key (docs/protocol.md, section 7): the first byte of HMAC-SHA-256(key, "alagg v1 key id").
     * The receiver tells its two keys apart by it, so {@code key} and {@code key.accept} must not share one.
     */
    static int keyId(String base64) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(base64), "HmacSHA256"));
            return mac.doFinal("alagg v1 key id".getBytes(StandardCharsets.US_ASCII))[0] & 0xFF;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA-256 is not available in this JVM", e);
        }
    }

    /** The allowed networks, checked and normalized ({@code 10.9.1.0/24,fd09:1:0:0:0:0:0:0/64}). */
    private static String networks(String what, String v) {
        try {
            return IpNetwork.parseList(v).stream().map(IpNetwork::toString).collect(Collectors.joining(","));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
        }
    }

    /** {@code capture.destinations}: networks, none of them every address (its route through lo would be the default). */
    private static String destinations(String v) {
        String networks = networks("capture.destinations", v);
        if (IpNetwork.parseList(networks).stream().anyMatch(n -> n.prefixLength() == 0)) {
            throw new IllegalArgumentException("capture.destinations: a network of prefix length 0 is every address;"
                    + " Alagg's route for it through lo would take over the default route: list the peer's networks");
        }
        return networks;
    }

    /** A {@code metrics.listen} value, as written; whether it needs a token is checked with {@code metrics.token}. */
    private static String listen(String v) {
        MetricsListen.parse(v);
        return v;
    }

    /** The netfilter queue number, 0-65535: the nfqueue plugin's own setting (its Metatype gives the range), not the API's. */
    private static Boolean onOff(String key, String v) {
        return switch (v) {
            case "on" -> Boolean.TRUE;
            case "off" -> Boolean.FALSE;
            default -> throw new IllegalArgumentException(key + " '" + v + "' is neither on nor off");
        };
    }

    private static Integer queueNumber(String v) {
        long value = number("queue number", v);
        if (value < 0 || value > 65535) {
            throw new IllegalArgumentException("queue number " + v + " is out of range 0..65535");
        }
        return (int) value;
    }

    /**
     * A number as written in the file, decimal or {@code 0x} hexadecimal. Only the syntax is checked here; the
     * range is the business of the {@link Alagg} check that every source of configuration shares.
     */
    /** A reorder timeout in ms, or {@code auto}. */
    private static long reorderTimeout(String v) {
        if (v.equals("auto")) {
            return Alagg.REORDER_TIMEOUT_AUTO;
        }
        long ms;
        try {
            ms = number("reorder timeout (ms)", v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + "; or 'auto': sized from the links' delay spread");
        }
        return Alagg.checkReorderTimeoutMs(ms);
    }

    private static long number(String what, String v) {
        try {
            return v.startsWith("0x") || v.startsWith("0X") ? Long.parseLong(v.substring(2), 16) : Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " '" + v + "' is not a number");
        }
    }

    /**
     * A non-negative number for a check that takes an {@code int}: one beyond 32 bits is refused before it could wrap,
     * a negative one before the check writes it in hexadecimal.
     */
    private static int int32(String what, String v) {
        long value = number(what, v);
        if (value < 0 || value > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(what + " " + v + " is out of range");
        }
        return (int) value;
    }
}
