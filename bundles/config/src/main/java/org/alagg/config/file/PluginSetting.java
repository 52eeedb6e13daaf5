package org.alagg.config.file;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import org.alagg.api.Alagg;

/**
 * A line {@code plugin.<name>.<key> = <value>} of the configuration file: the plugin's own setting, which becomes
 * property {@code <key>} of the configuration {@link Alagg#pluginPid org.alagg.plugin.<name>}, as a string (the
 * plugin's Metatype, or the plugin itself, gives it a type and checks it).
 *
 * @param pid the plugin's configuration PID
 * @param property the setting's name, the configuration property
 */
record PluginSetting(String pid, String property) {
    /** The start of every plugin setting's key. */
    static final String PREFIX = "plugin.";

    private static final String FORM = "'plugin.<plugin name>.<setting> = <value>'";
    private static final Pattern SETTING = Pattern.compile("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*");
    private static final int MAX_SETTING = 64;
    /**
     * Properties Config Admin, Declarative Services and Alagg give meaning to, not a plugin's to set: DS copies a
     * component's configuration onto its service properties and its references' targets, so {@code alagg.scheduler}
     * would rename a plugin, {@code service.ranking} reorder it, {@code log.target} leave a reference unsatisfied.
     */
    private static final List<String> RESERVED_PREFIXES = List.of("service.", "component.", "alagg.", "felix.",
            "osgi.", "org.osgi.");
    private static final List<String> RESERVED_SUFFIXES = List.of(".target", ".cardinality.minimum");
    private static final Set<String> RESERVED = Set.of("objectclass", Alagg.ORIGIN);

    /** Whether a key is a plugin setting's. */
    static boolean is(String key) {
        return key.startsWith(PREFIX);
    }

    /**
     * The setting a key names.
     *
     * @throws IllegalArgumentException saying what is wrong with the key and what the form is
     */
    static PluginSetting of(String key) {
        String rest = key.substring(PREFIX.length());
        int dot = rest.indexOf('.');
        if (dot < 1 || dot == rest.length() - 1) {
            throw new IllegalArgumentException("'" + key + "' names no plugin and setting; expected " + FORM);
        }
        String name = rest.substring(0, dot);
        String property = rest.substring(dot + 1);
        String pid = Alagg.pluginPid(name);
        if (property.length() > MAX_SETTING || !SETTING.matcher(property).matches()) {
            throw new IllegalArgumentException("setting '" + property + "' of plugin '" + name + "' must be up to "
                    + MAX_SETTING + " lower-case letters, digits and '_', in words joined by '.', each starting with a letter");
        }
        if (RESERVED.contains(property) || RESERVED_PREFIXES.stream().anyMatch(property::startsWith)
                || RESERVED_SUFFIXES.stream().anyMatch(property::endsWith)) {
            throw new IllegalArgumentException("setting '" + property + "' of plugin '" + name
                    + "' is a property the framework or Alagg sets; choose another name");
        }
        return new PluginSetting(pid, property);
    }
}
