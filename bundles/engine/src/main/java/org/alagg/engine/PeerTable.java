package org.alagg.engine;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

import org.alagg.api.Alagg;
import org.alagg.api.IpNetwork;
import org.alagg.api.LinkScheduler;
import org.alagg.api.ReorderStrategyFactory;

/**
 * The engine's table of peers (Linux PRP's node table, WireGuard's peer list): which peers are configured, their
 * settings resolved against the engine configuration and checked against each other, and the {@link Peer} each runs
 * as. A peer whose configuration is wrong, or clashes with a peer accepted before it (a network another peer claims,
 * a second peer without networks), is refused with the reason; one already running keeps its last good settings. The
 * others never notice. Under the engine's lock.
 */
final class PeerTable {
    private final DataPath path;
    private final List<PeerDefinition> definitions = new ArrayList<>();
    private final Map<String, Peer> running = new LinkedHashMap<>();
    /** Each running peer's settings: the engine's completed with its own. */
    private final Map<String, EngineSettings> settings = new HashMap<>();
    /** Why a peer's configuration is refused (in full, or its last change), by name. */
    private final Map<String, String> refused = new LinkedHashMap<>();
    /** Each peer's counters (send, receive), kept when it goes so that it counts on when it comes back. */
    private final Map<String, Counters[]> counters = new HashMap<>();

    PeerTable(DataPath path) {
        this.path = path;
    }

    void add(PeerDefinition definition) {
        definitions.add(definition);
    }

    void remove(PeerDefinition definition) {
        definitions.remove(definition);
    }

    /**
     * Brings the running peers in line with the configuration and the installed plugins. The caller publishes them
     * ({@link DataPath#publish}) and quiesces before it lets a peer that left go.
     *
     * @param engine the engine's settings: the default peer's, and what the others leave out
     * @param defaultWanted whether the default peer is configured (a link without a peer name)
     */
    void update(EngineSettings engine, boolean defaultWanted, Function<String, ReorderStrategyFactory> strategies,
                Function<String, LinkScheduler> schedulers) {
        refused.clear();
        Map<String, EngineSettings> wanted = new LinkedHashMap<>();
        if (defaultWanted) {
            wanted.put(Alagg.DEFAULT_PEER, engine);
        }
        for (PeerDefinition d : definitions) {
            String problem = nameProblem(d, wanted);
            EngineSettings s = null;
            if (problem == null) {
                try {
                    s = engine.forPeer(d.properties());
                } catch (IllegalArgumentException e) {
                    problem = "configuration refused: " + e.getMessage();
                }
            }
            if (problem == null) {
                problem = clash(d.name(), s, wanted);
            }
            if (problem != null) {
                refused.put(d.name(), problem + (running.containsKey(d.name()) ? "; its last good settings stay" : ""));
                s = settings.get(d.name());
                if (s == null || clash(d.name(), s, wanted) != null) {
                    continue;
                }
            }
            wanted.put(d.name(), s);
        }
        running.keySet().retainAll(wanted.keySet());
        settings.keySet().retainAll(wanted.keySet());
        wanted.forEach((name, s) -> run(name, s, strategies, schedulers));
    }

    /** Starts the peer or gives it its settings; a reorder window that does not fit keeps the one it has. */
    private void run(String name, EngineSettings s, Function<String, ReorderStrategyFactory> strategies,
                     Function<String, LinkScheduler> schedulers) {
        Peer peer = running.get(name);
        Reordering reordering;
        try {
            reordering = Reordering.of(s.reorder(), peer == null ? null : peer.reordering);
        } catch (IllegalArgumentException e) {
            refused.merge(name, e.getMessage(), (a, b) -> a + "; " + b);
            if (peer == null) {
                return;
            }
            reordering = peer.reordering;
        }
        if (peer == null) {
            Counters[] kept = counters.computeIfAbsent(name,
                    n -> new Counters[] {new Counters(Egress.COUNTERS), new Counters(Ingress.COUNTERS)});
            peer = new Peer(name, reordering, path, kept[0], kept[1]);
            running.put(name, peer);
        }
        settings.put(name, s);
        if (!Objects.equals(peer.trust, s.trust())) {
            peer.trust = s.trust();
        }
        peer.reordering = reordering;
        peer.strategy = strategies.apply(s.strategy());
        peer.scheduler = Engine.REDUNDANT.equals(s.scheduler()) ? null : schedulers.apply(s.scheduler());
    }

    /** What is wrong with a peer's name, or null. */
    private static String nameProblem(PeerDefinition d, Map<String, EngineSettings> wanted) {
        try {
            Alagg.checkPeerName(d.name());
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        if (d.name().equals(Alagg.DEFAULT_PEER)) {
            return "the name '" + Alagg.DEFAULT_PEER + "' is the peer of the links configured without a peer name";
        }
        return wanted.containsKey(d.name()) ? "a peer named '" + d.name() + "' is configured twice" : null;
    }

    /** Whether a peer's networks clash with those of the peers accepted before it; null when not. */
    private static String clash(String name, EngineSettings s, Map<String, EngineSettings> accepted) {
        List<IpNetwork> mine = s.trust().allowed();
        for (Map.Entry<String, EngineSettings> other : accepted.entrySet()) {
            List<IpNetwork> theirs = other.getValue().trust().allowed();
            if (mine.isEmpty() && theirs.isEmpty()) {
                return "neither it nor peer '" + other.getKey() + "' has allowed networks: one peer at most may take "
                        + "the packets no other peer's networks hold";
            }
            for (IpNetwork n : mine) {
                if (theirs.contains(n)) {
                    return "network " + n + " is peer '" + other.getKey() + "''s already (nested networks are fine: "
                            + "the longest prefix wins)";
                }
            }
        }
        return null;
    }

    Peer get(String name) {
        return running.get(name);
    }

    Collection<Peer> running() {
        return running.values();
    }

    EngineSettings settings(String name) {
        return settings.get(name);
    }

    /** Why the peer's configuration is refused, or null. */
    String refusal(String name) {
        return refused.get(name);
    }

    Map<String, String> refusals() {
        return refused;
    }

    /** The configured peers besides the default one, by name. */
    List<PeerDefinition> definitions() {
        return definitions;
    }

    /** The counters of every peer there has been, removed ones included: the totals keep what they counted. */
    Collection<Counters[]> allCounters() {
        return counters.values();
    }

    /** A peer's counters (send, receive), also after it left; null when it never ran. */
    Counters[] counters(String name) {
        return counters.get(name);
    }
}
