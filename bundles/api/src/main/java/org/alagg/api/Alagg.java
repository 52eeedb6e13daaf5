package org.alagg.api;

/** Names shared by the engine, the configuration and plugins: service properties and configuration PIDs. */
public final class Alagg {
    /** Service property naming a {@link ReorderStrategyFactory}, e.g. {@code windowed}. */
    public static final String STRATEGY = "alagg.strategy";
    /** Service property naming a {@link PacketInterceptor} and the {@link LocalDelivery} that pairs with it. */
    public static final String INTERCEPTOR = "alagg.interceptor";
    /** Service property naming a {@link LinkScheduler}; {@code redundant} is the engine's own. */
    public static final String SCHEDULER = "alagg.scheduler";
    /** Service property naming a {@link LinkTransport}, e.g. {@code afpacket}. */
    public static final String TRANSPORT = "alagg.transport";

    /** Configuration of the engine: instance name, interceptor, strategy, EtherType. */
    public static final String ENGINE_PID = "org.alagg.engine";
    /** Engine configuration property: the instance name, which also names the control socket and the logs. */
    public static final String ENGINE_INSTANCE = "instance";
    /** Engine configuration property: the capture mode, a {@link #INTERCEPTOR} name. */
    public static final String ENGINE_INTERCEPTOR = "interceptor";
    /** Engine configuration property: the reordering strategy, a {@link #STRATEGY} name. */
    public static final String ENGINE_STRATEGY = "strategy";
    /** Engine configuration property: the EtherType of Alagg frames. */
    public static final String ENGINE_ETHERTYPE = "ethertype";

    /** Engine configuration property: the link scheduler, a {@link #SCHEDULER} name. */
    public static final String ENGINE_SCHEDULER = "scheduler";
    /** Engine configuration property: the link transport, a {@link #TRANSPORT} name. */
    public static final String ENGINE_TRANSPORT = "transport";
    /** Engine configuration property: the most packets a strategy holds behind a gap ({@link #checkReorderWindow}). */
    public static final String ENGINE_REORDER_WINDOW = "reorder.window";
    /** Engine configuration property: the longest a windowed strategy waits, in ms ({@link #checkReorderTimeoutMs}). */
    public static final String ENGINE_REORDER_TIMEOUT_MS = "reorder.timeout.ms";
    /** The largest {@link #ENGINE_REORDER_WINDOW}. */
    public static final int MAX_REORDER_WINDOW = 65536;
    /** The largest {@link #ENGINE_REORDER_TIMEOUT_MS}. */
    public static final long MAX_REORDER_TIMEOUT_MS = 60_000;
    /**
     * Engine configuration property: the interval between two probes on each link, in ms ({@link #checkProbeIntervalMs});
     * a link nothing is heard on for three intervals is DOWN. @since 2.1
     */
    public static final String ENGINE_PROBE_INTERVAL_MS = "probe.interval.ms";
    /** The default {@link #ENGINE_PROBE_INTERVAL_MS}. @since 2.1 */
    public static final long DEFAULT_PROBE_INTERVAL_MS = 100;
    /** The smallest {@link #ENGINE_PROBE_INTERVAL_MS}. @since 2.1 */
    public static final long MIN_PROBE_INTERVAL_MS = 10;
    /** The largest {@link #ENGINE_PROBE_INTERVAL_MS}. @since 2.1 */
    public static final long MAX_PROBE_INTERVAL_MS = 10_000;

    /**
     * Engine configuration property, private (not copied to service properties): the key this side authenticates
     * its frames with and accepts, {@link #KEY_LENGTH} bytes in standard Base64 ({@link #checkKey}). Unset: frames
     * are neither authenticated nor checked, and status warns that anyone on the links can inject traffic.
     * @since 2.1
     */
    public static final String ENGINE_KEY = ".key";
    /**
     * Engine configuration property, private: a second key accepted on receive only, for a rotation without loss
     * (docs/protocol.md section 7). Needs {@link #ENGINE_KEY}.
     * @since 2.1
     */
    public static final String ENGINE_KEY_ACCEPT = ".key.accept";
    /**
     * Engine configuration property: the inner source networks the peer may send from, comma-separated CIDRs
     * ({@link IpNetwork#parseList}). Unset: any source.
     * @since 2.1
     */
    public static final String ENGINE_PEER_ALLOWED = "peer.allowed";
    /** The length of a key in bytes. @since 2.1 */
    public static final int KEY_LENGTH = 32;

    /** Factory configuration, one per link; its name is the local interface. */
    public static final String LINK_FACTORY_PID = "org.alagg.link";
    /** Link configuration property: the local interface. */
    public static final String LINK_INTERFACE = "interface";
    /** Link configuration property: the peer's MAC address on that interface. */
    public static final String LINK_PEER = "peer";
    /**
     * Link configuration property: the name of the peer the link leads to ({@link #checkPeerName}); unset: the
     * {@link #DEFAULT_PEER}, whose settings are the engine configuration's own. @since 2.3
     */
    public static final String LINK_PEER_NAME = "peer.name";
    /**
     * Link configuration property: the link's weight for schedulers that spread traffic, a positive integer; unset or
     * 0: estimated ({@link LinkConditions#weight}). @since 2.5
     */
    public static final String LINK_WEIGHT = "weight";
    /** Link configuration property: the link's tier, 0 (the default, first choice) or more ({@link LinkConditions#tier}). @since 2.5 */
    public static final String LINK_TIER = "tier";
    /** The largest link weight. @since 2.5 */
    public static final int MAX_LINK_WEIGHT = 1_000_000;
    /** The largest link tier. @since 2.5 */
    public static final int MAX_LINK_TIER = 15;

    /**
     * Factory configuration, one per peer besides the {@link #DEFAULT_PEER}. Its properties: {@link #PEER_NAME},
     * {@link #PEER_ALLOWED}, and any of {@link #ENGINE_KEY}, {@link #ENGINE_KEY_ACCEPT}, {@link #ENGINE_STRATEGY},
     * {@link #ENGINE_SCHEDULER}, {@link #ENGINE_REORDER_WINDOW} and {@link #ENGINE_REORDER_TIMEOUT_MS}, which
     * replace the engine configuration's values for this peer (a property left out takes the engine's). Its links
     * are link configurations whose {@link #LINK_PEER_NAME} is the peer's name. @since 2.3
     */
    public static final String PEER_FACTORY_PID = "org.alagg.peer";
    /** Peer configuration property: the peer's name ({@link #checkPeerName}). @since 2.3 */
    public static final String PEER_NAME = "name";
    /**
     * Peer configuration property: the inner networks behind the peer, comma-separated CIDRs ({@link IpNetwork#parseList}):
     * a captured packet goes to the peer whose networks hold its destination (the longest prefix wins), and a packet
     * from the peer must come from a source that leads back to it. Unset: the peer takes what no other peer's networks
     * hold (at most one peer may leave it unset). @since 2.3
     */
    public static final String PEER_ALLOWED = "allowed";
    /**
     * The peer the single-peer form of the configuration describes: links without {@link #LINK_PEER_NAME}, with the
     * engine configuration's key, {@link #ENGINE_PEER_ALLOWED} and options. @since 2.3
     */
    public static final String DEFAULT_PEER = "default";

    /**
     * The start of a plugin's own configuration PID: {@link #pluginPid}. The configuration file's lines
     * {@code plugin.<name>.<key> = <value>} give its properties, and a plugin's component reads them with
     * {@code @Component(configurationPid = "org.alagg.plugin.<name>")}. @since 2.4
     */
    public static final String PLUGIN_PID_PREFIX = "org.alagg.plugin.";

    /** Configuration property recording where a configuration came from (a file and line, or a command). */
    public static final String ORIGIN = "alagg.origin";

    /** IEEE 802 local experimental EtherType 1, Alagg's default. */
    public static final int DEFAULT_ETHERTYPE = 0x88B5;

    private static final java.util.regex.Pattern PLUGIN_NAME = java.util.regex.Pattern.compile("[a-z][a-z0-9_-]{0,31}");

    private Alagg() {
    }

    /**
     * Returns a plugin name ({@link #STRATEGY}, {@link #INTERCEPTOR}, {@link #TRANSPORT}) when it is well formed.
     *
     * @param what what the name is of, for the message, e.g. "reordering strategy"
     * @throws IllegalArgumentException naming what is wrong with it
     */
    public static String checkPluginName(String what, String name) {
        if (!PLUGIN_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(what + " name '" + name
                    + "' must be 1-32 lower-case letters, digits, '_' or '-', starting with a letter");
        }
        return name;
    }

    /**
     * The configuration PID of the plugin named {@code name} ({@link #checkPluginName}): {@link #PLUGIN_PID_PREFIX}
     * and the name, e.g. {@code org.alagg.plugin.first-come}. Its properties are the plugin's own settings; when it
     * declares a Metatype object class for this PID, the configuration file's values are checked against it.
     *
     * @throws IllegalArgumentException when the name is not a plugin name
     * @since 2.4
     */
    public static String pluginPid(String name) {
        return PLUGIN_PID_PREFIX + checkPluginName("plugin", name);
    }

    private static final java.util.regex.Pattern PEER_NAME_PATTERN = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,31}");

    /**
     * Returns a peer name when it is one: 1-32 letters, digits, '_' or '-', starting with a letter or digit (it names
     * the peer's configuration, {@code org.alagg.link~<peer>.<interface>} among them, so no dots).
     *
     * @throws IllegalArgumentException naming what is wrong with it
     * @since 2.3
     */
    public static String checkPeerName(String name) {
        if (!PEER_NAME_PATTERN.matcher(name).matches()) {
            throw new IllegalArgumentException("peer name '" + name
                    + "' must be 1-32 letters, digits, '_' or '-', starting with a letter or digit");
        }
        return name;
    }

    /**
     * Returns an EtherType for Alagg frames when it is one: 0x0600 to 0xFFFF, and not IPv4's, IPv6's or ARP's.
     *
     * @throws IllegalArgumentException naming what is wrong with it
     * @since 2.0
     */
    public static int checkEtherType(int etherType) {
        if (etherType < 0x0600 || etherType > 0xFFFF) {
            throw new IllegalArgumentException(String.format("EtherType 0x%x is out of range 0x0600..0xffff", etherType));
        }
        if (etherType == 0x0800 || etherType == 0x86DD || etherType == 0x0806) {
            throw new IllegalArgumentException(String.format(
                    "EtherType 0x%04x belongs to IPv4, IPv6 or ARP; use a free one such as 0x88b5", etherType));
        }
        return etherType;
    }

    /** Returns a reorder window (1 to {@link #MAX_REORDER_WINDOW} packets) when it is one. @since 2.0 */
    public static int checkReorderWindow(long window) {
        return (int) checkRange("reorder window", window, 1, MAX_REORDER_WINDOW);
    }

    /** Returns a reorder timeout (0 to {@link #MAX_REORDER_TIMEOUT_MS} ms) when it is one. @since 2.0 */
    public static long checkReorderTimeoutMs(long timeoutMs) {
        return checkRange("reorder timeout (ms)", timeoutMs, 0, MAX_REORDER_TIMEOUT_MS);
    }

    /**
     * The {@link #ENGINE_REORDER_TIMEOUT_MS} that lets the engine size the timeout from the links' measured delay spread
     * (written {@code auto} in the file; the default).
     *
     * @since 2.5
     */
    public static final long REORDER_TIMEOUT_AUTO = -1;

    /** Returns a probe interval ({@link #MIN_PROBE_INTERVAL_MS} to {@link #MAX_PROBE_INTERVAL_MS} ms) when it is one. @since 2.1 */
    public static long checkProbeIntervalMs(long intervalMs) {
        return checkRange("probe interval (ms)", intervalMs, MIN_PROBE_INTERVAL_MS, MAX_PROBE_INTERVAL_MS);
    }

    /**
     * Returns the {@link #KEY_LENGTH} bytes of a key written in standard Base64 (as {@code alagg genkey} prints it).
     * The message never repeats the value: it is a secret.
     *
     * @throws IllegalArgumentException naming what is wrong with it
     * @since 2.1
     */
    public static byte[] checkKey(String base64) {
        byte[] key;
        try {
            key = java.util.Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("key is not Base64 (" + e.getMessage() + "); make one with 'alagg genkey'");
        }
        if (key.length != KEY_LENGTH) {
            throw new IllegalArgumentException("key is " + key.length + " bytes, not " + KEY_LENGTH
                    + "; make one with 'alagg genkey'");
        }
        return key;
    }

    /**
     * Engine (and peer) configuration property: forward error correction, {@code off} (the default), {@code k:m} (m parity
     * frames after every k DATA frames) or {@code auto} (k and m chosen from the links' measured loss), checked by
     * {@link #checkFecRatio}. @since 2.6
     */
    public static final String ENGINE_FEC_RATIO = "fec.ratio";
    /** Engine (and peer) configuration property: how long a group of DATA frames stays open, in ms. @since 2.6 */
    public static final String ENGINE_FEC_TIMEOUT_MS = "fec.timeout.ms";
    /** Engine (and peer) configuration property: the residual loss {@code fec.ratio = auto} aims at. @since 2.6 */
    public static final String ENGINE_FEC_TARGET_LOSS = "fec.target.loss";
    /** The largest k and the largest m of {@link #ENGINE_FEC_RATIO}. @since 2.6 */
    public static final int MAX_FEC_FRAMES = 20;
    /** The largest {@link #ENGINE_FEC_TIMEOUT_MS}. @since 2.6 */
    public static final long MAX_FEC_TIMEOUT_MS = 1000;

    /**
     * Returns a forward error correction setting written as the file writes it: {@code off}, {@code auto}, or
     * {@code k:m} with k and m 1 to {@link #MAX_FEC_FRAMES} (spaces dropped).
     *
     * @throws IllegalArgumentException naming what is wrong with it
     * @since 2.6
     */
    public static String checkFecRatio(String ratio) {
        String v = ratio.strip().replace(" ", "");
        if (v.equals("off") || v.equals("auto")) {
            return v;
        }
        int colon = v.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("FEC ratio '" + ratio + "' is not k:m (e.g. 4:2), 'off' or 'auto'");
        }
        long k;
        long m;
        try {
            k = Long.parseLong(v.substring(0, colon));
            m = Long.parseLong(v.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("FEC ratio '" + ratio + "' is not k:m (e.g. 4:2), 'off' or 'auto'");
        }
        checkRange("FEC data frames per group (k)", k, 1, MAX_FEC_FRAMES);
        checkRange("FEC parity frames per group (m)", m, 1, MAX_FEC_FRAMES);
        return k + ":" + m;
    }

    /** Returns a FEC group timeout (1 to {@link #MAX_FEC_TIMEOUT_MS} ms) when it is one. @since 2.6 */
    public static long checkFecTimeoutMs(long timeoutMs) {
        return checkRange("FEC timeout (ms)", timeoutMs, 1, MAX_FEC_TIMEOUT_MS);
    }

    /**
     * Returns a target residual loss as a fraction: written as a percentage ({@code 0.1%}) or a fraction
     * ({@code 0.001}), above 0 and below 50 %.
     *
     * @throws IllegalArgumentException naming what is wrong with it
     * @since 2.6
     */
    public static double checkFecTargetLoss(String loss) {
        String v = loss.strip();
        boolean percent = v.endsWith("%");
        double d;
        try {
            d = Double.parseDouble(percent ? v.substring(0, v.length() - 1).strip() : v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("FEC target loss '" + loss + "' is not a number (e.g. 0.1% or 0.001)");
        }
        double fraction = percent ? d / 100 : d;
        if (!(fraction > 0 && fraction < 0.5)) {
            throw new IllegalArgumentException("FEC target loss '" + loss + "' is out of range: above 0, below 50%");
        }
        return fraction;
    }

    private static long checkRange(String what, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(what + " " + value + " is out of range " + min + ".." + max);
        }
        return value;
    }
}
