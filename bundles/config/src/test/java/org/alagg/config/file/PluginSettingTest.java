package org.alagg.config.file;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.alagg.api.Alagg;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A plugin's own settings in the file: {@code plugin.<name>.<key> = <value>} into {@code org.alagg.plugin.<name>}. */
class PluginSettingTest {
    private static final Path FILE = Path.of("/etc/alagg/test.cfg");

    @Test
    void aPluginsSettingsBecomeItsConfigurationAsWritten() throws Exception {
        ConfigFile config = ConfigFile.parse(FILE, List.of(
                "reorder = first-come",
                "plugin.first-come.report.every = 100   # a comment",
                "plugin.first-come.mode = quiet",
                "plugin.rotate.weights = 3,1"));
        Map<String, Map<String, Object>> c = config.configurations();
        assertEquals(Map.of("report.every", "100", "mode", "quiet", Alagg.ORIGIN, FILE.toString()),
                c.get("org.alagg.plugin.first-come"));
        assertEquals(Map.of("weights", "3,1", Alagg.ORIGIN, FILE.toString()), c.get("org.alagg.plugin.rotate"));
        assertEquals(FILE + ":3", config.where("org.alagg.plugin.first-come", "mode"));
        assertEquals(FILE.toString(), config.where("org.alagg.plugin.first-come", "other"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "plugin.first-come = 1          | /etc/alagg/test.cfg:1: 'plugin.first-come' names no plugin and setting; expected 'plugin.<plugin name>.<setting> = <value>'",
        "plugin.first-come. = 1         | /etc/alagg/test.cfg:1: 'plugin.first-come.' names no plugin and setting; expected 'plugin.<plugin name>.<setting> = <value>'",
        "plugin.First.mode = 1          | /etc/alagg/test.cfg:1: plugin name 'First' must be 1-32 lower-case letters, digits, '_' or '-', starting with a letter",
        "plugin.x.Mode = 1              | /etc/alagg/test.cfg:1: setting 'Mode' of plugin 'x' must be up to 64 lower-case letters, digits and '_', in words joined by '.', each starting with a letter",
        "plugin.x.alagg.origin = 1      | /etc/alagg/test.cfg:1: setting 'alagg.origin' of plugin 'x' is a property the framework or Alagg sets; choose another name",
        "plugin.x.alagg.scheduler = y   | /etc/alagg/test.cfg:1: setting 'alagg.scheduler' of plugin 'x' is a property the framework or Alagg sets; choose another name",
        "plugin.x.service.ranking = 9   | /etc/alagg/test.cfg:1: setting 'service.ranking' of plugin 'x' is a property the framework or Alagg sets; choose another name",
        "plugin.x.objectclass = y       | /etc/alagg/test.cfg:1: setting 'objectclass' of plugin 'x' is a property the framework or Alagg sets; choose another name",
        "plugin.x.log.target = (a=b)    | /etc/alagg/test.cfg:1: setting 'log.target' of plugin 'x' is a property the framework or Alagg sets; choose another name",
        "plugin.x.log.cardinality.minimum = 2 | /etc/alagg/test.cfg:1: setting 'log.cardinality.minimum' of plugin 'x' is a property the framework or Alagg sets; choose another name",
        "plugin.x.mode =                | /etc/alagg/test.cfg:1: no value given for 'plugin.x.mode'",
    })
    void aMalformedSettingIsRefusedWithFileAndLine(String line, String expected) {
        assertEquals(expected, Refusals.problem(FILE, line));
    }

    @Test
    void settingsAreTopLevelAndGivenOnce() {
        assertEquals(List.of("/etc/alagg/test.cfg:2: duplicate key 'plugin.x.mode' (first given on line 1)",
                "/etc/alagg/test.cfg:5: 'plugin.x.other' is a plugin setting: write it before the first section (a section"
                        + " runs from its [peer NAME] line, here line 3, to the next one)"),
                Refusals.problems(FILE, "plugin.x.mode = a", "plugin.x.mode = b", "[peer p]", "link.eth1 = 02:00:00:00:01:02",
                        "plugin.x.other = c"));
    }
}
