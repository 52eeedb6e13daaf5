package org.alagg.config.file;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.alagg.api.Alagg;

/**
 * A configuration file as {@code alagg check} shows it: its lines without comments, and after the top-level ones the
 * keys it leaves out with the value they take, so that nothing in force is hidden. Inline keys are secrets and are
 * never shown. Works on any file, valid or not: it shows what is written, {@link ConfigFile} says what is wrong.
 */
public final class EffectiveConfiguration {
    /** Shown instead of an inline key. */
    static final String HIDDEN = "(private: not shown)";

    /**
     * A {@code key = value} line of the file.
     *
     * @param section the section's header ({@code [peer b1]}), or null at the top level
     */
    public record Entry(int line, String section, String key, String value) {
    }

    private EffectiveConfiguration() {
    }

    /** The {@code key = value} lines of a file, comments stripped, in file order; lines that are neither are left out. */
    public static List<Entry> entries(List<String> lines) {
        List<Entry> entries = new ArrayList<>();
        String section = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = ConfigFile.stripComment(lines.get(i)).strip();
            if (line.startsWith("[")) {
                section = line;
                continue;
            }
            int eq = line.indexOf('=');
            if (eq > 0) {
                entries.add(new Entry(i + 1, section, line.substring(0, eq).strip(), line.substring(eq + 1).strip()));
            }
        }
        return entries;
    }

    /** The effective configuration of a file, as lines of the file's own format. */
    public static List<String> of(Path file, List<String> lines) {
        List<String> shown = new ArrayList<>();
        shown.add("# the effective configuration of " + file + " (defaults filled in)");
        Set<String> written = new HashSet<>();
        String section = null;
        boolean defaultsShown = false;
        for (Entry e : entries(lines)) {
            if (e.section() != null && !defaultsShown) {
                defaults(written, shown);
                defaultsShown = true;
            }
            if (e.section() != null && !e.section().equals(section)) {
                section = e.section();
                shown.add("");
                shown.add(section);
            }
            if (e.section() == null) {
                written.add(e.key());
            }
            shown.add(e.key() + " = " + shown(e));
        }
        if (!defaultsShown) {
            defaults(written, shown);
        }
        return shown;
    }

    private static String shown(Entry e) {
        ConfigKey known = ConfigKey.named(e.key());
        // every private value written inline (a key, the metrics token); a key file's path is not one
        boolean secret = known != null && known.secret() && known != ConfigKey.KEY_FILE && known != ConfigKey.KEY_ACCEPT_FILE;
        return secret && !e.value().isEmpty() ? HIDDEN : ConfigFile.hideKeys(e.value());
    }

    /** The top-level keys the file leaves out that have a value all the same. */
    private static void defaults(Set<String> written, List<String> shown) {
        for (ConfigKey key : ConfigKey.values()) {
            Object value = key.defaultValue();
            if (!key.atTopLevel() || value == null || value.toString().isEmpty() || written.contains(key.key())) {
                continue;
            }
            shown.add(key.key() + " = " + text(key, value) + "   # default");
        }
    }

    /** A default as the file would write it. */
    private static String text(ConfigKey key, Object value) {
        if (value instanceof Boolean on) {
            return on ? "on" : "off";
        }
        if (key == ConfigKey.ETHERTYPE) {
            return String.format("0x%04X", (Integer) value);
        }
        if (key == ConfigKey.REORDER_TIMEOUT && value.equals(Alagg.REORDER_TIMEOUT_AUTO)) {
            return "auto";
        }
        return value.toString();
    }
}
