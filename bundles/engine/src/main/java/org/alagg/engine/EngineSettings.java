package org.alagg.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.alagg.api.Alagg;
import org.alagg.api.IpNetwork;
import org.alagg.api.ReorderSettings;
import org.alagg.protocol.FrameAuth;

/**
 * The engine configuration ({@code org.alagg.engine}), checked: whatever set it (the file, a command, a FileInstall
 * {@code .cfg}, the Config Admin API), each value passes the checks the file's own keys pass ({@link Alagg}'s).
 *
 * @param reorder the window and timeout, in the strategies' terms; with {@code reorderTimeoutAuto} the timeout is the
 *        least one the engine sizes from the links' delay spread ({@link ReorderTimeout})
 * @param reorderTimeoutAuto whether the engine sizes the timeout
 * @param trust the keys and the allowed sources
 * @param probeIntervalMs the interval between two probes on each link
 */
record EngineSettings(String instance, String interceptor, String strategy, int ethertype, String scheduler,
        String transport, ReorderSettings reorder, boolean reorderTimeoutAuto, Trust trust, long probeIntervalMs,
        FecSettings fec, String origin) {

    static final EngineSettings DEFAULTS = new EngineSettings("alagg", "nfqueue", "windowed", Alagg.DEFAULT_ETHERTYPE,
            Engine.REDUNDANT, "afpacket", new ReorderSettings(256, ReorderTimeout.LEAST_NANOS), true, Trust.NONE,
            Alagg.DEFAULT_PROBE_INTERVAL_MS, FecSettings.OFF, "");

    /** A configuration with bad values: every problem, each naming its property and value. */
    static final class Invalid extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        final EngineSettings usable;

        Invalid(List<String> problems, EngineSettings usable) {
            super(String.join("; ", problems));
            this.usable = usable;
        }
    }

    /**
     * Reads Config Admin properties. A missing property takes its default.
     *
     * @throws Invalid naming every bad value; its {@code usable} settings take {@code fallback}'s value for each
     */
    static EngineSettings parse(Map<String, ?> properties, EngineSettings fallback) {
        return parse(properties, fallback, Alagg.ENGINE_PEER_ALLOWED);
    }

    /** The properties a peer's configuration may give; what it leaves out comes from the engine configuration. */
    private static final List<String> PEER_OWN = List.of(Alagg.ENGINE_STRATEGY, Alagg.ENGINE_SCHEDULER,
            Alagg.ENGINE_REORDER_WINDOW, Alagg.ENGINE_REORDER_TIMEOUT_MS, Alagg.ENGINE_KEY, Alagg.ENGINE_KEY_ACCEPT,
            Alagg.PEER_ALLOWED, Alagg.ENGINE_FEC_RATIO, Alagg.ENGINE_FEC_TIMEOUT_MS, Alagg.ENGINE_FEC_TARGET_LOSS);

    /**
     * The settings of a peer configured besides the default one ({@link PeerDefinition}): its own strategy, scheduler,
     * reorder settings and keys where it gives them, these settings' where not (a peer that gives its own key does not
     * inherit the key to accept), and its own allowed networks. The other fields are these settings'.
     *
     * @throws Invalid naming every bad value, by the peer configuration's property names
     */
    EngineSettings forPeer(Map<String, ?> peer) {
        Map<String, Object> merged = new java.util.HashMap<>();
        for (String key : List.of(Alagg.ENGINE_INSTANCE, Alagg.ENGINE_INTERCEPTOR, Alagg.ENGINE_STRATEGY,
                Alagg.ENGINE_ETHERTYPE, Alagg.ENGINE_SCHEDULER, Alagg.ENGINE_TRANSPORT, Alagg.ENGINE_REORDER_WINDOW,
                Alagg.ENGINE_REORDER_TIMEOUT_MS, Alagg.ENGINE_PROBE_INTERVAL_MS, Alagg.ENGINE_FEC_RATIO,
                Alagg.ENGINE_FEC_TIMEOUT_MS, Alagg.ENGINE_FEC_TARGET_LOSS)) {
            merged.put(key, raw(key));
        }
        java.util.Base64.Encoder base64 = java.util.Base64.getEncoder();
        if (trust.key() != null) {
            merged.put(Alagg.ENGINE_KEY, base64.encodeToString(trust.key()));
        }
        if (trust.acceptKey() != null && peer.get(Alagg.ENGINE_KEY) == null) {
            merged.put(Alagg.ENGINE_KEY_ACCEPT, base64.encodeToString(trust.acceptKey()));
        }
        for (String key : PEER_OWN) {
            Object v = peer.get(key);
            if (v != null && !v.toString().isBlank()) {
                merged.put(key, v);
            }
        }
        return parse(merged, this, Alagg.PEER_ALLOWED);
    }

    private static EngineSettings parse(Map<String, ?> properties, EngineSettings fallback, String allowedKey) {
        List<String> problems = new ArrayList<>();
        Reader r = new Reader(properties, problems);
        String instance = r.get(Alagg.ENGINE_INSTANCE, fallback.instance, Object::toString);
        String interceptor = r.get(Alagg.ENGINE_INTERCEPTOR, fallback.interceptor, v -> Alagg.checkPluginName("interceptor", v.toString()));
        String strategy = r.get(Alagg.ENGINE_STRATEGY, fallback.strategy, v -> Alagg.checkPluginName("reordering strategy", v.toString()));
        int ethertype = r.get(Alagg.ENGINE_ETHERTYPE, fallback.ethertype, v -> Alagg.checkEtherType((int) number(v)));
        String scheduler = r.get(Alagg.ENGINE_SCHEDULER, fallback.scheduler, v -> Alagg.checkPluginName("link scheduler", v.toString()));
        String transport = r.get(Alagg.ENGINE_TRANSPORT, fallback.transport, v -> Alagg.checkPluginName("link transport", v.toString()));
        int window = r.get(Alagg.ENGINE_REORDER_WINDOW, fallback.reorder.window(), v -> Alagg.checkReorderWindow(number(v)));
        long timeoutMs = r.get(Alagg.ENGINE_REORDER_TIMEOUT_MS, (Long) fallback.raw(Alagg.ENGINE_REORDER_TIMEOUT_MS),
                v -> "auto".equals(v) || number(v) == Alagg.REORDER_TIMEOUT_AUTO ? (Long) Alagg.REORDER_TIMEOUT_AUTO
                        : (Long) Alagg.checkReorderTimeoutMs(number(v)));
        boolean auto = timeoutMs == Alagg.REORDER_TIMEOUT_AUTO;
        long probeIntervalMs = r.get(Alagg.ENGINE_PROBE_INTERVAL_MS, fallback.probeIntervalMs,
                v -> Alagg.checkProbeIntervalMs(number(v)));
        Trust trust = trust(properties, fallback.trust, allowedKey, problems);
        String fecRatio = r.get(Alagg.ENGINE_FEC_RATIO, fallback.fec.ratio(), v -> Alagg.checkFecRatio(v.toString()));
        long fecTimeoutMs = r.get(Alagg.ENGINE_FEC_TIMEOUT_MS, fallback.fec.timeoutMs(),
                v -> Alagg.checkFecTimeoutMs(number(v)));
        double fecTarget = r.get(Alagg.ENGINE_FEC_TARGET_LOSS, fallback.fec.targetLoss(),
                v -> Alagg.checkFecTargetLoss(v.toString()));
        Object origin = properties.get(Alagg.ORIGIN);
        EngineSettings settings = new EngineSettings(instance, interceptor, strategy, ethertype, scheduler, transport,
                new ReorderSettings(window, auto ? ReorderTimeout.LEAST_NANOS : TimeUnit.MILLISECONDS.toNanos(timeoutMs)),
                auto, trust, probeIntervalMs, FecSettings.of(fecRatio, fecTimeoutMs, fecTarget),
                origin == null ? "" : origin.toString());
        if (!problems.isEmpty()) {
            throw new Invalid(problems, settings);
        }
        return settings;
    }

    /** The keys and allowed sources; a problem never repeats a key's value (a secret). */
    private static Trust trust(Map<String, ?> properties, Trust fallback, String allowedKey, List<String> problems) {
        int before = problems.size();
        byte[] key = key(properties, Alagg.ENGINE_KEY, problems);
        byte[] accept = key(properties, Alagg.ENGINE_KEY_ACCEPT, problems);
        List<IpNetwork> allowed = List.of();
        Object networks = properties.get(allowedKey);
        if (networks != null && !networks.toString().isBlank()) {
            try {
                allowed = IpNetwork.parseList(networks.toString());
            } catch (IllegalArgumentException e) {
                problems.add(allowedKey + " = " + networks + ": " + e.getMessage());
            }
        }
        if (key == null && accept != null) {
            problems.add(Alagg.ENGINE_KEY_ACCEPT + ": a key to accept needs a key of its own (" + Alagg.ENGINE_KEY + ")");
        } else if (key != null && accept != null) {
            int keyId = new FrameAuth(key).keyId();
            if (keyId == new FrameAuth(accept).keyId()) {
                problems.add(Alagg.ENGINE_KEY_ACCEPT + ": its key id is the key's (" + keyId
                        + "): frames could not say which key made them; generate another key with 'alagg genkey'");
            }
        }
        if (problems.size() > before) {
            return fallback;
        }
        return new Trust(key, accept, allowed);
    }

    private static byte[] key(Map<String, ?> properties, String name, List<String> problems) {
        Object v = properties.get(name);
        if (v == null || v.toString().isBlank()) {
            return null;
        }
        try {
            return Alagg.checkKey(v.toString());
        } catch (IllegalArgumentException e) {
            problems.add(name + ": " + e.getMessage());
            return null;
        }
    }

    /** A number as Config Admin may hold it: any Number, or a decimal or 0x-hexadecimal string. */
    private static long number(Object v) {
        if (v instanceof Number n) {
            return n.longValue();
        }
        String s = v.toString().trim();
        try {
            return s.startsWith("0x") || s.startsWith("0X") ? Long.parseLong(s.substring(2), 16) : Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not a number");
        }
    }

    private record Reader(Map<String, ?> properties, List<String> problems) {
        <T> T get(String key, T fallback, Function<Object, T> check) {
            Object v = properties.get(key);
            if (v == null) {
                v = DEFAULTS.raw(key);
            }
            try {
                return check.apply(v);
            } catch (IllegalArgumentException e) {
                problems.add(key + " = " + v + ": " + e.getMessage());
                return fallback;
            }
        }
    }

    private Object raw(String key) {
        return switch (key) {
            case Alagg.ENGINE_INSTANCE -> instance;
            case Alagg.ENGINE_INTERCEPTOR -> interceptor;
            case Alagg.ENGINE_STRATEGY -> strategy;
            case Alagg.ENGINE_ETHERTYPE -> ethertype;
            case Alagg.ENGINE_SCHEDULER -> scheduler;
            case Alagg.ENGINE_TRANSPORT -> transport;
            case Alagg.ENGINE_REORDER_WINDOW -> reorder.window();
            case Alagg.ENGINE_REORDER_TIMEOUT_MS -> reorderTimeoutAuto ? Alagg.REORDER_TIMEOUT_AUTO
                    : TimeUnit.NANOSECONDS.toMillis(reorder.timeoutNanos());
            case Alagg.ENGINE_PROBE_INTERVAL_MS -> probeIntervalMs;
            case Alagg.ENGINE_FEC_RATIO -> fec.ratio();
            case Alagg.ENGINE_FEC_TIMEOUT_MS -> fec.timeoutMs();
            case Alagg.ENGINE_FEC_TARGET_LOSS -> fec.targetLoss();
            default -> throw new IllegalArgumentException(key);
        };
    }
}
