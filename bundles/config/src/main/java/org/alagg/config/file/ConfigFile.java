package org.alagg.config.file;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import org.alagg.api.Alagg;
import org.alagg.api.InterfaceName;
import org.alagg.api.IpNetwork;
import org.alagg.api.MacAddress;
import org.alagg.config.listen.MetricsListen;

/**
 * The file a user edits ({@code default_config.cfg}), parsed and checked as a whole, and turned into the
 * Config Admin configurations it stands for.
 *
 * <p>Format: one {@code key = value} per line; {@code #} starts a comment at the start of a line or after
 * whitespace. Every problem is reported with file and line, all of them at once, so that one edit fixes
 * them all. The launcher checks the file with this class before anything starts; the config bundle
 * applies it, at start and on every change.
 *
 * <p>Peers (issue 13): the keys before the first section set up the instance, and their {@code link.<interface>}
 * lines and {@code peer.allowed} describe the {@linkplain Alagg#DEFAULT_PEER default peer} (the single-peer form,
 * unchanged). A {@code [peer NAME]} line starts a section that runs to the next one: the named peer's links,
 * {@code allowed} networks, keys and reordering options. A section becomes the factory configuration
 * {@code org.alagg.peer~NAME} ({@link #peerPid}) and its links {@code org.alagg.link~NAME.<interface>}
 * ({@link #linkPid(String, String)}). What a section leaves out it inherits from the top level, but the engine resolves
 * that, not the file: a section's configuration holds only what the section gives.
 *
 * <p>Keys are secrets: no message repeats one, whatever is wrong with it, nor anything on a line that looks like one.
 */
public final class ConfigFile {
    private final Path file;
    private final Map<String, Map<String, Object>> configurations;
    private final List<String> peers;
    private final Map<PluginSetting, Integer> pluginLines;

    private ConfigFile(Path file, Map<String, Map<String, Object>> configurations, List<String> peers,
                       Map<PluginSetting, Integer> pluginLines) {
        this.file = file;
        this.configurations = configurations;
        this.peers = peers;
        this.pluginLines = pluginLines;
    }

    /** Reads and checks a file. */
    public static ConfigFile read(Path file) throws IOException, ConfigFileException {
        return parse(file, Files.readAllLines(file, StandardCharsets.UTF_8));
    }

    /** Checks the lines of a file. */
    public static ConfigFile parse(Path file, List<String> lines) throws ConfigFileException {
        return new Parser(file).parse(lines);
    }

    private static final String LINK_PREFIX = "link.";
    private static final String SECTION_FORM = "expected '[peer NAME]'";
    private static final String LINK_OPTIONS = "'weight=N' (its share of the traffic a weighted scheduler spreads) and"
            + " 'tier=N' (0, the first choice, or more)";

    /** A problem of the file, on a line. */
    private record Problem(int line, String text) {
    }

    /** Which peer's line (a link, allowed networks) took an interface and MAC, or a network. */
    private record Claim(Peer peer, int line) {
    }

    /** A peer as the file gives it: the top level (the default peer) or a section. */
    private static final class Peer {
        /** The peer's name: {@link Alagg#DEFAULT_PEER} at the top level; null in a section whose header is wrong. */
        final String name;
        /** The line of the section's header; 0 at the top level. */
        final int line;
        /** The peer configuration's properties; at the top level the engine configuration's. */
        final Map<String, Object> properties;
        /** The first line of each key, for duplicates. */
        final Map<String, Integer> seen = new HashMap<>();
        /** Which key, on which line, gave a property that two keys can give (key and key.file). */
        final Map<ConfigKey, Integer> given = new LinkedHashMap<>();
        /** The keys whose line is wrong. */
        final Set<ConfigKey> failed = EnumSet.noneOf(ConfigKey.class);
        /** The line of the peer's first link line; 0: none. */
        int firstLink;

        Peer(String name, int line, Map<String, Object> properties) {
            this.name = name;
            this.line = line;
            this.properties = properties;
        }

        boolean topLevel() {
            return line == 0;
        }

        /** Whether one of the peer's own lines gives a property. */
        boolean gives(String property) {
            return given.keySet().stream().anyMatch(k -> k.property().equals(property));
        }

        /** The peer in a message. */
        String describe() {
            return topLevel() ? "the top-level links' peer '" + name + "'" : "peer '" + name + "'";
        }
    }

    /** One parse: the configurations so far, the peers, what their lines claimed, and the problems. */
    private static final class Parser {
        private final Path file;
        private final String source;
        private final Path directory;
        private final Map<String, Map<String, Object>> configurations = new LinkedHashMap<>();
        private final List<Problem> problems = new ArrayList<>();
        private final Peer top;
        /** Every section, in file order, those whose header is wrong included (their lines are checked too). */
        private final List<Peer> sections = new ArrayList<>();
        /** The line of each section's header, by peer name. */
        private final Map<String, Integer> headers = new HashMap<>();
        /** The links by interface and MAC ({@code eth1 02:00:00:00:01:02}): a frame's pair selects one peer. */
        private final Map<String, Claim> links = new HashMap<>();
        /** The allowed networks: a network leads to one peer. */
        private final Map<IpNetwork, Claim> networks = new HashMap<>();
        /** The line of each link configuration by PID: a top-level interface named {@code a.eth1} and peer a's eth1 meet. */
        private final Map<String, Integer> linkLines = new HashMap<>();
        /** The line of each plugin setting. */
        private final Map<PluginSetting, Integer> pluginLines = new HashMap<>();

        Parser(Path file) {
            this.file = file;
            this.source = file.toString();
            this.directory = file.toAbsolutePath().getParent();
            for (ConfigKey key : ConfigKey.values()) {
                if (!key.atTopLevel()) {
                    continue;
                }
                Map<String, Object> properties = configurations.computeIfAbsent(key.pid(), pid -> new LinkedHashMap<>());
                if (key.defaultValue() != null) {
                    properties.put(key.property(), key.defaultValue());
                }
            }
            top = new Peer(Alagg.DEFAULT_PEER, 0, configurations.get(Alagg.ENGINE_PID));
        }

        ConfigFile parse(List<String> lines) throws ConfigFileException {
            Peer peer = top;
            for (int i = 0; i < lines.size(); i++) {
                int lineNo = i + 1;
                String line = stripComment(lines.get(i)).strip();
                if (line.isEmpty()) {
                    continue;
                }
                if (line.startsWith("[")) {
                    peer = section(line, lineNo);
                    sections.add(peer);
                    continue;
                }
                int eq = line.indexOf('=');
                if (eq < 0) {
                    problem(lineNo, "expected 'key = value', found '" + hideKeys(line) + "'");
                    continue;
                }
                keyLine(peer, lineNo, line.substring(0, eq).strip(), line.substring(eq + 1).strip());
            }
            checkKeys(top);
            checkMetricsListen();
            for (Peer section : sections) {
                if (section.name != null && section.firstLink == 0) {
                    problem(section.line, "peer '" + section.name + "' has no link line: give it one"
                            + " 'link.<interface> = <its MAC on that interface>' line or more");
                }
                checkKeys(section);
            }
            checkPeersWithoutNetworks();
            if (!problems.isEmpty()) {
                problems.sort(Comparator.comparingInt(Problem::line)); // stable: a line's problems stay in order
                throw new ConfigFileException(problems.stream().map(p -> source + ":" + p.line() + ": " + p.text()).toList());
            }
            for (Map<String, Object> properties : configurations.values()) {
                properties.put(Alagg.ORIGIN, source);
            }
            configurations.replaceAll((pid, properties) -> Collections.unmodifiableMap(properties));
            List<String> peers = sections.stream().map(section -> section.name).toList();
            return new ConfigFile(file, Collections.unmodifiableMap(configurations), peers, Map.copyOf(pluginLines));
        }

        /** A metrics endpoint beyond the loopback needs a token: reported on the {@code metrics.listen} line. */
        private void checkMetricsListen() {
            Integer line = top.given.get(ConfigKey.METRICS_LISTEN);
            if (line == null || top.failed.contains(ConfigKey.METRICS_LISTEN) || top.failed.contains(ConfigKey.METRICS_TOKEN)) {
                return;
            }
            Map<String, Object> metrics = configurations.get(MetricsListen.PID);
            try {
                MetricsListen.check((String) metrics.get(MetricsListen.LISTEN), (String) metrics.get(MetricsListen.TOKEN));
            } catch (IllegalArgumentException e) {
                problem(line, e.getMessage());
            }
        }

        private void problem(int line, String text) {
            problems.add(new Problem(line, text));
        }

        /**
         * The section a header starts. One whose header is wrong still gets its lines checked, but makes no
         * configuration and takes part in no check between peers.
         */
        private Peer section(String header, int lineNo) {
            String name;
            try {
                name = peerName(header);
                Integer first = headers.putIfAbsent(name, lineNo);
                if (first != null) {
                    throw new IllegalArgumentException("peer '" + name + "' is given twice (first on line " + first
                            + "); put all its lines in one section");
                }
            } catch (IllegalArgumentException e) {
                problem(lineNo, hideKeys(e.getMessage()));
                return new Peer(null, lineNo, new LinkedHashMap<>());
            }
            Map<String, Object> properties = new LinkedHashMap<>();
            properties.put(Alagg.PEER_NAME, name);
            configurations.put(peerPid(name), properties);
            return new Peer(name, lineNo, properties);
        }

        /** The name in a section header, {@code [peer NAME]}. */
        private static String peerName(String header) {
            if (!header.endsWith("]")) {
                throw new IllegalArgumentException("malformed section header '" + header + "'; " + SECTION_FORM);
            }
            String[] words = header.substring(1, header.length() - 1).strip().split("\\s+");
            if (!words[0].equals("peer")) {
                throw new IllegalArgumentException("unknown section '" + header + "'; " + SECTION_FORM);
            }
            if (words.length == 1) {
                throw new IllegalArgumentException("section '" + header + "' has no peer name; " + SECTION_FORM);
            }
            if (words.length > 2) {
                throw new IllegalArgumentException("section '" + header + "' has more than one word after 'peer'; "
                        + SECTION_FORM + ", NAME without blanks");
            }
            String name = Alagg.checkPeerName(words[1]);
            if (name.equals(Alagg.DEFAULT_PEER)) {
                throw new IllegalArgumentException("peer name '" + Alagg.DEFAULT_PEER + "' is reserved: it is the peer of"
                        + " the top-level link lines (before the first section); choose another name");
            }
            return name;
        }

        private void keyLine(Peer peer, int lineNo, String key, String value) {
            Integer first = peer.seen.putIfAbsent(key, lineNo);
            if (first != null) {
                String what = key.startsWith(LINK_PREFIX) ? "duplicate link '" + hideKeys(key.substring(LINK_PREFIX.length())) + "'"
                        : "duplicate key '" + hideKeys(key) + "'";
                problem(lineNo, what + " (first given on line " + first + ")");
                return;
            }
            if (PluginSetting.is(key)) {
                addPluginSetting(peer, lineNo, key, value);
                return;
            }
            ConfigKey known = key.startsWith(LINK_PREFIX) ? null : ConfigKey.named(key);
            try {
                if (value.isEmpty()) {
                    throw new IllegalArgumentException("no value given for '" + hideKeys(key) + "'");
                }
                if (key.startsWith(LINK_PREFIX)) {
                    addLink(peer, lineNo, key.substring(LINK_PREFIX.length()), value);
                    return;
                }
                checkPlace(peer, key, known);
                for (Map.Entry<ConfigKey, Integer> other : peer.given.entrySet()) {
                    if (other.getKey().property().equals(known.property()) && other.getKey().pid().equals(known.pid())) {
                        throw new IllegalArgumentException(key + " and " + other.getKey().key() + " (line " + other.getValue()
                                + ") both give the " + (known.property().equals(Alagg.ENGINE_KEY) ? "key" : "accepted key")
                                + "; keep one of them");
                    }
                }
                peer.given.put(known, lineNo);
                Object parsed = known.parse(value, directory);
                (peer.topLevel() ? configurations.get(known.pid()) : peer.properties).put(known.property(), parsed);
                if (known == ConfigKey.PEER_ALLOWED || known == ConfigKey.ALLOWED) {
                    claimNetworks(peer, lineNo, known, (String) parsed);
                }
            } catch (IllegalArgumentException e) {
                if (known != null) {
                    peer.failed.add(known);
                }
                // a secret's own check never repeats it; anything else may echo a key written on the wrong line
                problem(lineNo, known != null && known.secret() ? e.getMessage() : hideKeys(e.getMessage()));
            }
        }

        /** A plugin's own setting: at the top level, into the plugin's configuration, as written. */
        private void addPluginSetting(Peer peer, int lineNo, String key, String value) {
            try {
                if (!peer.topLevel()) {
                    throw new IllegalArgumentException("'" + key + "' is a plugin setting: write it before the first"
                            + " section (a section runs from its [peer NAME] line, here line " + peer.line + ", to the next one)");
                }
                PluginSetting setting = PluginSetting.of(key);
                if (value.isEmpty()) {
                    throw new IllegalArgumentException("no value given for '" + key + "'");
                }
                configurations.computeIfAbsent(setting.pid(), pid -> new LinkedHashMap<>()).put(setting.property(), value);
                pluginLines.put(setting, lineNo);
            } catch (IllegalArgumentException e) {
                problem(lineNo, hideKeys(e.getMessage()));
            }
        }

        /** Refuses a key that is unknown, or known but not valid where it is written. */
        private static void checkPlace(Peer peer, String key, ConfigKey known) {
            if (peer.topLevel()) {
                if (known == null) {
                    throw new IllegalArgumentException("unknown key '" + key + "'" + didYouMean(key, true) + "; known keys: "
                            + ConfigKey.knownKeys());
                }
                if (!known.atTopLevel()) {
                    throw new IllegalArgumentException("'" + key + "' is valid only in a [peer NAME] section;"
                            + " the networks of the top-level links' peer are 'peer.allowed'");
                }
            } else {
                if (known == null) {
                    throw new IllegalArgumentException("unknown key '" + key + "' in a section" + didYouMean(key, false)
                            + "; keys valid in a section: "
                            + ConfigKey.sectionKeys());
                }
                if (!known.inSection()) {
                    throw new IllegalArgumentException("'" + key + "' is a top-level key: write it before the first section"
                            + " (a section runs from its [peer NAME] line, here line " + peer.line + ", to the next one);"
                            + " keys valid in a section: " + ConfigKey.sectionKeys());
                }
            }
        }

        /** {@code  (did you mean 'reorder'?)} for a key that looks like a typo of one valid there, else nothing. */
        private static String didYouMean(String key, boolean topLevel) {
            List<String> candidates = new ArrayList<>();
            for (ConfigKey k : ConfigKey.values()) {
                if (topLevel ? k.atTopLevel() : k.inSection()) {
                    candidates.add(k.key());
                }
            }
            int dot = key.indexOf('.');
            if (dot > 0) { // lnk.eth1, links.eth1: the prefix is what is mistyped
                candidates.add(LINK_PREFIX + key.substring(dot + 1));
                if (topLevel) {
                    candidates.add(PluginSetting.PREFIX + key.substring(dot + 1));
                }
            }
            return Spelling.closest(key, candidates).map(k -> " (did you mean '" + k + "'?)").orElse("");
        }

        private void addLink(Peer peer, int lineNo, String ifname, String value) {
            if (peer.firstLink == 0) {
                peer.firstLink = lineNo;
            }
            InterfaceName.check(ifname);
            String[] words = value.split("\\s+");
            MacAddress address = MacAddress.parseUnicast(words[0]);
            Map<String, Object> options = linkOptions(ifname, words);
            if (peer.name == null) {
                return; // a section whose header is wrong: its lines are checked, nothing more
            }
            Claim other = links.putIfAbsent(ifname + " " + address, new Claim(peer, lineNo));
            if (other != null) {
                throw new IllegalArgumentException("link '" + ifname + "' to " + address + " is also a link of "
                        + other.peer().describe() + " (line " + other.line() + "): the interface a frame arrives on"
                        + " and its source MAC select one peer");
            }
            String pid = linkPid(peer.name, ifname);
            Integer clash = linkLines.putIfAbsent(pid, lineNo);
            if (clash != null) {
                throw new IllegalArgumentException("this link and the one on line " + clash + " would both be configuration "
                        + pid + " (a peer's links are " + linkPid(peer.name, "<interface>") + "); give the peer another name");
            }
            Map<String, Object> link = new LinkedHashMap<>();
            link.put(Alagg.LINK_INTERFACE, ifname);
            link.put(Alagg.LINK_PEER, address.toString());
            link.putAll(options);
            if (!peer.topLevel()) {
                link.put(Alagg.LINK_PEER_NAME, peer.name);
            }
            configurations.put(pid, link);
        }

        /**
         * The options after a link's MAC ({@code weight=N tier=N}), as link configuration properties.
         */
        private static Map<String, Object> linkOptions(String ifname, String[] words) {
            Map<String, Object> options = new LinkedHashMap<>();
            for (int i = 1; i < words.length; i++) {
                String word = words[i];
                int eq = word.indexOf('=');
                String name = eq < 0 ? word : word.substring(0, eq);
                int max = switch (name) {
                    case Alagg.LINK_WEIGHT -> Alagg.MAX_LINK_WEIGHT;
                    case Alagg.LINK_TIER -> Alagg.MAX_LINK_TIER;
                    default -> throw new IllegalArgumentException("link '" + ifname + "': unknown option '" + hideKeys(word)
                            + "'; after the MAC a link takes " + LINK_OPTIONS);
                };
                int least = name.equals(Alagg.LINK_WEIGHT) ? 1 : 0;
                String v = eq < 0 ? "" : word.substring(eq + 1);
                long n;
                try {
                    n = Long.parseLong(v);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("link '" + ifname + "': " + name + " '" + hideKeys(v)
                            + "' is not a number; write " + name + "=N, N from " + least + " to " + max);
                }
                if (n < least || n > max) {
                    throw new IllegalArgumentException("link '" + ifname + "': " + name + " " + n + " is out of range "
                            + least + ".." + max);
                }
                if (options.put(name, (int) n) != null) {
                    throw new IllegalArgumentException("link '" + ifname + "': " + name + " is given twice");
                }
            }
            return options;
        }

        /**
         * Takes the networks of a peer's allowed networks for it: a captured packet goes to the peer whose network holds
         * its destination, so two peers cannot give the same one. One inside another may be: the longest prefix wins.
         */
        private void claimNetworks(Peer peer, int lineNo, ConfigKey key, String normalized) {
            if (peer.name == null) {
                return;
            }
            for (IpNetwork network : IpNetwork.parseList(normalized)) {
                Claim other = networks.putIfAbsent(network, new Claim(peer, lineNo));
                if (other != null && other.peer() != peer) {
                    problem(lineNo, key.key() + ": " + network + " is also among the allowed networks of "
                            + other.peer().describe() + " (line " + other.line() + "): a network leads to one peer"
                            + " (a network inside another one, such as 10.9.1.128/25 in 10.9.1.0/24, may: the longest prefix wins)");
                }
            }
        }

        /**
         * A peer without allowed networks takes every packet no other peer's networks hold: only one peer can. The
         * top-level links' peer counts only when it has links.
         */
        private void checkPeersWithoutNetworks() {
            List<Peer> open = new ArrayList<>();
            if (top.firstLink != 0 && !top.seen.containsKey(ConfigKey.PEER_ALLOWED.key())) {
                open.add(top);
            }
            for (Peer section : sections) {
                if (section.name != null && !section.seen.containsKey(ConfigKey.ALLOWED.key())) {
                    open.add(section);
                }
            }
            if (open.size() < 2) {
                return;
            }
            List<String> named = open.stream().map(p -> "'" + p.name + "' (" + (p.topLevel() ? "top-level links, " : "")
                    + "line " + line(p) + ")").toList();
            problem(line(open.get(1)), "peers " + String.join(", ", named.subList(0, named.size() - 1)) + " and "
                    + named.get(named.size() - 1) + " have no allowed networks: each would take every packet no other"
                    + " peer's networks hold, and only one peer can; give all but one of them 'allowed'"
                    + (open.get(0).topLevel() ? " ('peer.allowed' for the top-level links)" : ""));
        }

        /** Where a peer starts: its section's header, or the first top-level link line. */
        private static int line(Peer peer) {
            return peer.topLevel() ? peer.firstLink : peer.line;
        }

        /**
         * The rules between the two keys (docs/protocol.md, section 7): {@code key.accept} is a second key accepted during
         * a rotation, so it needs a key to send with, must be another key, and must have another key id. A section's peer
         * has its own key or else the top level's; its key to accept is its own, or the top level's only when it has no
         * key of its own either (as the engine resolves it: a key of its own starts without a rotation). It is checked
         * when it has one of its own (the top level's pair is checked once, for the top level).
         */
        private void checkKeys(Peer peer) {
            Peer keyFrom = peer.gives(Alagg.ENGINE_KEY) ? peer : top;
            Peer acceptFrom = peer.gives(Alagg.ENGINE_KEY_ACCEPT) ? peer : keyFrom == peer ? null : top;
            if (acceptFrom == null || keyFrom != peer && acceptFrom != peer) {
                return;
            }
            String key = (String) keyFrom.properties.get(Alagg.ENGINE_KEY);
            String accept = (String) acceptFrom.properties.get(Alagg.ENGINE_KEY_ACCEPT);
            if (accept == null || keyFrom.failed.contains(ConfigKey.KEY) || keyFrom.failed.contains(ConfigKey.KEY_FILE)) {
                return; // nothing to compare, or the key's own line says what is wrong
            }
            ConfigKey keyGiven = keyFrom.given.containsKey(ConfigKey.KEY_FILE) ? ConfigKey.KEY_FILE : ConfigKey.KEY;
            ConfigKey acceptGiven = acceptFrom.given.containsKey(ConfigKey.KEY_ACCEPT_FILE)
                    ? ConfigKey.KEY_ACCEPT_FILE : ConfigKey.KEY_ACCEPT;
            int acceptLine = acceptFrom.given.get(acceptGiven);
            if (key == null) {
                problem(acceptLine, acceptGiven.key() + " needs a key: it is the second key accepted while keys are changed,"
                        + " besides the one this side sends with; set key or key.file too");
                return;
            }
            int keyLine = keyFrom.given.get(keyGiven);
            int at = acceptFrom == peer ? acceptLine : keyLine; // on the peer's own line
            String acceptName = name(acceptGiven, acceptLine, at, acceptFrom != peer);
            String keyName = name(keyGiven, keyLine, at, keyFrom != peer);
            if (key.equals(accept)) {
                problem(at, acceptName + " is the same key as " + keyName + "; while keys are changed it holds the other"
                        + " key (the new one, then the old one), else remove it");
            } else if (ConfigKey.keyId(key) == ConfigKey.keyId(accept)) {
                problem(at, acceptName + " and " + keyName + " have the same key id, so the peer could not tell which of"
                        + " them made a frame; generate another new key with 'alagg genkey' (1 pair of keys in 256 collides)");
            }
        }

        /** A key in a message about the line {@code at}: its line, unless it is that one. */
        private static String name(ConfigKey key, int line, int at, boolean inherited) {
            return line == at ? key.key() : key.key() + " (line " + line + (inherited ? ", at the top level" : "") + ")";
        }
    }

    /** A run of Base64 as long as a key's, at least: text on a line that may be a key written where it should not be. */
    private static final Pattern KEY_LIKE = Pattern.compile("[A-Za-z0-9+/]{40,}=*");

    /** Text from the file with whatever looks like a key left out, for a message. */
    static String hideKeys(String text) {
        return KEY_LIKE.matcher(text).replaceAll("<hidden: looks like a key>");
    }

    /**
     * The key files a configuration file names ({@code key.file}, {@code key.accept.file}, at the top level and in its
     * sections), as the file resolves them, whether or not they or the file are valid: what to watch besides the file
     * for a change to apply.
     */
    public static List<Path> keyFiles(Path file, List<String> lines) {
        Path directory = file.toAbsolutePath().getParent();
        List<Path> files = new ArrayList<>();
        for (EffectiveConfiguration.Entry entry : EffectiveConfiguration.entries(lines)) {
            String key = entry.key();
            if ((key.equals(ConfigKey.KEY_FILE.key()) || key.equals(ConfigKey.KEY_ACCEPT_FILE.key())) && !entry.value().isEmpty()) {
                try {
                    files.add(directory.resolve(entry.value()).normalize());
                } catch (java.nio.file.InvalidPathException e) {
                    // parse says what is wrong with it
                }
            }
        }
        return List.copyOf(files);
    }

    /** The PID of a top-level link's factory configuration (the default peer's): {@code org.alagg.link~<interface>}. */
    public static String linkPid(String ifname) {
        return Alagg.LINK_FACTORY_PID + "~" + ifname;
    }

    /**
     * The PID of a link's factory configuration: {@code org.alagg.link~<peer>.<interface>} for a named peer's link,
     * {@link #linkPid(String)} for the {@linkplain Alagg#DEFAULT_PEER default peer}'s.
     */
    public static String linkPid(String peer, String ifname) {
        return peer.equals(Alagg.DEFAULT_PEER) ? linkPid(ifname) : Alagg.LINK_FACTORY_PID + "~" + peer + "." + ifname;
    }

    /** The PID of a named peer's factory configuration: {@code org.alagg.peer~<name>}. */
    public static String peerPid(String name) {
        return Alagg.PEER_FACTORY_PID + "~" + name;
    }

    /** Strips a comment: '#' at the start of the line or after whitespace (a MAC or name never holds one). */
    static String stripComment(String line) {
        for (int i = 0; i < line.length(); i++) {
            if (line.charAt(i) == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
                return line.substring(0, i);
            }
        }
        return line;
    }

    /** The file this configuration came from. */
    public Path file() {
        return file;
    }

    /**
     * The properties of a PID the file can give but leaves out ({@code .key}, {@code peer.allowed}, a section's
     * {@code strategy}, ...): absent, not set to a default, so a configuration applied in full must remove them. A
     * top-level link's {@code peer.name} is among them: the file says the link leads to the default peer.
     */
    public Set<String> unsetProperties(String pid) {
        Set<String> unset = new LinkedHashSet<>();
        Map<String, Object> properties = configurations.getOrDefault(pid, Map.of());
        boolean peer = pid.startsWith(Alagg.PEER_FACTORY_PID + "~");
        for (ConfigKey key : ConfigKey.values()) {
            boolean gives = peer ? key.inSection() : key.atTopLevel() && key.pid().equals(pid);
            if (gives && !properties.containsKey(key.property())) {
                unset.add(key.property());
            }
        }
        if (pid.startsWith(Alagg.LINK_FACTORY_PID + "~") && properties.containsKey(Alagg.LINK_INTERFACE)
                && !properties.containsKey(Alagg.LINK_PEER_NAME)) {
            unset.add(Alagg.LINK_PEER_NAME);
        }
        return unset;
    }

    /**
     * The line of the file that gives a plugin's setting, for a message: {@code FILE:LINE}; the file alone when no line
     * gives it.
     */
    public String where(String pid, String property) {
        Integer line = pluginLines.get(new PluginSetting(pid, property));
        return file + (line == null ? "" : ":" + line);
    }

    /** The instance name, which names the control socket and the logs. */
    public String instance() {
        return (String) configurations.get(Alagg.ENGINE_PID).get(Alagg.ENGINE_INSTANCE);
    }

    /**
     * The names of the peers the file's sections give, in file order; the default peer (the top-level links') is not
     * among them.
     */
    public List<String> peers() {
        return peers;
    }

    /**
     * The configurations by PID, in file order: singleton PIDs ({@code org.alagg.engine}, ...), one
     * {@code org.alagg.link~<interface>} per top-level link, and per section one {@code org.alagg.peer~<name>} followed
     * by one {@code org.alagg.link~<name>.<interface>} per link of it, and one {@code org.alagg.plugin.<name>}
     * ({@link Alagg#pluginPid}) per plugin with settings of its own ({@code plugin.<name>.<key>} lines). Each carries
     * {@link Alagg#ORIGIN}.
     */
    public Map<String, Map<String, Object>> configurations() {
        return configurations;
    }
}
