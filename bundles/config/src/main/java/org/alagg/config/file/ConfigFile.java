package org.alagg.config.file;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
        Map<String, Map<String, Object>> configurations = new LinkedHashMap<>();
        for (ConfigKey key : ConfigKey.values()) {
            configurations.computeIfAbsent(key.pid(), pid -> new LinkedHashMap<>()).put(key.property(), key.defaultValue());
        }
        Map<String, Integer> seen = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            int lineNo = i + 1;
            String line = stripComment(lines.get(i)).strip();
            if (line.isEmpty()) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq < 0) {
                problems.add(source + ":" + lineNo + ": expected 'key = value', found '" + line + "'");
                continue;
            }
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            Integer first = seen.putIfAbsent(key, lineNo);
            if (first != null) {
                String what = key.startsWith(LINK_PREFIX) ? "duplicate link '" + key.substring(LINK_PREFIX.length()) + "'"
                        : "duplicate key '" + key + "'";
                problems.add(source + ":" + lineNo + ": " + what + " (first given on line " + first + ")");
                continue;
            }
            try {
                if (value.isEmpty()) {
                    throw new IllegalArgumentException("no value given for '" + key + "'");
                }
                if (key.startsWith(LINK_PREFIX)) {
                    addLink(configurations, source, key.substring(LINK_PREFIX.length()), value);
                } else {
                    ConfigKey known = ConfigKey.named(key);
                    if (known == null) {
                        throw new IllegalArgumentException("unknown key '" + key + "'; known keys: " + ConfigKey.knownKeys());
                    }
                    configurations.get(known.pid()).put(known.property(), known.parse(value));
                }
            } catch (IllegalArgumentException e) {
                problems.add(source + ":" + lineNo + ": " + e.getMessage());
            }
        }
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
