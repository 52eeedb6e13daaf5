package org.alagg.engine;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

import org.alagg.api.Alagg;
import org.alagg.api.IpNetwork;
import org.alagg.api.LinkScheduler;
import org.alagg.api.ReorderStrategyFactory;

/**
 * The engine's table of peers (Linux PRP's node table, WireGuard's peer list): which peers are configured, their
 * settings resolved against the engine configuration and checked against each other, and the {@link Peer} each runs
 * as. A peer whose configuration is wrong, or clashes with another (a network another peer claims, a second peer
 * without networks), is refused with the reason; one already running keeps its last good settings. In a clash the
 * peer that runs on unchanged wins: an edit never takes a network from a running peer. The others never notice.
 * Under the engine's lock.
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
        List<Candidate> candidates = new ArrayList<>();
        if (defaultWanted) {
            candidates.add(new Candidate(Alagg.DEFAULT_PEER, engine, null));
        }
        Set<String> names = new HashSet<>();
        for (PeerDefinition d : definitions) {
            String problem = nameProblem(d.name(), names);
            EngineSettings s = null;
            if (problem == null) {
                try {
                    s = engine.forPeer(d.properties());
                } catch (IllegalArgumentException e) {
                    problem = "configuration refused: " + e.getMessage();
                }
            }
            candidates.add(new Candidate(d.name(), s, problem));
        }
        // the peers that run on unchanged come first: a change that clashes with one of them is what gets refused
        candidates.sort(Comparator.comparing(c -> !(c.settings() != null && c.settings().equals(settings.get(c.name())))));
        Map<String, EngineSettings> wanted = new LinkedHashMap<>();
        for (Candidate c : candidates) {
            EngineSettings s = c.settings();
            String problem = c.problem() != null ? c.problem() : clash(s, wanted);
            if (problem != null) {
                refused.put(c.name(), problem + (running.containsKey(c.name()) ? "; its last good settings stay" : ""));
                s = settings.get(c.name());
                if (s == null || wanted.containsKey(c.name()) || clash(s, wanted) != null) {
                    continue;
                }
            }
            wanted.put(c.name(), s);
        }
        running.keySet().retainAll(wanted.keySet());
        settings.keySet().retainAll(wanted.keySet());
        wanted.forEach((name, s) -> run(name, s, strategies, schedulers));
    }

    /** A configured peer: its settings, or why they are refused. */
    private record Candidate(String name, EngineSettings settings, String problem) {
    }

    /** Starts the peer or gives it its settings; a reorder window that does not fit keeps the one it has. */
    private void run(String name, EngineSettings s, Function<String, ReorderStrategyFactory> strategies,
                     Function<String, LinkScheduler> schedulers) {
        Peer peer = running.get(name);
        Reordering reordering;
        try {
            // the same settings keep the same Reordering: a new one makes the ingress thread hand over what it holds
            reordering = peer != null && peer.reordering.settings().equals(s.reorder()) ? peer.reordering
                    : Reordering.of(s.reorder(), peer == null ? null : peer.reordering, otherPoolBytes(name),
                            Reordering.maxDirectMemory());
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
        if (peer.reordering != reordering || peer.reorderTimeoutAuto != s.reorderTimeoutAuto()) {
            peer.timing = null; // the control thread sizes the timeout again, from these settings
        }
        peer.reorderTimeoutAuto = s.reorderTimeoutAuto();
        if (!s.fec().equals(peer.fecConfigured)) {
            peer.fecConfigured = s.fec();
            peer.fec = s.fec(); // auto: off until the control thread chose k:m from the links' loss
        }
        peer.reordering = reordering;
        peer.strategy = strategies.apply(s.strategy());
        peer.scheduler = Engine.REDUNDANT.equals(s.scheduler()) ? null : schedulers.apply(s.scheduler());
    }

    /** The direct memory the pools of the other running peers will take when their first packets come. */
    private long otherPoolBytes(String name) {
        long bytes = 0;
        for (Peer peer : running.values()) {
            PacketPool pool = peer.reordering.pool();
            if (!peer.name.equals(name) && !pool.allocated()) {
                bytes += PacketPool.bytes(pool.capacity(), DataPath.MAX_PACKET);
            }
        }
        return bytes;
    }

    /** What is wrong with a peer's name, or null; {@code seen} collects the names. */
    private static String nameProblem(String name, Set<String> seen) {
        try {
            Alagg.checkPeerName(name);
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        if (name.equals(Alagg.DEFAULT_PEER)) {
            return "the name '" + Alagg.DEFAULT_PEER + "' is the peer of the links configured without a peer name";
        }
        return seen.add(name) ? null : "a peer named '" + name + "' is configured twice";
    }

    /** Whether a peer's networks clash with those of the peers accepted before it; null when not. */
    private static String clash(EngineSettings s, Map<String, EngineSettings> accepted) {
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
