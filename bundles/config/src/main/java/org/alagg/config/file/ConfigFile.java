package org.alagg.config.file;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import org.alagg.api.Alagg;
import org.alagg.api.InterfaceName;
import org.alagg.api.MacAddress;

/**
 * The file a user edits ({@code default_config.cfg}), parsed and checked as a whole, and turned into the
 * Config Admin configurations it stands for.
 *
 * <p>Format: one {@code key = value} per line; {@code #} starts a comment at the start of a line or after
 * whitespace. Every problem is reported with file and line, all of them at once, so that one edit fixes
 * them all. The launcher checks the file with this class before anything starts; the config bundle
 * applies it, at start and on every change.
 *
 * <p>Keys are secrets: no message repeats one, whatever is wrong with it, nor anything on a line that looks like one.
 */
public final class ConfigFile {
    private final Path file;
    private final Map<String, Map<String, Object>> configurations;

    private ConfigFile(Path file, Map<String, Map<String, Object>> configurations) {
        this.file = file;
        this.configurations = configurations;
    }

    /** Reads and checks a file. */
    public static ConfigFile read(Path file) throws IOException, ConfigFileException {
        return parse(file, Files.readAllLines(file, StandardCharsets.UTF_8));
    }

    /** Checks the lines of a file. */
    public static ConfigFile parse(Path file, List<String> lines) throws ConfigFileException {
        String source = file.toString();
        Path directory = file.toAbsolutePath().getParent();
        Map<String, Map<String, Object>> configurations = new LinkedHashMap<>();
        for (ConfigKey key : ConfigKey.values()) {
            Map<String, Object> properties = configurations.computeIfAbsent(key.pid(), pid -> new LinkedHashMap<>());
            if (key.defaultValue() != null) {
                properties.put(key.property(), key.defaultValue());
            }
        }
        Map<String, Integer> seen = new LinkedHashMap<>();
        // which key, on which line, gave a property that two keys can give (key and key.file)
        Map<ConfigKey, Integer> given = new LinkedHashMap<>();
        Set<ConfigKey> failed = new HashSet<>();
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            int lineNo = i + 1;
            String line = stripComment(lines.get(i)).strip();
            if (line.isEmpty()) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq < 0) {
                problems.add(source + ":" + lineNo + ": expected 'key = value', found '" + hideKeys(line) + "'");
                continue;
            }
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            Integer first = seen.putIfAbsent(key, lineNo);
            if (first != null) {
                String what = key.startsWith(LINK_PREFIX) ? "duplicate link '" + hideKeys(key.substring(LINK_PREFIX.length())) + "'"
                        : "duplicate key '" + hideKeys(key) + "'";
                problems.add(source + ":" + lineNo + ": " + what + " (first given on line " + first + ")");
                continue;
            }
            ConfigKey known = key.startsWith(LINK_PREFIX) ? null : ConfigKey.named(key);
            try {
                if (value.isEmpty()) {
                    throw new IllegalArgumentException("no value given for '" + hideKeys(key) + "'");
                }
                if (key.startsWith(LINK_PREFIX)) {
                    addLink(configurations, source, key.substring(LINK_PREFIX.length()), value);
                } else {
                    if (known == null) {
                        throw new IllegalArgumentException("unknown key '" + hideKeys(key) + "'; known keys: " + ConfigKey.knownKeys());
                    }
                    for (Map.Entry<ConfigKey, Integer> other : given.entrySet()) {
                        if (other.getKey().property().equals(known.property()) && other.getKey().pid().equals(known.pid())) {
                            throw new IllegalArgumentException(key + " and " + other.getKey().key() + " (line " + other.getValue()
                                    + ") both give the " + (known.property().equals(Alagg.ENGINE_KEY) ? "key" : "accepted key")
                                    + "; keep one of them");
                        }
                    }
                    given.put(known, lineNo);
                    configurations.get(known.pid()).put(known.property(), known.parse(value, directory));
                }
            } catch (IllegalArgumentException e) {
                if (known != null) {
                    failed.add(known);
                }
                // a secret's own check never repeats it; anything else may echo a key written on the wrong line
                String message = known != null && known.secret() ? e.getMessage() : hideKeys(e.getMessage());
                problems.add(source + ":" + lineNo + ": " + message);
            }
        }
        checkKeys(configurations.get(Alagg.ENGINE_PID), given, failed, source, problems);
        if (!problems.isEmpty()) {
            throw new ConfigFileException(problems);
        }
        for (Map<String, Object> properties : configurations.values()) {
            properties.put(Alagg.ORIGIN, source);
        }
        configurations.replaceAll((pid, properties) -> Collections.unmodifiableMap(properties));
        return new ConfigFile(file, Collections.unmodifiableMap(configurations));
    }

    private static final String LINK_PREFIX = "link.";

    /**
     * The rules between the two keys (docs/protocol.md, section 7): {@code key.accept} is a second key accepted during
     * a rotation, so it needs a key to send with, must be another key, and must have another key id.
     */
    private static void checkKeys(Map<String, Object> engine, Map<ConfigKey, Integer> given, Set<ConfigKey> failed,
                                  String source, List<String> problems) {
        ConfigKey keyGiven = given.containsKey(ConfigKey.KEY_FILE) ? ConfigKey.KEY_FILE : ConfigKey.KEY;
        ConfigKey acceptGiven = given.containsKey(ConfigKey.KEY_ACCEPT_FILE) ? ConfigKey.KEY_ACCEPT_FILE : ConfigKey.KEY_ACCEPT;
        String key = (String) engine.get(Alagg.ENGINE_KEY);
        String accept = (String) engine.get(Alagg.ENGINE_KEY_ACCEPT);
        if (accept == null || failed.contains(ConfigKey.KEY) || failed.contains(ConfigKey.KEY_FILE)) {
            return; // nothing to compare, or the key's own line says what is wrong
        }
        String at = source + ":" + given.get(acceptGiven) + ": ";
        if (key == null) {
            problems.add(at + acceptGiven.key() + " needs a key: it is the second key accepted while keys are changed,"
                    + " besides the one this side sends with; set key or key.file too");
        } else if (key.equals(accept)) {
            problems.add(at + acceptGiven.key() + " is the same key as " + keyGiven.key() + " (line " + given.get(keyGiven)
                    + "); while keys are changed it holds the other key (the new one, then the old one), else remove it");
        } else if (ConfigKey.keyId(key) == ConfigKey.keyId(accept)) {
            problems.add(at + acceptGiven.key() + " and " + keyGiven.key() + " (line " + given.get(keyGiven)
                    + ") have the same key id, so the peer could not tell which of them made a frame;"
                    + " generate another new key with 'alagg genkey' (1 pair of keys in 256 collides)");
        }
    }

    /** A run of Base64 as long as a key's, at least: text on a line that may be a key written where it should not be. */
    private static final Pattern KEY_LIKE = Pattern.compile("[A-Za-z0-9+/]{40,}=*");

    /** Text from the file with whatever looks like a key left out, for a message. */
    private static String hideKeys(String text) {
        return KEY_LIKE.matcher(text).replaceAll("<hidden: looks like a key>");
    }

    /**
     * The key files a configuration file names ({@code key.file}, {@code key.accept.file}), as the file resolves them,
     * whether or not they or the file are valid: what to watch besides the file for a change to apply.
     */
    public static List<Path> keyFiles(Path file, List<String> lines) {
        Path directory = file.toAbsolutePath().getParent();
        List<Path> files = new ArrayList<>();
        for (String raw : lines) {
            String line = stripComment(raw).strip();
            int eq = line.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            if ((key.equals(ConfigKey.KEY_FILE.key()) || key.equals(ConfigKey.KEY_ACCEPT_FILE.key())) && !value.isEmpty()) {
                try {
                    files.add(directory.resolve(value).normalize());
                } catch (java.nio.file.InvalidPathException e) {
                    // parse says what is wrong with it
                }
            }
        }
        return List.copyOf(files);
    }

    private static void addLink(Map<String, Map<String, Object>> configurations, String source, String ifname, String mac) {
        InterfaceName.check(ifname);
        MacAddress peer = MacAddress.parseUnicast(mac);
        Map<String, Object> link = new LinkedHashMap<>();
        link.put(Alagg.LINK_INTERFACE, ifname);
        link.put(Alagg.LINK_PEER, peer.toString());
        configurations.put(linkPid(ifname), link);
    }

    /** The PID of a link's factory configuration: {@code org.alagg.link~<interface>}. */
    public static String linkPid(String ifname) {
        return Alagg.LINK_FACTORY_PID + "~" + ifname;
    }

    /** Strips a comment: '#' at the start of the line or after whitespace (a MAC or name never holds one). */
    private static String stripComment(String line) {
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
     * The properties of a PID the file can give but leaves out ({@code .key}, {@code peer.allowed}, ...): absent, not
     * set to a default, so a configuration applied in full must remove them.
     */
    public Set<String> unsetProperties(String pid) {
        Set<String> unset = new LinkedHashSet<>();
        Map<String, Object> properties = configurations.getOrDefault(pid, Map.of());
        for (ConfigKey key : ConfigKey.values()) {
            if (key.pid().equals(pid) && !properties.containsKey(key.property())) {
                unset.add(key.property());
            }
        }
        return unset;
    }

    /** The instance name, which names the control socket and the logs. */
    public String instance() {
        return (String) configurations.get(Alagg.ENGINE_PID).get(Alagg.ENGINE_INSTANCE);
    }

    /**
     * The configurations by PID, in file order: singleton PIDs ({@code org.alagg.engine}, ...) and one
     * {@code org.alagg.link~<interface>} per link. Each carries {@link Alagg#ORIGIN}.
     */
    public Map<String, Map<String, Object>> configurations() {
        return configurations;
    }
}
