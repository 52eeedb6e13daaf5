package org.alagg.config.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.alagg.api.Alagg;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigFileTest {
    private static final Path FILE = Path.of("/etc/alagg/test.cfg");

    private static ConfigFile parse(String... lines) throws ConfigFileException {
        return ConfigFile.parse(FILE, List.of(lines));
    }

    @Test
    void theShippedExampleTurnsIntoConfigurations() throws Exception {
        ConfigFile config = parse(
                "# Alagg",
                "instance = east              # name of this instance",
                "link.eth1 = 02:00:00:00:01:02",
                "link.veth-b2=02:00:00:00:02:02",
                "interceptor = tun",
                "nfqueue.num = 7",
                "tun.name = agg0",
                "reorder = strict",
                "ethertype = 0x88B6",
                "");
        assertEquals("east", config.instance());
        Map<String, Map<String, Object>> c = config.configurations();
        Map<String, Object> engine = new java.util.HashMap<>(c.get("org.alagg.engine"));
        assertEquals("off", engine.remove("fec.ratio"));
        assertEquals(5L, engine.remove("fec.timeout.ms"));
        assertEquals("0.1%", engine.remove("fec.target.loss"));
        assertEquals(Map.of("instance", "east", "interceptor", "tun", "strategy", "strict", "ethertype", 0x88B6,
                "scheduler", "redundant", "transport", "afpacket", "reorder.window", 256, "reorder.timeout.ms", Alagg.REORDER_TIMEOUT_AUTO,
                "probe.interval.ms", 100L, "alagg.origin", FILE.toString()), engine);
        assertEquals(Map.of("interface", "eth1", "peer", "02:00:00:00:01:02", "alagg.origin", FILE.toString()),
                c.get("org.alagg.link~eth1"));
        assertEquals("02:00:00:00:02:02", c.get("org.alagg.link~veth-b2").get("peer"));
        assertEquals(7, c.get("org.alagg.interceptor.nfqueue").get("queue"));
        assertEquals("agg0", c.get("org.alagg.interceptor.tun").get("name"));
    }

    @Test
    void aLinkLineTakesAWeightAndATierAfterItsMac() throws Exception {
        Map<String, Map<String, Object>> c = parse("link.eth1 = 02:00:00:00:01:02 weight=80 tier=0",
                "link.eth2 = 02:00:00:00:02:02   tier=1   # LTE: only when eth1 is down", "reorder.timeout.ms = auto",
                "scheduler = backup").configurations();
        assertEquals(Map.of("interface", "eth1", "peer", "02:00:00:00:01:02", "weight", 80, "tier", 0,
                "alagg.origin", FILE.toString()), c.get("org.alagg.link~eth1"));
        assertEquals(1, c.get("org.alagg.link~eth2").get("tier"));
        assertEquals(null, c.get("org.alagg.link~eth2").get("weight"));
        assertEquals(Alagg.REORDER_TIMEOUT_AUTO, c.get("org.alagg.engine").get("reorder.timeout.ms"));
        assertEquals(9L, parse("reorder.timeout.ms = 9").configurations().get("org.alagg.engine").get("reorder.timeout.ms"));
    }

    @Test
    void keysLeftOutTakeTheirDefaults() throws Exception {
        Map<String, Map<String, Object>> c = parse().configurations();
        assertEquals("alagg", c.get("org.alagg.engine").get("instance"));
        assertEquals("nfqueue", c.get("org.alagg.engine").get("interceptor"));
        assertEquals("windowed", c.get("org.alagg.engine").get("strategy"));
        assertEquals(0x88B5, c.get("org.alagg.engine").get("ethertype"));
        assertEquals(0, c.get("org.alagg.interceptor.nfqueue").get("queue"));
        assertEquals("alagg0", c.get("org.alagg.interceptor.tun").get("name"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "colour = blue                        | /etc/alagg/test.cfg:1: unknown key 'colour'",
        "link.eth1 = 02:00:00:00:01           | /etc/alagg/test.cfg:1: malformed MAC address '02:00:00:00:01'",
        "link.eth1 = 01:00:5e:00:00:01        | /etc/alagg/test.cfg:1: MAC address 01:00:5e:00:00:01 is a multicast address",
        "link.averyverylongname = 02:00:00:00:00:01 | /etc/alagg/test.cfg:1: interface name 'averyverylongname' is too long: 17 characters, Linux allows at most 15",
        "link. = 02:00:00:00:00:01            | /etc/alagg/test.cfg:1: interface name is empty",
        "just some words                      | /etc/alagg/test.cfg:1: expected 'key = value', found 'just some words'",
        "nfqueue.num = 70000                  | /etc/alagg/test.cfg:1: queue number 70000 is out of range 0..65535",
        "nfqueue.num = seven                  | /etc/alagg/test.cfg:1: queue number 'seven' is not a number",
        "ethertype = 0x0800                   | /etc/alagg/test.cfg:1: EtherType 0x0800 belongs to IPv4",
        "ethertype = 0x05DC                   | /etc/alagg/test.cfg:1: EtherType 0x5dc is out of range 0x0600..0xffff",
        "ethertype = 0x1FFFFFFFF              | /etc/alagg/test.cfg:1: EtherType 0x1FFFFFFFF is out of range",
        "ethertype = -1                       | /etc/alagg/test.cfg:1: EtherType -1 is out of range",
        "ethertype = 0x88b5x                  | /etc/alagg/test.cfg:1: EtherType '0x88b5x' is not a number",
        "reorder = Windowed!                  | /etc/alagg/test.cfg:1: reordering strategy name 'Windowed!' must be",
        "instance = a/b                       | /etc/alagg/test.cfg:1: instance name 'a/b' must be",
        "instance =                           | /etc/alagg/test.cfg:1: no value given for 'instance'",
        "tun.name = tun:0                     | /etc/alagg/test.cfg:1: interface name 'tun:0' contains ':'",
        "tun.address = 10.9.0.1               | /etc/alagg/test.cfg:1: tun.address: '10.9.0.1' is not an address with a prefix length",
        "reorder.window = 0                   | /etc/alagg/test.cfg:1: reorder window 0 is out of range 1..65536",
        "reorder.window = 65537               | /etc/alagg/test.cfg:1: reorder window 65537 is out of range 1..65536",
        "reorder.window = 99999999999         | /etc/alagg/test.cfg:1: reorder window 99999999999 is out of range 1..65536",
        "reorder.window = many                | /etc/alagg/test.cfg:1: reorder window 'many' is not a number",
        "reorder.timeout.ms = -1              | /etc/alagg/test.cfg:1: reorder timeout (ms) -1 is out of range 0..60000",
        "reorder.timeout.ms = 60001           | /etc/alagg/test.cfg:1: reorder timeout (ms) 60001 is out of range 0..60000",
        "reorder.timeout.ms = soon            | /etc/alagg/test.cfg:1: reorder timeout (ms) 'soon' is not a number; or 'auto'",
        "link.eth1 = 02:00:00:00:01:02 weight=0 | /etc/alagg/test.cfg:1: link 'eth1': weight 0 is out of range 1..1000000",
        "link.eth1 = 02:00:00:00:01:02 weight=x | /etc/alagg/test.cfg:1: link 'eth1': weight 'x' is not a number; write weight=N, N from 1 to 1000000",
        "link.eth1 = 02:00:00:00:01:02 weight   | /etc/alagg/test.cfg:1: link 'eth1': weight '' is not a number",
        "link.eth1 = 02:00:00:00:01:02 tier=16  | /etc/alagg/test.cfg:1: link 'eth1': tier 16 is out of range 0..15",
        "link.eth1 = 02:00:00:00:01:02 tier=1 tier=2 | /etc/alagg/test.cfg:1: link 'eth1': tier is given twice",
        "link.eth1 = 02:00:00:00:01:02 speed=9  | /etc/alagg/test.cfg:1: link 'eth1': unknown option 'speed=9'; after the MAC a link takes 'weight=N'",
        "probe.interval.ms = 9                | /etc/alagg/test.cfg:1: probe interval (ms) 9 is out of range 10..10000",
        "probe.interval.ms = 10001            | /etc/alagg/test.cfg:1: probe interval (ms) 10001 is out of range 10..10000",
        "probe.interval.ms = often            | /etc/alagg/test.cfg:1: probe interval (ms) 'often' is not a number",
        "scheduler = Round Robin              | /etc/alagg/test.cfg:1: link scheduler name 'Round Robin' must be",
        "transport = 9p                       | /etc/alagg/test.cfg:1: link transport name '9p' must be",
    })
    void eachMistakeNamesFileLineAndProblem(String line, String expected) {
        ConfigFileException e = assertThrows(ConfigFileException.class, () -> parse(line));
        assertEquals(1, e.problems().size(), e.getMessage());
        String problem = e.problems().get(0);
        if (!problem.startsWith(expected)) {
            throw new AssertionError("expected a message starting with\n  " + expected + "\nbut got\n  " + problem);
        }
    }

    /** The file says what every other source of configuration is told: the messages are the shared checks' own. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "ethertype = 0x0806      | ethertype",
        "ethertype = 0x0100      | ethertype",
        "reorder.window = 70000  | window",
        "reorder.timeout.ms = 61000 | timeout",
        "probe.interval.ms = 5      | probe interval",
        "reorder = Bad!          | strategy",
    })
    void valuesAreCheckedByTheSharedChecksOfTheApi(String line, String rule) {
        String value = line.substring(line.indexOf('=') + 1).strip();
        IllegalArgumentException shared = assertThrows(IllegalArgumentException.class, () -> {
            switch (rule) {
                case "ethertype" -> Alagg.checkEtherType(Integer.decode(value));
                case "window" -> Alagg.checkReorderWindow(Long.parseLong(value));
                case "timeout" -> Alagg.checkReorderTimeoutMs(Long.parseLong(value));
                case "probe interval" -> Alagg.checkProbeIntervalMs(Long.parseLong(value));
                default -> Alagg.checkPluginName("reordering strategy", value);
            }
        });
        ConfigFileException e = assertThrows(ConfigFileException.class, () -> parse("# first line", line));
        assertEquals(List.of(FILE + ":2: " + shared.getMessage()), e.problems());
    }

    @Test
    void theEngineKeysAreTheApisPropertyNames() throws Exception {
        Map<String, Object> engine = parse("scheduler = rr", "transport = afpacket", "reorder.window = 1024",
                "reorder.timeout.ms = 0", "ethertype = 0x88b6", "probe.interval.ms = 20").configurations().get(Alagg.ENGINE_PID);
        assertEquals("rr", engine.get(Alagg.ENGINE_SCHEDULER));
        assertEquals("afpacket", engine.get(Alagg.ENGINE_TRANSPORT));
        assertEquals(1024, engine.get(Alagg.ENGINE_REORDER_WINDOW));
        assertEquals(0L, engine.get(Alagg.ENGINE_REORDER_TIMEOUT_MS));
        assertEquals(0x88B6, engine.get(Alagg.ENGINE_ETHERTYPE));
        assertEquals(20L, engine.get(Alagg.ENGINE_PROBE_INTERVAL_MS));
    }

    @Test
    void duplicatesNameBothLinesAndEveryProblemIsReportedAtOnce() {
        ConfigFileException e = assertThrows(ConfigFileException.class, () -> parse(
                "link.eth1 = 02:00:00:00:01:02",
                "reorder = strict",
                "link.eth1 = 02:00:00:00:01:03",
                "reorder = none",
                "bogus = 1"));
        assertEquals(List.of(
                "/etc/alagg/test.cfg:3: duplicate link 'eth1' (first given on line 1)",
                "/etc/alagg/test.cfg:4: duplicate key 'reorder' (first given on line 2)",
                "/etc/alagg/test.cfg:5: unknown key 'bogus'; known keys: instance, interceptor, reorder, ethertype,"
                        + " scheduler, transport, reorder.window, reorder.timeout.ms, fec.ratio, fec.timeout.ms, fec.target.loss, probe.interval.ms, nfqueue.num,"
                        + " capture.destinations, capture.forward, tun.name, tun.address, tun.route, tun.offload,"
                        + " key, key.file, key.accept, key.accept.file, peer.allowed, metrics.listen, metrics.token, link.<interface>, plugin.<plugin>.<setting>"), e.problems());
    }

    @Test
    void aHashInsideAValueIsNotAComment() throws Exception {
        assertEquals("b", parse("instance = b # comment").instance());
        ConfigFileException e = assertThrows(ConfigFileException.class, () -> parse("instance = a#b"));
        assertEquals(true, e.getMessage().contains("instance name 'a#b'"), e.getMessage());
    }
}
