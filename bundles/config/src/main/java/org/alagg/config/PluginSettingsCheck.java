package org.alagg.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.alagg.api.Alagg;
import org.alagg.config.file.ConfigFile;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.ObjectClassDefinition;

/**
 * Checks the file's plugin settings ({@code plugin.<name>.<key>}) against what each plugin declares in Metatype for
 * its configuration PID: an unknown setting, or a value its attribute definition refuses, is a problem with the file's
 * name and line, and the file is refused like any other bad edit. A plugin that is not installed, or declares no
 * Metatype, cannot be checked here: it gets its settings as written, and checks them itself.
 */
final class PluginSettingsCheck {
    private final Function<String, ObjectClassDefinition> metatype;

    /** @param metatype the object class definition declared for a PID, or null when none is */
    PluginSettingsCheck(Function<String, ObjectClassDefinition> metatype) {
        this.metatype = metatype;
    }

    /** Every problem of the file's plugin settings, each as {@code FILE:LINE: what is wrong}. */
    List<String> problems(ConfigFile file) {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Map<String, Object>> configuration : file.configurations().entrySet()) {
            String pid = configuration.getKey();
            ObjectClassDefinition ocd = pid.startsWith(Alagg.PLUGIN_PID_PREFIX) ? metatype.apply(pid) : null;
            if (ocd == null) {
                continue;
            }
            AttributeDefinition[] attributes = ocd.getAttributeDefinitions(ObjectClassDefinition.ALL);
            String plugin = pid.substring(Alagg.PLUGIN_PID_PREFIX.length());
            configuration.getValue().forEach((property, value) -> {
                if (property.equals(Alagg.ORIGIN)) {
                    return;
                }
                String where = file.where(pid, property) + ": plugin." + plugin + "." + property;
                AttributeDefinition attribute = attributes == null ? null : Arrays.stream(attributes)
                        .filter(a -> a.getID().equals(property)).findFirst().orElse(null);
                if (attribute == null) {
                    problems.add(where + ": plugin '" + plugin + "' has no setting '" + property + "'; its settings: "
                            + (attributes == null || attributes.length == 0 ? "none"
                            : Arrays.stream(attributes).map(AttributeDefinition::getID).sorted().collect(Collectors.joining(", "))));
                    return;
                }
                String refusal = attribute.validate(String.valueOf(value));
                if (refusal != null && !refusal.isEmpty()) {
                    problems.add(where + ": '" + value + "' is not a valid " + attribute.getName() + ": " + refusal);
                }
            });
        }
        return problems;
    }
}
