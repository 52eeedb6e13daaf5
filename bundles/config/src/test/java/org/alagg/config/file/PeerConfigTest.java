package org.alagg.config.file;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.alagg.api.Alagg;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Peers in the configuration file (issue 13): {@code [peer NAME]} sections, each a peer configuration
 * {@code org.alagg.peer~NAME} with links {@code org.alagg.link~NAME.<interface>}, beside the single-peer form's
 * top-level links, which stay as they were. Every refusal is also checked for not repeating a key.
 */
class PeerConfigTest {
    private static final String K1 = KeyConfigTest.key(1);
    private static final String K2 = KeyConfigTest.key(2);
    private static final String K3 = KeyConfigTest.key(3);

    /** The example of the issue and README.md: a hub with two peers. */
    private static final List<String> HUB = List.of(
            "instance = hub",
            "interceptor = nfqueue",
            "key.file = mesh.key          # top level: the default for every peer",
            "reorder = windowed",
            "",
            "[peer branch1]",
            "link.eth1 = 02:00:00:00:01:02",
            "link.eth2 = 02:00:00:00:02:02",
            "allowed = 10.9.1.0/24, fd09:1::/64",
            "key.file = branch1.key       # optional: this peer's own key",
            "",
            "[peer branch2]",
            "link.eth1 = 02:00:00:00:01:03",
            "link.eth2 = 02:00:00:00:02:03",
            "allowed = 10.9.2.0/24",
            "reorder = strict");

    @TempDir
    Path dir;

    private Path config() {
        return dir.resolve("alagg.cfg");
    }

    private String origin() {
        return config().toString();
    }

    private ConfigFile parse(String... lines) throws ConfigFileException {
        return ConfigFile.parse(config(), List.of(lines));
    }

    private static String[] with(List<String> lines, String... more) {
        return Stream.concat(lines.stream(), Arrays.stream(more)).toArray(String[]::new);
    }

    /** The problems of a file that must be refused; none of them may carry a key of these tests. */
    private List<String> problems(String... lines) {
        return Refusals.problems(config(), lines);
    }

    private String problem(String... lines) {
        return Refusals.problem(config(), lines);
    }

    private static void assertStartsWith(String expected, String actual) {
        Refusals.assertStartsWith(expected, actual);
    }

    private Path keyFile(String name, String key) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, key + "\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    // ---- accepted ----

    @Test
    void theHubExampleBecomesOnePeerConfigurationPerSectionAndOneLinkConfigurationPerLink() throws Exception {
        keyFile("mesh.key", K1);
        keyFile("branch1.key", K2);
        ConfigFile config = parse(HUB.toArray(String[]::new));
        Map<String, Map<String, Object>> c = config.configurations();
        assertEquals(List.of("org.alagg.engine", "org.alagg.interceptor.nfqueue", "org.alagg.interceptor.tun",
                "org.alagg.metrics", "org.alagg.peer~branch1", "org.alagg.link~branch1.eth1", "org.alagg.link~branch1.eth2",
                "org.alagg.peer~branch2", "org.alagg.link~branch2.eth1", "org.alagg.link~branch2.eth2"),
                List.copyOf(c.keySet()));
        assertEquals(Map.of("name", "branch1", "allowed", "10.9.1.0/24,fd09:1:0:0:0:0:0:0/64", ".key", K2,
                "alagg.origin", origin()), c.get("org.alagg.peer~branch1"));
        assertEquals(Map.of("name", "branch2", "allowed", "10.9.2.0/24", "strategy", "strict", "alagg.origin", origin()),
                c.get("org.alagg.peer~branch2"));
        assertEquals(Map.of("interface", "eth1", "peer", "02:00:00:00:01:02", "peer.name", "branch1", "alagg.origin", origin()),
                c.get("org.alagg.link~branch1.eth1"));
        assertEquals(Map.of("interface", "eth2", "peer", "02:00:00:00:02:02", "peer.name", "branch1", "alagg.origin", origin()),
                c.get("org.alagg.link~branch1.eth2"));
        assertEquals(Map.of("interface", "eth1", "peer", "02:00:00:00:01:03", "peer.name", "branch2", "alagg.origin", origin()),
                c.get("org.alagg.link~branch2.eth1"));
        assertEquals(Map.of("interface", "eth2", "peer", "02:00:00:00:02:03", "peer.name", "branch2", "alagg.origin", origin()),
                c.get("org.alagg.link~branch2.eth2"));
        Map<String, Object> engine = c.get(Alagg.ENGINE_PID);
        assertEquals("hub", engine.get(Alagg.ENGINE_INSTANCE));
        assertEquals(K1, engine.get(Alagg.ENGINE_KEY));
        assertEquals("windowed", engine.get(Alagg.ENGINE_STRATEGY));
        assertFalse(engine.containsKey(Alagg.ENGINE_PEER_ALLOWED));
        assertEquals("hub", config.instance());
        assertEquals(List.of("branch1", "branch2"), config.peers());
    }

    @Test
    void thePidsAreTheApisNames() {
        assertEquals(Alagg.PEER_FACTORY_PID + "~branch1", ConfigFile.peerPid("branch1"));
        assertEquals(Alagg.LINK_FACTORY_PID + "~branch1.eth1", ConfigFile.linkPid("branch1", "eth1"));
        assertEquals(ConfigFile.linkPid("eth1"), ConfigFile.linkPid(Alagg.DEFAULT_PEER, "eth1"));
        assertEquals("org.alagg.link~eth1", ConfigFile.linkPid("eth1"));
    }

    /** A section's configuration holds what the section gives, nothing more: the engine fills in the rest. */
    @Test
    void inheritanceIsLeftToTheEngine() throws Exception {
        ConfigFile config = parse("reorder = strict", "scheduler = rr", "reorder.window = 64", "reorder.timeout.ms = 9",
                "key = " + K1, "key.accept = " + K2,
                "[peer a]", "link.eth1 = 02:00:00:00:01:02", "allowed = 10.9.1.0/24");
        Map<String, Object> peer = config.configurations().get("org.alagg.peer~a");
        assertEquals(Map.of("name", "a", "allowed", "10.9.1.0/24", "alagg.origin", origin()), peer);
        assertEquals(Set.of(".key", ".key.accept", "strategy", "scheduler", "reorder.window", "reorder.timeout.ms",
                "fec.ratio", "fec.timeout.ms", "fec.target.loss"), config.unsetProperties("org.alagg.peer~a"));
        Map<String, Object> engine = config.configurations().get(Alagg.ENGINE_PID);
        assertEquals("strict", engine.get(Alagg.ENGINE_STRATEGY));
        assertEquals(K2, engine.get(Alagg.ENGINE_KEY_ACCEPT));
    }

    /** A section's options land under the engine configuration's property names, with the same value types. */
    @Test
    void aSectionsOptionsAreTheEnginesPropertiesWithTheSameTypes() throws Exception {
        String[] options = {"reorder = strict", "scheduler = rr", "reorder.window = 0x400", "reorder.timeout.ms = 0",
                "key = " + K1, "key.accept = " + K2, "fec.ratio = 4:2", "fec.timeout.ms = 3", "fec.target.loss = 0.5%"};
        List<String> lines = new ArrayList<>(List.of(options));
        lines.add("[peer a]");
        lines.add("link.eth1 = 02:00:00:00:01:02");
        lines.addAll(List.of(options));
        ConfigFile config = parse(lines.toArray(String[]::new));
        Map<String, Object> engine = config.configurations().get(Alagg.ENGINE_PID);
        Map<String, Object> peer = config.configurations().get(ConfigFile.peerPid("a"));
        for (String property : List.of(Alagg.ENGINE_STRATEGY, Alagg.ENGINE_SCHEDULER, Alagg.ENGINE_REORDER_WINDOW,
                Alagg.ENGINE_REORDER_TIMEOUT_MS, Alagg.ENGINE_KEY, Alagg.ENGINE_KEY_ACCEPT, Alagg.ENGINE_FEC_RATIO,
                Alagg.ENGINE_FEC_TIMEOUT_MS, Alagg.ENGINE_FEC_TARGET_LOSS)) {
            assertEquals(engine.get(property), peer.get(property), property);
            assertEquals(engine.get(property).getClass(), peer.get(property).getClass(), property);
        }
        assertEquals(1024, peer.get(Alagg.ENGINE_REORDER_WINDOW));
        assertEquals(0L, peer.get(Alagg.ENGINE_REORDER_TIMEOUT_MS));
        assertEquals(Set.of("allowed"), config.unsetProperties(ConfigFile.peerPid("a")));
    }

    @Test
    void aSectionsKeyFilesAreReadFromTheFilesDirectoryAndWatched() throws Exception {
        keyFile("a.key", K1);
        keyFile("b.key", K2);
        ConfigFile config = parse("[peer a]", "link.eth1 = 02:00:00:00:01:02", "key.file = a.key",
                "key.accept.file = " + dir.resolve("b.key"));
        assertEquals(K1, config.configurations().get("org.alagg.peer~a").get(Alagg.ENGINE_KEY));
        assertEquals(K2, config.configurations().get("org.alagg.peer~a").get(Alagg.ENGINE_KEY_ACCEPT));
        assertEquals(List.of(dir.resolve("mesh.key"), dir.resolve("branch1.key")), ConfigFile.keyFiles(config(), HUB));
    }

    @Test
    void theSinglePeerFormIsUnchangedBesideSections() throws Exception {
        ConfigFile config = parse("link.eth1 = 02:00:00:00:01:02", "peer.allowed = 10.9.0.0/24",
                "[peer a]", "link.eth1 = 02:00:00:00:01:03", "allowed = 10.9.1.0/24");
        Map<String, Map<String, Object>> c = config.configurations();
        assertEquals(Map.of("interface", "eth1", "peer", "02:00:00:00:01:02", "alagg.origin", origin()),
                c.get("org.alagg.link~eth1"));
        assertEquals("10.9.0.0/24", c.get(Alagg.ENGINE_PID).get(Alagg.ENGINE_PEER_ALLOWED));
        assertEquals("02:00:00:00:01:03", c.get("org.alagg.link~a.eth1").get(Alagg.LINK_PEER));
        assertEquals(List.of("a"), config.peers());
        // the file says a top-level link leads to the default peer: a peer.name set by anyone else goes
        assertEquals(Set.of(Alagg.LINK_PEER_NAME), config.unsetProperties("org.alagg.link~eth1"));
        assertEquals(Set.of(), config.unsetProperties("org.alagg.link~a.eth1"));
    }

    private static Path shippedFile() {
        Path directory = Path.of("").toAbsolutePath();
        while (!Files.exists(directory.resolve("default_config.cfg"))) {
            directory = directory.getParent();
        }
        return directory.resolve("default_config.cfg");
    }

    @Test
    void theShippedDefaultFileIsTheSinglePeerForm() throws Exception {
        ConfigFile config = ConfigFile.read(shippedFile());
        assertEquals(List.of(), config.peers());
        assertEquals(List.of("org.alagg.engine", "org.alagg.interceptor.nfqueue", "org.alagg.interceptor.tun",
                "org.alagg.metrics", "org.alagg.link~eth1", "org.alagg.link~eth2"), List.copyOf(config.configurations().keySet()));
        assertFalse(config.configurations().get("org.alagg.link~eth1").containsKey(Alagg.LINK_PEER_NAME));
    }

    /** The commented-out section at the end of the shipped file, uncommented, is a second peer beside the default one. */
    @Test
    void theShippedFilesPeerExampleWorksOnceUncommented() throws Exception {
        List<String> lines = new ArrayList<>(Files.readAllLines(shippedFile()));
        int section = lines.indexOf(lines.stream().filter(l -> l.startsWith("# [peer ")).findFirst().orElseThrow());
        for (int i = section; i < lines.size(); i++) {
            lines.set(i, lines.get(i).replaceFirst("^# ", ""));
        }
        keyFile("branch2.key", K1);
        ConfigFile config = ConfigFile.parse(config(), lines);
        assertEquals(List.of("branch2"), config.peers());
        Map<String, Object> peer = config.configurations().get(ConfigFile.peerPid("branch2"));
        assertEquals(K1, peer.get(Alagg.ENGINE_KEY));
        assertEquals("10.9.2.0/24,fd09:2:0:0:0:0:0:0/64", peer.get(Alagg.PEER_ALLOWED));
        assertEquals(Set.of("org.alagg.link~eth1", "org.alagg.link~eth2", "org.alagg.link~branch2.eth1",
                "org.alagg.link~branch2.eth2"), config.configurations().keySet().stream()
                .filter(pid -> pid.startsWith(Alagg.LINK_FACTORY_PID)).collect(java.util.stream.Collectors.toSet()));
    }

    /** One interface carries many peers, a peer's MAC may be the same on two interfaces; a network inside another is allowed. */
    @Test
    void whatPeersMayShare() throws Exception {
        ConfigFile config = parse("link.eth1 = 02:00:00:00:00:01", "peer.allowed = 10.0.0.0/8",
                "[peer a]", "link.eth1 = 02:00:00:00:00:02", "link.eth2 = 02:00:00:00:00:01", "allowed = 10.9.1.0/24",
                "[peer b]", "link.eth1 = 02:00:00:00:00:03", "allowed = 10.9.1.0/25, fd09::/16",
                "[peer c]", "link.eth1 = 02:00:00:00:00:04", "allowed = ::/0");
        assertEquals(List.of("a", "b", "c"), config.peers());
    }

    @Test
    void onePeerWithoutAllowedNetworksTakesTheRestAndTheDefaultPeerCountsOnlyWithLinks() throws Exception {
        parse("link.eth1 = 02:00:00:00:00:01", "[peer a]", "link.eth1 = 02:00:00:00:00:02", "allowed = 10.9.1.0/24");
        parse("[peer a]", "link.eth1 = 02:00:00:00:00:02", "[peer b]", "link.eth1 = 02:00:00:00:00:03", "allowed = 10.9.1.0/24");
        parse("instance = hub", "[peer a]", "link.eth1 = 02:00:00:00:00:02");
    }

    @Test
    void aKeyOfTheSectionsOwnReplacesTheTopLevelsAndIsCheckedWithTheInheritedOne() throws Exception {
        // rotating one peer's key while the mesh key stays
        ConfigFile config = parse("key = " + K1, "[peer a]", "link.eth1 = 02:00:00:00:00:02", "key = " + K2,
                "key.accept = " + K3);
        assertEquals(K2, config.configurations().get("org.alagg.peer~a").get(Alagg.ENGINE_KEY));
        assertEquals(K3, config.configurations().get("org.alagg.peer~a").get(Alagg.ENGINE_KEY_ACCEPT));
        // a section's key.accept with the top level's key
        parse("key = " + K1, "[peer a]", "link.eth1 = 02:00:00:00:00:02", "key.accept = " + K2);
    }

    // ---- refused ----

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "[peer]          | section '[peer]' has no peer name; expected '[peer NAME]'",
        "[ peer ]        | section '[ peer ]' has no peer name; expected '[peer NAME]'",
        "[]              | unknown section '[]'; expected '[peer NAME]'",
        "[foo x]         | unknown section '[foo x]'; expected '[peer NAME]'",
        "[Peer x]        | unknown section '[Peer x]'; expected '[peer NAME]'",
        "[peer a b]      | section '[peer a b]' has more than one word after 'peer'; expected '[peer NAME]', NAME without blanks",
        "[peer a         | malformed section header '[peer a'; expected '[peer NAME]'",
        "[peer a] x      | malformed section header '[peer a] x'; expected '[peer NAME]'",
        "[peer a.b]      | peer name 'a.b' must be 1-32 letters, digits, '_' or '-', starting with a letter or digit",
        "[peer -a]       | peer name '-a' must be 1-32 letters, digits, '_' or '-', starting with a letter or digit",
        "[peer default]  | peer name 'default' is reserved: it is the peer of the top-level link lines (before the first section); choose another name",
    })
    void aMalformedHeaderIsRefusedWithTheExpectedForm(String header, String message) {
        // the lines of the section are still checked; the section makes nothing and takes part in no check between peers
        List<String> problems = problems("link.eth1 = 02:00:00:00:00:01", header, "link.eth1 = 02:00:00:00:00:01",
                "reorder = Bad!");
        assertEquals(List.of(config() + ":2: " + message,
                config() + ":4: reordering strategy name 'Bad!' must be 1-32 lower-case letters, digits, '_' or '-', starting with a letter"),
                problems);
    }

    @Test
    void aPeerNameGivenTwiceIsRefusedNamingTheFirstLine() {
        assertEquals(config() + ":5: peer 'a' is given twice (first on line 2); put all its lines in one section",
                problem("instance = hub", "[peer a]", "link.eth1 = 02:00:00:00:00:01", "allowed = 10.9.1.0/24",
                        "[peer a]", "link.eth2 = 02:00:00:00:00:01", "allowed = 10.9.1.0/24"));
    }

    @Test
    void aTopLevelKeyInASectionIsRefusedSayingSo() {
        String valid = "keys valid in a section: link.<interface>, reorder, scheduler, reorder.window, reorder.timeout.ms,"
                + " fec.ratio, fec.timeout.ms, fec.target.loss, key, key.file, key.accept, key.accept.file, allowed";
        assertEquals(List.of(
                config() + ":4: 'instance' is a top-level key: write it before the first section (a section runs from its"
                        + " [peer NAME] line, here line 2, to the next one); " + valid,
                config() + ":5: 'peer.allowed' is a top-level key: write it before the first section (a section runs from"
                        + " its [peer NAME] line, here line 2, to the next one); " + valid,
                config() + ":6: 'tun.name' is a top-level key: write it before the first section (a section runs from"
                        + " its [peer NAME] line, here line 2, to the next one); " + valid,
                config() + ":7: unknown key 'colour' in a section; " + valid),
                problems("link.eth1 = 02:00:00:00:00:01", "[peer a]", "link.eth1 = 02:00:00:00:00:02", "instance = hub",
                        "peer.allowed = 10.9.1.0/24", "tun.name = agg0", "colour = blue", "allowed = 10.9.1.0/24"));
    }

    @Test
    void allowedAtTheTopLevelIsRefusedPointingToPeerAllowed() {
        assertEquals(config() + ":1: 'allowed' is valid only in a [peer NAME] section; the networks of the top-level"
                + " links' peer are 'peer.allowed'", problem("allowed = 10.9.1.0/24"));
    }

    @Test
    void aSectionWithoutLinksIsRefused() {
        assertEquals(config() + ":2: peer 'a' has no link line: give it one 'link.<interface> = <its MAC on that"
                + " interface>' line or more", problem("instance = hub", "[peer a]", "allowed = 10.9.1.0/24",
                        "[peer b]", "link.eth1 = 02:00:00:00:00:01", "allowed = 10.9.2.0/24"));
        // a link line that is wrong is reported on its own line only
        assertStartsWith(config() + ":2: malformed MAC address", problem("[peer a]", "link.eth1 = 02:00"));
    }

    @Test
    void aDuplicateInASectionIsRefusedLikeAtTheTopLevel() {
        assertEquals(List.of(config() + ":4: duplicate link 'eth1' (first given on line 3)",
                        config() + ":5: duplicate key 'reorder' (first given on line 2)"),
                problems("[peer a]", "reorder = strict", "link.eth1 = 02:00:00:00:00:01", "link.eth1 = 02:00:00:00:00:02",
                        "reorder = none"));
    }

    @Test
    void theSameInterfaceAndMacForTwoPeersIsRefusedNamingBothLines() {
        assertEquals(config() + ":6: link 'eth1' to 02:00:00:00:00:02 is also a link of peer 'a' (line 3): the"
                + " interface a frame arrives on and its source MAC select one peer",
                problem("[peer a]", "allowed = 10.9.1.0/24", "link.eth1 = 02:00:00:00:00:02",
                        "[peer b]", "allowed = 10.9.2.0/24", "link.eth1 = 02:00:00:00:00:02"));
        assertEquals(config() + ":4: link 'eth1' to 02:00:00:00:00:01 is also a link of the top-level links' peer"
                + " 'default' (line 1): the interface a frame arrives on and its source MAC select one peer",
                problem("link.eth1 = 02:00:00:00:00:01", "peer.allowed = 10.9.0.0/24",
                        "[peer a]", "link.eth1 = 02:00:00:00:00:01", "allowed = 10.9.1.0/24"));
    }

    @Test
    void theSameNetworkForTwoPeersIsRefusedNamingBothLines() {
        assertEquals(config() + ":6: allowed: 10.9.1.0/24 is also among the allowed networks of peer 'a' (line 2): a"
                + " network leads to one peer (a network inside another one, such as 10.9.1.128/25 in 10.9.1.0/24, may:"
                + " the longest prefix wins)",
                problem("[peer a]", "allowed = 10.9.1.0/24", "link.eth1 = 02:00:00:00:00:02",
                        "[peer b]", "link.eth1 = 02:00:00:00:00:03", "allowed = 10.9.2.0/24, 10.9.1.0/24"));
        assertStartsWith(config() + ":4: allowed: fd09:1:0:0:0:0:0:0/64 is also among the allowed networks of the"
                + " top-level links' peer 'default' (line 2)",
                problem("link.eth1 = 02:00:00:00:00:01", "peer.allowed = 10.9.0.0/24, fd09:1::/64",
                        "[peer a]", "allowed = fd09:1:0::/64", "link.eth1 = 02:00:00:00:00:02"));
    }

    @Test
    void morePeersWithoutAllowedNetworksThanOneAreRefused() {
        assertEquals(config() + ":7: peers 'a' (line 2) and 'c' (line 7) have no allowed networks: each would take"
                + " every packet no other peer's networks hold, and only one peer can; give all but one of them 'allowed'",
                problem("instance = hub", "[peer a]", "link.eth1 = 02:00:00:00:00:02",
                        "[peer b]", "link.eth1 = 02:00:00:00:00:03", "allowed = 10.9.2.0/24",
                        "[peer c]", "link.eth1 = 02:00:00:00:00:04"));
        assertEquals(config() + ":3: peers 'default' (top-level links, line 1), 'a' (line 3) and 'b' (line 5) have no"
                + " allowed networks: each would take every packet no other peer's networks hold, and only one peer can;"
                + " give all but one of them 'allowed' ('peer.allowed' for the top-level links)",
                problem("link.eth1 = 02:00:00:00:00:01", "", "[peer a]", "link.eth1 = 02:00:00:00:00:02",
                        "[peer b]", "link.eth1 = 02:00:00:00:00:03"));
    }

    @Test
    void aTopLevelInterfaceNamedLikeAPeersLinkIsRefused() {
        assertEquals(config() + ":3: this link and the one on line 1 would both be configuration org.alagg.link~a.eth1"
                + " (a peer's links are org.alagg.link~a.<interface>); give the peer another name",
                problem("link.a.eth1 = 02:00:00:00:00:01", "[peer a]", "link.eth1 = 02:00:00:00:00:02",
                        "allowed = 10.9.1.0/24"));
    }

    @Test
    void aSectionsKeyAcceptNeedsAKeyOfItsOwnOrTheTopLevels() {
        assertEquals(config() + ":3: key.accept needs a key: it is the second key accepted while keys are changed,"
                + " besides the one this side sends with; set key or key.file too",
                problem("[peer a]", "link.eth1 = 02:00:00:00:00:02", "key.accept = " + K2));
    }

    @Test
    void aSectionsKeysAreCheckedLikeTheTopLevelsWithTheInheritedOnes() throws Exception {
        assertEquals(config() + ":4: key.accept is the same key as key (line 3); while keys are changed it holds the"
                + " other key (the new one, then the old one), else remove it",
                problem("[peer a]", "link.eth1 = 02:00:00:00:00:02", "key = " + K1, "key.accept = " + K1));
        assertEquals(config() + ":3: key.accept is the same key as key (line 1, at the top level); while keys are"
                + " changed it holds the other key (the new one, then the old one), else remove it",
                problem("key = " + K1, "[peer a]", "key.accept = " + K1, "link.eth1 = 02:00:00:00:00:02"));
        // a section with a key of its own does not take the top level's key to accept (the engine does not either)
        assertDoesNotThrow(() -> parse("key = " + K1, "key.accept = " + K2, "[peer a]", "link.eth1 = 02:00:00:00:00:02",
                "key = " + K2));
        keyFile("a.key", K1);
        String colliding = KeyConfigTest.collidingWithKey();
        assertEquals(config() + ":4: key.accept and key.file (line 3) have the same key id, so the peer could not tell"
                + " which of them made a frame; generate another new key with 'alagg genkey' (1 pair of keys in 256 collides)",
                problem("[peer a]", "link.eth1 = 02:00:00:00:00:02", "key.file = a.key", "key.accept = " + colliding));
        // key and key.file in one section
        assertEquals(config() + ":4: key.file and key (line 3) both give the key; keep one of them",
                problem("[peer a]", "link.eth1 = 02:00:00:00:00:02", "key = " + K2, "key.file = a.key"));
        // a bad key in the section is reported on its own line only
        assertStartsWith(config() + ":3: key is 3 bytes, not 32",
                problem("[peer a]", "link.eth1 = 02:00:00:00:00:02", "key = AAAA", "key.accept = " + K2));
        // the top level's bad key is its own line's problem, not the section's
        assertStartsWith(config() + ":1: key is 3 bytes, not 32",
                problem("key = AAAA", "[peer a]", "link.eth1 = 02:00:00:00:00:02", "key.accept = " + K2));
    }

    @Test
    void aSectionsKeyFileIsCheckedLikeTheTopLevels() throws Exception {
        Path open = keyFile("open.key", K1);
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals(config() + ":3: key file " + open + " is readable by others (mode 0644): chmod 600 it",
                problem("[peer a]", "link.eth1 = 02:00:00:00:00:02", "key.file = open.key"));
    }

    /** A section's values are checked by the same parsers as their top-level twins: the same message, on its line. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "reorder = Windowed!",
        "scheduler = Round Robin",
        "reorder.window = 0",
        "reorder.window = many",
        "reorder.timeout.ms = 60001",
        "key = AAAA",
        "key.accept = not base64 at all!",
        "key.file = none.key",
        "allowed = 10.9.1.7/24",
        "allowed = 10.9.1.0/24,",
        "reorder =",
    })
    void aSectionsValuesAreCheckedLikeTheTopLevels(String line) {
        String topLevel = problem(line.replace("allowed", "peer.allowed"));
        String expected = topLevel.replace(config() + ":1: ", config() + ":3: ").replace("peer.allowed", "allowed");
        assertEquals(expected, problem("[peer a]", "link.eth1 = 02:00:00:00:00:02", line));
    }

    @Test
    void aKeyOnAWrongLineInASectionIsNotRepeated() {
        String unpadded = K1.substring(0, 43);
        assertEquals(config() + ":3: expected 'key = value', found 'key: <hidden: looks like a key>'",
                problem("[peer a]", "link.eth1 = 02:00:00:00:00:02", "key: " + unpadded));
        assertStartsWith(config() + ":3: unknown key 'kye' in a section",
                problem("[peer a]", "link.eth1 = 02:00:00:00:00:02", "kye = " + K1));
        assertStartsWith(config() + ":1: peer name '<hidden: looks like a key>' must be",
                problem("[peer " + unpadded + "]", "link.eth1 = 02:00:00:00:00:02"));
        assertStartsWith(config() + ":3: allowed: '<hidden: looks like a key>'",
                problem("[peer a]", "link.eth1 = 02:00:00:00:00:02", "allowed = " + unpadded));
    }

    @Test
    void everyProblemIsReportedAtOnceInLineOrder() {
        List<String> problems = problems(
                "link.eth1 = 02:00:00:00:00:01",                     // 1: the default peer, without networks
                "[peer a]",                                         // 2: no networks either
                "link.eth1 = 02:00:00:00:00:01",                    // 3: the default peer's
                "key.accept = " + K2,                               // 4: no key
                "[peer a]",                                         // 5: twice
                "[peer b]",                                         // 6: no link line
                "allowed = 10.9.1.0/24",
                "instance = late");                                 // 8: top-level key
        assertEquals(6, problems.size(), problems::toString);
        assertStartsWith(config() + ":2: peers 'default' (top-level links, line 1) and 'a' (line 2) have no allowed", problems.get(0));
        assertStartsWith(config() + ":3: link 'eth1' to 02:00:00:00:00:01 is also a link of the top-level links' peer", problems.get(1));
        assertStartsWith(config() + ":4: key.accept needs a key", problems.get(2));
        assertStartsWith(config() + ":5: peer 'a' is given twice (first on line 2)", problems.get(3));
        assertStartsWith(config() + ":6: peer 'b' has no link line", problems.get(4));
        assertStartsWith(config() + ":8: 'instance' is a top-level key", problems.get(5));
    }
}
