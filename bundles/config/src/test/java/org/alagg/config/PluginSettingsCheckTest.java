package org.alagg.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;

import org.alagg.config.file.ConfigFile;
import org.junit.jupiter.api.Test;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.ObjectClassDefinition;

/** Plugin settings checked against the plugin's Metatype, with the file's line. */
class PluginSettingsCheckTest {
    private static final Path FILE = Path.of("/etc/alagg/test.cfg");

    /** What plugin first-come declares: report.every, an integer from 1 to 1000. */
    private static final ObjectClassDefinition FIRST_COME = ocd(attribute("report.every", "Report interval", "1", "1000"));

    private final PluginSettingsCheck check = new PluginSettingsCheck(
            pid -> pid.equals("org.alagg.plugin.first-come") ? FIRST_COME : null);

    @Test
    void valuesThePluginDeclaresPass() throws Exception {
        assertEquals(List.of(), check.problems(parse("plugin.first-come.report.every = 100")));
    }

    @Test
    void anUnknownSettingAndARefusedValueAreProblemsWithTheirLines() throws Exception {
        assertEquals(List.of(
                "/etc/alagg/test.cfg:2: plugin.first-come.report.evry: plugin 'first-come' has no setting 'report.evry'; its settings: report.every",
                "/etc/alagg/test.cfg:3: plugin.first-come.report.every: '5000' is not a valid Report interval: above 1000"),
                check.problems(parse("reorder = first-come", "plugin.first-come.report.evry = 1",
                        "plugin.first-come.report.every = 5000")));
    }

    @Test
    void aPluginWithoutMetatypeGetsItsSettingsAsWritten() throws Exception {
        assertEquals(List.of(), check.problems(parse("plugin.other.anything = x")));
    }

    private static ConfigFile parse(String... lines) throws Exception {
        return ConfigFile.parse(FILE, List.of(lines));
    }

    private static AttributeDefinition attribute(String id, String name, String min, String max) {
        return new AttributeDefinition() {
            public String getName() { return name; }
            public String getID() { return id; }
            public String getDescription() { return ""; }
            public int getCardinality() { return 0; }
            public int getType() { return INTEGER; }
            public String[] getOptionValues() { return null; }
            public String[] getOptionLabels() { return null; }
            public String[] getDefaultValue() { return new String[] {min}; }

            public String validate(String value) {
                long v;
                try {
                    v = Long.parseLong(value.strip());
                } catch (NumberFormatException e) {
                    return "not a whole number";
                }
                return v < Long.parseLong(min) ? "below " + min : v > Long.parseLong(max) ? "above " + max : "";
            }
        };
    }

    private static ObjectClassDefinition ocd(AttributeDefinition... attributes) {
        return new ObjectClassDefinition() {
            public String getName() { return "first-come"; }
            public String getID() { return "org.alagg.plugin.first-come"; }
            public String getDescription() { return ""; }
            public AttributeDefinition[] getAttributeDefinitions(int filter) { return attributes; }
            public InputStream getIcon(int size) { return null; }
        };
    }

}
