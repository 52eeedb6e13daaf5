package org.alagg.config;

import static org.alagg.config.FakeConfigAdmin.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

import org.alagg.api.Alagg;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loader with the keys of issue 11: a key edited in the file or in its key file is applied live, a key file
 * made private with chmod is taken up, a key left out of the file is removed from Config Admin, and no log line or
 * status message carries a key. Config Admin, the bundle context and the logger are fakes.
 */
class ConfigFileLoaderKeysTest {
    private static String key(int n) {
        return FakeConfigAdmin.key("test", n);
    }

    private static final String K1 = key(1);
    private static final String K2 = key(2);
    private static final String K3 = key(3);

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
        fake.assertNoKeyLogged(List.of(K1, K2, K3)); // nothing the loader said, in the log or as its status, may carry a key
    }

    private Path config(String... lines) throws Exception {
        return FakeConfigAdmin.write(dir, lines);
    }

    private Path keyFile(String name, String key, String mode) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, key + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        return file;
    }

    private Object engine(String property) {
        Hashtable<String, Object> engine = store.get(Alagg.ENGINE_PID);
        return engine == null ? null : engine.get(property);
    }

    private void start() {
        loader = fake.loader(dir.resolve("alagg.cfg"));
    }

    private String error() {
        String error = loader.error().orElse(null);
        if (error != null) {
            logged.add("status: " + error);
        }
        return error;
    }

    @Test
    void aKeyEditedInTheFileIsAppliedLiveAndKeyAcceptLeavesWhenItsLineDoes() throws Exception {
        config("instance = east", "key = " + K1, "peer.allowed = 10.9.1.0/24");
        start();
        assertEquals(K1, engine(Alagg.ENGINE_KEY));
        assertEquals("10.9.1.0/24", engine(Alagg.ENGINE_PEER_ALLOWED));
        assertNull(engine(Alagg.ENGINE_KEY_ACCEPT));

        // the rotation of docs/protocol.md, section 7, as one side sees it
        config("instance = east", "key = " + K1, "key.accept = " + K2, "peer.allowed = 10.9.1.0/24");
        await("step 1: key.accept applied", () -> K2.equals(engine(Alagg.ENGINE_KEY_ACCEPT)));
        assertEquals(K1, engine(Alagg.ENGINE_KEY));
        config("instance = east", "key = " + K2, "key.accept = " + K1, "peer.allowed = 10.9.1.0/24");
        await("step 2: keys swapped", () -> K2.equals(engine(Alagg.ENGINE_KEY)) && K1.equals(engine(Alagg.ENGINE_KEY_ACCEPT)));
        config("instance = east", "key = " + K2, "peer.allowed = 10.9.1.0/24");
        await("step 3: key.accept removed", () -> engine(Alagg.ENGINE_KEY_ACCEPT) == null);
        assertEquals(K2, engine(Alagg.ENGINE_KEY));

        config("instance = east");
        await("key and peer.allowed removed", () -> engine(Alagg.ENGINE_KEY) == null && engine(Alagg.ENGINE_PEER_ALLOWED) == null);
        assertNull(error());
    }

    @Test
    void anEditOfTheKeyFileAloneIsAppliedLive() throws Exception {
        Path keyFile = keyFile("peer.key", K1, "rw-------");
        config("key.file = peer.key", "key.accept.file = " + keyFile("new.key", K3, "rw-------"));
        start();
        assertEquals(K1, engine(Alagg.ENGINE_KEY));
        assertEquals(K3, engine(Alagg.ENGINE_KEY_ACCEPT));

        Files.writeString(keyFile, K2 + "\n"); // same size, same file: only its time changes
        await("the new key from the key file", () -> K2.equals(engine(Alagg.ENGINE_KEY)));

        // replaced by another file (as an editor saves, or 'alagg genkey > tmp && mv tmp peer.key')
        Path temp = keyFile("peer.key.tmp", K1, "rw-------");
        Files.move(temp, keyFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        await("the replaced key file", () -> K1.equals(engine(Alagg.ENGINE_KEY)));
        assertNull(error());
    }

    @Test
    void aBadKeyFileKeepsTheLastGoodKeyAndItsFixIsTakenUp() throws Exception {
        Path keyFile = keyFile("peer.key", K1, "rw-------");
        config("key.file = peer.key");
        start();
        assertEquals(K1, engine(Alagg.ENGINE_KEY));

        Files.writeString(keyFile, K2 + "\n");
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-r--r--"));
        await("the open key file refused", () -> error() != null);
        assertTrue(error().contains("key file " + keyFile + " is readable by others (mode 0644): chmod 600 it"), error());
        assertEquals(K1, engine(Alagg.ENGINE_KEY), "the last good key stays");

        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------")); // time unchanged
        await("chmod 600 taken up", () -> K2.equals(engine(Alagg.ENGINE_KEY)));
        await("no error left", () -> error() == null);

        Files.delete(keyFile);
        await("the missing key file refused", () -> error() != null);
        assertTrue(error().contains("key file " + keyFile + " does not exist"), error());
        assertEquals(K2, engine(Alagg.ENGINE_KEY));
        keyFile("peer.key", K3, "rw-------");
        await("the key file back", () -> K3.equals(engine(Alagg.ENGINE_KEY)));
    }

    @Test
    void aKeyFileRefusedAtStartIsTakenUpOnceMadePrivate() throws Exception {
        Path keyFile = keyFile("peer.key", K1, "rw-rw-r--");
        config("instance = east", "key.file = peer.key");
        start();
        assertTrue(error() != null && error().contains("is readable and writable by others (mode 0664): chmod 600 it"),
                String.valueOf(error()));
        assertNull(store.get(Alagg.ENGINE_PID), "nothing applied");
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
        await("applied once private", () -> K1.equals(engine(Alagg.ENGINE_KEY)));
    }

    @Test
    void theFirstLoadRemovesKeysTheFileDoesNotGive() throws Exception {
        Hashtable<String, Object> stale = new Hashtable<>();
        stale.put(Alagg.ENGINE_KEY, K3);
        stale.put(Alagg.ENGINE_KEY_ACCEPT, K2);
        stale.put(Alagg.ENGINE_PEER_ALLOWED, "10.0.0.0/8");
        store.put(Alagg.ENGINE_PID, stale);
        config("key = " + K1);
        start();
        assertEquals(K1, engine(Alagg.ENGINE_KEY));
        assertNull(engine(Alagg.ENGINE_KEY_ACCEPT));
        assertNull(engine(Alagg.ENGINE_PEER_ALLOWED));
    }

    @Test
    void aKeyPastedOnABadLineIsNotLogged() throws Exception {
        config("key = " + K1);
        start();
        config("key = " + K1, "key.accept " + K2, "reorder = " + K3.substring(0, 43));
        await("refused", () -> error() != null);
        assertEquals(K1, engine(Alagg.ENGINE_KEY));
        assertFalse(logged.isEmpty());
    }

    // ---- fakes ----
}
