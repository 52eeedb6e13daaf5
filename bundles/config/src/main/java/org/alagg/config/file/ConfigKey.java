package org.alagg.config.file;

import java.util.Arrays;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.alagg.api.Alagg;
import org.alagg.api.InterfaceName;

/**
 * The keys of the configuration file besides {@code link.<interface>}: where each lands in Config Admin,
 * its default and how its value is checked. A new key is one more constant here.
 */
enum ConfigKey {
    INSTANCE("instance", Alagg.ENGINE_PID, Alagg.ENGINE_INSTANCE, "alagg", ConfigKey::instanceName),
    INTERCEPTOR("interceptor", Alagg.ENGINE_PID, Alagg.ENGINE_INTERCEPTOR, "nfqueue", v -> Alagg.checkPluginName("interceptor", v)),
    REORDER("reorder", Alagg.ENGINE_PID, Alagg.ENGINE_STRATEGY, "windowed", v -> Alagg.checkPluginName("reordering strategy", v)),
    ETHERTYPE("ethertype", Alagg.ENGINE_PID, Alagg.ENGINE_ETHERTYPE, Alagg.DEFAULT_ETHERTYPE,
            v -> Alagg.checkEtherType(int32("EtherType", v))),
    SCHEDULER("scheduler", Alagg.ENGINE_PID, Alagg.ENGINE_SCHEDULER, "redundant", v -> Alagg.checkPluginName("link scheduler", v)),
    TRANSPORT("transport", Alagg.ENGINE_PID, Alagg.ENGINE_TRANSPORT, "afpacket", v -> Alagg.checkPluginName("link transport", v)),
    REORDER_WINDOW("reorder.window", Alagg.ENGINE_PID, Alagg.ENGINE_REORDER_WINDOW, 256,
            v -> Alagg.checkReorderWindow(number("reorder window", v))),
    REORDER_TIMEOUT("reorder.timeout.ms", Alagg.ENGINE_PID, Alagg.ENGINE_REORDER_TIMEOUT_MS, 5L,
            v -> Alagg.checkReorderTimeoutMs(number("reorder timeout (ms)", v))),
    NFQUEUE_NUM("nfqueue.num", "org.alagg.interceptor.nfqueue", "queue", 0, ConfigKey::queueNumber),
    TUN_NAME("tun.name", "org.alagg.interceptor.tun", "name", "alagg0", InterfaceName::check),
    TUN_ADDRESS("tun.address", "org.alagg.interceptor.tun", "address", "", v -> cidrList("tun.address", v)),
    TUN_ROUTE("tun.route", "org.alagg.interceptor.tun", "route", "", v -> cidrList("tun.route", v));

    private static final Pattern INSTANCE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    private final String key;
    private final String pid;
    private final String property;
    private final Object defaultValue;
    private final Function<String, Object> parser;

    ConfigKey(String key, String pid, String property, Object defaultValue, Function<String, Object> parser) {
        this.key = key;
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

    static String knownKeys() {
        return Arrays.stream(values()).map(k -> k.key).collect(Collectors.joining(", ")) + ", link.<interface>";
    }

    String pid() {
        return pid;
    }

    String property() {
        return property;
    }

    Object defaultValue() {
        return defaultValue;
    }

    Object parse(String value) {
        return parser.apply(value);
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

    /** The netfilter queue number, 0-65535: the nfqueue plugin's own setting (its Metatype gives the range), not the API's. */
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
