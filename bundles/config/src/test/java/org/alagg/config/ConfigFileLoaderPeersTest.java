package org.alagg.config;

import static org.alagg.config.FakeConfigAdmin.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Arrays;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.alagg.api.Alagg;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loader with the peers of issue 13: a section added, changed and removed while Alagg runs becomes, changes and
 * removes its peer configuration and its link configurations; a property a section no longer gives is removed; a
 * section's key file is watched. Config Admin, the bundle context and the logger are fakes, as in
 * {@link ConfigFileLoaderKeysTest}.
 */
class ConfigFileLoaderPeersTest {
    private static String key(int n) {
        return FakeConfigAdmin.key("peers test", n);
    }

    private static final String K1 = key(1);
    private static final String K2 = key(2);

    private static final String BRANCH1 = "org.alagg.peer~branch1";
    private static final String BRANCH1_ETH1 = "org.alagg.link~branch1.eth1";
    private static final String BRANCH1_ETH2 = "org.alagg.link~branch1.eth2";
    private static final String BRANCH2 = "org.alagg.peer~branch2";
    private static final String BRANCH2_ETH1 = "org.alagg.link~branch2.eth1";

    @TempDir
    Path dir;

    /** Config Admin's configurations by PID. */
    private final FakeConfigAdmin fake = new FakeConfigAdmin();
    private final Map<String, Hashtable<String, Object>> store = fake.store;
    private final List<String> logged = fake.logged;
    private ConfigFileLoader loader;

    @AfterEach
    void stop() throws Exception {
        if (loader != null) {
            loader.stop();
        }
        fake.assertNoKeyLogged(List.of(K1, K2)); // nothing the loader said, in the log or as its status, may carry a key
    }

    private Path config(String... lines) throws Exception {
        return FakeConfigAdmin.write(dir, lines);
    }

    private void start() {
        loader = fake.loader(dir.resolve("alagg.cfg"));
    }

    private String origin() {
        return dir.resolve("alagg.cfg").toString();
    }

    private Map<String, Object> properties(String pid) {
        Hashtable<String, Object> p = store.get(pid);
        return p == null ? null : Map.copyOf(p);
    }

    private Set<String> pids() {
        return new TreeSet<>(store.keySet());
    }

    /** Writes the file and waits until the loader has applied it, all of it (it writes PID by PID). */
    private void edit(String... lines) throws Exception {
        Instant before = loader.applied();
        config(lines);
        await("the edit applied", () -> !before.equals(loader.applied()));
    }

    private static final String[] TOP = {
        "instance = hub",
        "link.eth1 = 02:00:00:00:01:09",
        "peer.allowed = 10.9.0.0/24",
    };

    private static String[] file(String... sections) {
        String[] lines = Arrays.copyOf(TOP, TOP.length + sections.length);
        System.arraycopy(sections, 0, lines, TOP.length, sections.length);
        return lines;
    }

    @Test
    void aSectionAddedChangedAndRemovedIsAppliedLive() throws Exception {
        config(file());
        start();
        assertEquals(Set.of(Alagg.ENGINE_PID, "org.alagg.interceptor.nfqueue", "org.alagg.interceptor.tun",
                "org.alagg.metrics", "org.alagg.link~eth1"), pids());

        // added
        edit(file("[peer branch1]", "link.eth1 = 02:00:00:00:01:02", "link.eth2 = 02:00:00:00:02:02",
                "allowed = 10.9.1.0/24", "reorder = strict"));
        assertEquals(Map.of("name", "branch1", "allowed", "10.9.1.0/24", "strategy", "strict", "alagg.origin", origin()),
                properties(BRANCH1));
        assertEquals(Map.of("interface", "eth1", "peer", "02:00:00:00:01:02", "peer.name", "branch1", "alagg.origin", origin()),
                properties(BRANCH1_ETH1));
        assertEquals(Map.of("interface", "eth2", "peer", "02:00:00:00:02:02", "peer.name", "branch1", "alagg.origin", origin()),
                properties(BRANCH1_ETH2));

        // changed: reorder left out (its property goes), a window and a key given, a link's MAC changed, a link removed,
        // and a second section
        edit(file("[peer branch1]", "link.eth1 = 02:00:00:00:01:0a", "allowed = 10.9.1.0/24, fd09:1::/64",
                "reorder.window = 64", "key = " + K1,
                "[peer branch2]", "link.eth1 = 02:00:00:00:01:03", "allowed = 10.9.2.0/24"));
        assertEquals(Map.of("name", "branch1", "allowed", "10.9.1.0/24,fd09:1:0:0:0:0:0:0/64", "reorder.window", 64,
                ".key", K1, "alagg.origin", origin()), properties(BRANCH1));
        assertEquals("02:00:00:00:01:0a", properties(BRANCH1_ETH1).get(Alagg.LINK_PEER));
        assertNull(properties(BRANCH1_ETH2), "the link whose line left is deleted");
        assertEquals(Map.of("name", "branch2", "allowed", "10.9.2.0/24", "alagg.origin", origin()), properties(BRANCH2));
        assertEquals("branch2", properties(BRANCH2_ETH1).get(Alagg.LINK_PEER_NAME));

        // removed: the peer and its links go, the rest stays
        edit(file("[peer branch2]", "link.eth1 = 02:00:00:00:01:03", "allowed = 10.9.2.0/24"));
        assertEquals(Set.of(Alagg.ENGINE_PID, "org.alagg.interceptor.nfqueue", "org.alagg.interceptor.tun",
                "org.alagg.metrics", "org.alagg.link~eth1", BRANCH2, BRANCH2_ETH1), pids());
        assertEquals(Map.of("interface", "eth1", "peer", "02:00:00:00:01:09", "alagg.origin", origin()),
                properties("org.alagg.link~eth1"));
        assertEquals("10.9.0.0/24", properties(Alagg.ENGINE_PID).get(Alagg.ENGINE_PEER_ALLOWED));
        assertNull(loader.error().orElse(null));
    }

    @Test
    void aBadSectionChangesNothing() throws Exception {
        config(file("[peer branch1]", "link.eth1 = 02:00:00:00:01:02", "allowed = 10.9.1.0/24"));
        start();
        Set<String> before = pids();
        config(file("[peer branch1]", "link.eth1 = 02:00:00:00:01:02", "allowed = 10.9.1.0/24",
                "[peer branch2]", "link.eth1 = 02:00:00:00:01:02", "allowed = 10.9.2.0/24"));
        await("refused", () -> loader.error().isPresent());
        assertTrue(loader.error().get().contains(":8: link 'eth1' to 02:00:00:00:01:02 is also a link of peer 'branch1'"
                + " (line 5)"), loader.error().get());
        assertEquals(before, pids());
    }

    @Test
    void theFirstLoadRemovesPeerPropertiesTheSectionDoesNotGive() throws Exception {
        Hashtable<String, Object> stale = new Hashtable<>();
        stale.put(Alagg.PEER_NAME, "branch1");
        stale.put(Alagg.ENGINE_STRATEGY, "none");
        stale.put(Alagg.ENGINE_KEY, K2);
        stale.put(Alagg.PEER_ALLOWED, "10.0.0.0/8");
        store.put(BRANCH1, stale);
        Hashtable<String, Object> relinked = new Hashtable<>();
        relinked.put(Alagg.LINK_INTERFACE, "eth1");
        relinked.put(Alagg.LINK_PEER, "02:00:00:00:01:09");
        relinked.put(Alagg.LINK_PEER_NAME, "branch1");
        store.put("org.alagg.link~eth1", relinked);
        config(file("[peer branch1]", "link.eth1 = 02:00:00:00:01:02", "scheduler = rr"));
        start();
        assertEquals(Map.of("name", "branch1", "scheduler", "rr", "alagg.origin", origin()), properties(BRANCH1));
        assertEquals(Map.of("interface", "eth1", "peer", "02:00:00:00:01:09", "alagg.origin", origin()),
                properties("org.alagg.link~eth1"), "the top-level link leads to the default peer again");
    }

    @Test
    void aSectionsKeyFileIsWatched() throws Exception {
        Path keyFile = dir.resolve("branch1.key");
        Files.writeString(keyFile, K1 + "\n");
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
        config(file("[peer branch1]", "link.eth1 = 02:00:00:00:01:02", "key.file = branch1.key"));
        start();
        assertEquals(K1, properties(BRANCH1).get(Alagg.ENGINE_KEY));
        assertNull(properties(Alagg.ENGINE_PID).get(Alagg.ENGINE_KEY));
        Instant before = loader.applied();
        Files.writeString(keyFile, K2 + "\n");
        await("the section's new key", () -> !before.equals(loader.applied()));
        assertEquals(K2, properties(BRANCH1).get(Alagg.ENGINE_KEY));
        assertNull(loader.error().orElse(null));
    }

    // ---- fakes (as in ConfigFileLoaderKeysTest) ----
}
