package org.alagg.config.file;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What alagg check prints of a file, and the "did you mean" of a mistyped key. */
class EffectiveConfigurationTest {
    private static final Path FILE = Path.of("/etc/alagg/east.cfg");

    @Test
    void showsTheFileWithoutCommentsTheDefaultsAfterTheTopLevelAndNoInlineKey() {
        List<String> lines = List.of(
                "# east",
                "instance = east   # this side",
                "link.eth1 = 02:00:00:00:01:02",
                "reorder = strict",
                "ethertype = 0x88B6",
                "key = c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I=",
                "",
                "[peer b1]",
                "link.eth1 = 02:00:00:00:01:03",
                "key.file = b1.key",
                "allowed = 10.9.1.0/24");
        assertEquals(List.of(
                "# the effective configuration of /etc/alagg/east.cfg (defaults filled in)",
                "instance = east",
                "link.eth1 = 02:00:00:00:01:02",
                "reorder = strict",
                "ethertype = 0x88B6",
                "key = (private: not shown)",
                "interceptor = nfqueue   # default",
                "scheduler = redundant   # default",
                "transport = afpacket   # default",
                "reorder.window = 256   # default",
                "reorder.timeout.ms = auto   # default",
                "fec.ratio = off   # default",
                "fec.timeout.ms = 5   # default",
                "fec.target.loss = 0.1%   # default",
                "probe.interval.ms = 100   # default",
                "nfqueue.num = 0   # default",
                "capture.forward = off   # default",
                "tun.name = alagg0   # default",
                "tun.offload = on   # default",
                "",
                "[peer b1]",
                "link.eth1 = 02:00:00:00:01:03",
                "key.file = b1.key",
                "allowed = 10.9.1.0/24"), EffectiveConfiguration.of(FILE, lines));
    }

    @Test
    void anEmptyFileIsAllDefaults() {
        List<String> shown = EffectiveConfiguration.of(FILE, List.of());
        assertEquals("instance = alagg   # default", shown.get(1));
        assertEquals("ethertype = 0x88B5   # default", shown.get(4));
        assertEquals(17, shown.size());
    }

    @Test
    void theMetricsTokenIsNeverShownAndAKeyFilesPathIs() {
        List<String> shown = EffectiveConfiguration.of(FILE, List.of("metrics.token = short-but-secret-17",
                "key.file = peer.key"));
        assertEquals("metrics.token = " + EffectiveConfiguration.HIDDEN, shown.get(1));
        assertEquals("key.file = peer.key", shown.get(2));
    }

    @Test
    void aKeyWrittenWhereItDoesNotBelongIsHiddenToo() {
        assertEquals("colour = <hidden: looks like a key>", EffectiveConfiguration.of(FILE,
                List.of("colour = c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I=")).get(1));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "reordr = strict          | /etc/alagg/east.cfg:1: unknown key 'reordr' (did you mean 'reorder'?); known keys: ",
        "intercepter = tun        | /etc/alagg/east.cfg:1: unknown key 'intercepter' (did you mean 'interceptor'?); known keys: ",
        "lnk.eth1 = 02:00:00:00:01:02 | /etc/alagg/east.cfg:1: unknown key 'lnk.eth1' (did you mean 'link.eth1'?); known keys: ",
        "reorder.windwo = 64      | /etc/alagg/east.cfg:1: unknown key 'reorder.windwo' (did you mean 'reorder.window'?); known keys: ",
        "colour = blue            | /etc/alagg/east.cfg:1: unknown key 'colour'; known keys: ",
    })
    void aMistypedKeyGetsADidYouMean(String line, String expected) {
        ConfigFileException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigFileException.class,
                () -> ConfigFile.parse(FILE, List.of(line)));
        assertEquals(expected, e.problems().get(0).substring(0, expected.length()), e.problems().get(0));
    }

    @Test
    void aMistypedKeyInASectionGetsTheSectionsKeys() {
        ConfigFileException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigFileException.class,
                () -> ConfigFile.parse(FILE, List.of("[peer b1]", "link.eth1 = 02:00:00:00:01:03", "alowed = 10.9.1.0/24")));
        assertEquals("/etc/alagg/east.cfg:3: unknown key 'alowed' in a section (did you mean 'allowed'?); keys valid in a"
                + " section: link.<interface>, reorder, scheduler, reorder.window, reorder.timeout.ms, fec.ratio, fec.timeout.ms, fec.target.loss, key, key.file,"
                + " key.accept, key.accept.file, allowed", e.problems().get(0));
    }

    @ParameterizedTest
    @CsvSource({"reordr,reorder", "ky,key", "tun.nmae,tun.name"})
    void nearWordsAreSuggested(String written, String suggested) {
        assertEquals(Optional.of(suggested), Spelling.closest(written, List.of("reorder", "key", "tun.name", "scheduler")));
    }

    @ParameterizedTest
    @CsvSource({"xyz", "kex2", "scheduler", "interface"})
    void farWordsAndExactOnesAreNot(String written) {
        assertEquals(Optional.empty(), Spelling.closest(written, List.of("reorder", "key", "tun.name", "scheduler")));
    }
}
