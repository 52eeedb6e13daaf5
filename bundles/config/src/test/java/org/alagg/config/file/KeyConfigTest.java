package org.alagg.config.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.alagg.api.Alagg;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The keys of issue 11 in the configuration file: {@code key}, {@code key.file}, {@code key.accept},
 * {@code key.accept.file} (engine properties {@code .key}, {@code .key.accept}) and {@code peer.allowed}.
 * Every refusal is also checked for not repeating the key.
 */
class KeyConfigTest {
    /** Keys of this test: 32 bytes each, made from a number so that a failure can be reproduced. */
    static String key(int n) {
        try {
            byte[] bytes = MessageDigest.getInstance("SHA-256").digest(("alagg test key " + n).getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(bytes);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static final String KEY = key(1);
    private static final String OTHER = key(2);

    @TempDir
    Path dir;

    private Path config() {
        return dir.resolve("alagg.cfg");
    }

    private ConfigFile parse(String... lines) throws ConfigFileException {
        return ConfigFile.parse(config(), List.of(lines));
    }

    private Map<String, Object> engine(String... lines) throws ConfigFileException {
        return parse(lines).configurations().get(Alagg.ENGINE_PID);
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

    private Path keyFile(String name, String content, String mode) throws Exception {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        return file;
    }

    // ---- accepted ----

    @Test
    void withoutKeysThePropertiesAreAbsent() throws Exception {
        ConfigFile config = parse("instance = east");
        Map<String, Object> engine = config.configurations().get(Alagg.ENGINE_PID);
        assertFalse(engine.containsKey(Alagg.ENGINE_KEY));
        assertFalse(engine.containsKey(Alagg.ENGINE_KEY_ACCEPT));
        assertFalse(engine.containsKey(Alagg.ENGINE_PEER_ALLOWED));
        assertEquals(Set.of(Alagg.ENGINE_KEY, Alagg.ENGINE_KEY_ACCEPT, Alagg.ENGINE_PEER_ALLOWED),
                config.unsetProperties(Alagg.ENGINE_PID));
        assertEquals(Set.of(), config.unsetProperties("org.alagg.interceptor.nfqueue"));
    }

    @Test
    void anInlineKeyBecomesThePrivateEngineProperty() throws Exception {
        Map<String, Object> engine = engine("key = " + KEY);
        assertEquals(KEY, engine.get(Alagg.ENGINE_KEY));
        assertEquals(".key", Alagg.ENGINE_KEY);
        assertTrue(Alagg.ENGINE_KEY.startsWith("."), "private: Config Admin never makes it a service property");
    }

    @Test
    void aKeyIsNormalizedToPaddedBase64() throws Exception {
        String unpadded = KEY.substring(0, 43);
        assertEquals(KEY, engine("key = " + unpadded).get(Alagg.ENGINE_KEY));
        assertEquals(KEY, engine("key =   " + KEY + "   # the shared key").get(Alagg.ENGINE_KEY));
    }

    @Test
    void aKeyFileRelativeToTheConfigurationFilesDirectory() throws Exception {
        keyFile("keys/peer.key", KEY + "\n", "rw-------");
        assertEquals(KEY, engine("key.file = keys/peer.key").get(Alagg.ENGINE_KEY));
        assertEquals(KEY, engine("key.file = ./keys/../keys/peer.key").get(Alagg.ENGINE_KEY));
    }

    @Test
    void aKeyFileByAbsolutePath() throws Exception {
        Path file = keyFile("abs.key", KEY, "r--------");
        assertEquals(KEY, engine("key.file = " + file).get(Alagg.ENGINE_KEY));
    }

    @ParameterizedTest
    @ValueSource(strings = {"rw-------", "r--------", "rwx------", "rw---x--x"})
    void keyFileModesNobodyElseCanReadOrWriteAreAccepted(String mode) throws Exception {
        keyFile("peer.key", KEY + "\n", mode);
        assertEquals(KEY, engine("key.file = peer.key").get(Alagg.ENGINE_KEY));
    }

    @ParameterizedTest
    @ValueSource(strings = {"%s", "%s\n", "%s\r\n", "  %s  \n\n", "\n%s\n"})
    void aKeyFileHoldsOneLineAsGenkeyPrintsIt(String layout) throws Exception {
        keyFile("peer.key", String.format(layout, KEY), "rw-------");
        assertEquals(KEY, engine("key.file = peer.key").get(Alagg.ENGINE_KEY));
    }

    @Test
    void aSymbolicLinkIsJudgedByItsTarget() throws Exception {
        Path target = keyFile("real.key", KEY + "\n", "rw-------");
        Path link = Files.createSymbolicLink(dir.resolve("link.key"), target); // the link itself is 0777
        assertEquals(KEY, engine("key.file = " + link).get(Alagg.ENGINE_KEY));
    }

    @Test
    void keyAcceptTakesEitherForm() throws Exception {
        Map<String, Object> inline = engine("key = " + KEY, "key.accept = " + OTHER);
        assertEquals(KEY, inline.get(Alagg.ENGINE_KEY));
        assertEquals(OTHER, inline.get(Alagg.ENGINE_KEY_ACCEPT));

        keyFile("old.key", KEY, "rw-------");
        keyFile("new.key", OTHER, "rw-------");
        Map<String, Object> files = engine("key.file = old.key", "key.accept.file = new.key");
        assertEquals(KEY, files.get(Alagg.ENGINE_KEY));
        assertEquals(OTHER, files.get(Alagg.ENGINE_KEY_ACCEPT));

        Map<String, Object> mixed = engine("key.accept.file = new.key", "key = " + KEY);
        assertEquals(KEY, mixed.get(Alagg.ENGINE_KEY));
        assertEquals(OTHER, mixed.get(Alagg.ENGINE_KEY_ACCEPT));
    }

    /** The three steps of docs/protocol.md, section 7, each a valid file. */
    @Test
    void theRotationStepsAreEachAValidFile() throws Exception {
        String oldKey = KEY;
        String newKey = OTHER;
        Map<String, Object> before = engine("key = " + oldKey);
        Map<String, Object> step1 = engine("key = " + oldKey, "key.accept = " + newKey);
        Map<String, Object> step2 = engine("key = " + newKey, "key.accept = " + oldKey);
        Map<String, Object> step3 = engine("key = " + newKey);
        assertEquals(oldKey, before.get(Alagg.ENGINE_KEY));
        assertEquals(List.of(oldKey, newKey), List.of(step1.get(Alagg.ENGINE_KEY), step1.get(Alagg.ENGINE_KEY_ACCEPT)));
        assertEquals(List.of(newKey, oldKey), List.of(step2.get(Alagg.ENGINE_KEY), step2.get(Alagg.ENGINE_KEY_ACCEPT)));
        assertEquals(newKey, step3.get(Alagg.ENGINE_KEY));
        assertFalse(step3.containsKey(Alagg.ENGINE_KEY_ACCEPT));
    }

    @Test
    void peerAllowedIsCheckedAndNormalized() throws Exception {
        assertEquals("10.9.1.0/24,fd09:1:0:0:0:0:0:0/64",
                engine("peer.allowed = 10.9.1.0/24, fd09:1::/64").get(Alagg.ENGINE_PEER_ALLOWED));
        assertEquals("10.9.1.7/32", engine("peer.allowed = 10.9.1.7").get(Alagg.ENGINE_PEER_ALLOWED));
        assertEquals("0.0.0.0/0,0:0:0:0:0:0:0:0/0",
                engine("peer.allowed = 0.0.0.0/0,::/0").get(Alagg.ENGINE_PEER_ALLOWED));
        assertFalse(Alagg.ENGINE_PEER_ALLOWED.startsWith("."), "not a secret");
    }

    @Test
    void theKeyFilesAreListedForWatching() {
        List<String> lines = List.of("key.file = keys/a.key   # comment", "key.accept.file=/etc/alagg/b.key",
                "key = x", "peer.allowed = 10.0.0.0/8", "key.file =", "bad line");
        assertEquals(List.of(dir.resolve("keys/a.key"), Path.of("/etc/alagg/b.key")), ConfigFile.keyFiles(config(), lines));
    }

    // ---- the key id (docs/protocol.md, section 7) ----

    /** Known answers, computed outside Java (Python's hmac module). */
    @ParameterizedTest
    @CsvSource({
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=, 200",
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=, 65",
    })
    void theKeyIdIsTheFirstByteOfTheLabelledHmac(String key, int id) throws Exception {
        assertEquals(id, ConfigKey.keyId(key));
        assertEquals(id, referenceKeyId(key));
    }

    /** The key id, written here from the text of docs/protocol.md. */
    static int referenceKeyId(String base64) throws Exception {
        Mac hmac = Mac.getInstance("HmacSHA256");
        hmac.init(new SecretKeySpec(Base64.getDecoder().decode(base64), "HmacSHA256"));
        return Byte.toUnsignedInt(hmac.doFinal("alagg v1 key id".getBytes(StandardCharsets.US_ASCII))[0]);
    }

    /** A key other than {@link #KEY} with the same key id: about one in 256 is. */
    static String collidingWithKey() throws Exception {
        int id = referenceKeyId(KEY);
        for (int n = 3; ; n++) {
            if (referenceKeyId(key(n)) == id) {
                return key(n);
            }
        }
    }

    @Test
    void keysWhoseIdsCollideAreRefusedWithAdviceToGenerateAnother() throws Exception {
        String colliding = collidingWithKey();
        assertNotEquals(KEY, colliding);
        String p = problem("key = " + KEY, "key.accept = " + colliding);
        assertEquals(config() + ":2: key.accept and key (line 1) have the same key id, so the peer could not tell which"
                + " of them made a frame; generate another new key with 'alagg genkey' (1 pair of keys in 256 collides)", p);
        keyFile("new.key", colliding, "rw-------");
        assertStartsWith(config() + ":1: key.accept.file and key (line 2) have the same key id",
                problem("key.accept.file = new.key", "key = " + KEY));
    }

    // ---- refused ----

    @Test
    void keyAndKeyFileTogetherAreRefused() throws Exception {
        keyFile("peer.key", KEY, "rw-------");
        assertEquals(config() + ":2: key.file and key (line 1) both give the key; keep one of them",
                problem("key = " + KEY, "key.file = peer.key"));
        assertEquals(config() + ":3: key and key.file (line 1) both give the key; keep one of them",
                problem("key.file = peer.key", "peer.allowed = 10.0.0.0/8", "key = " + OTHER));
        assertEquals(config() + ":3: key.accept.file and key.accept (line 2) both give the accepted key; keep one of them",
                problem("key = " + OTHER, "key.accept = " + KEY, "key.accept.file = peer.key"));
    }

    @Test
    void keyAcceptWithoutAKeyIsRefused() throws Exception {
        assertEquals(config() + ":2: key.accept needs a key: it is the second key accepted while keys are changed,"
                + " besides the one this side sends with; set key or key.file too",
                problem("instance = east", "key.accept = " + OTHER));
        keyFile("new.key", OTHER, "rw-------");
        assertStartsWith(config() + ":1: key.accept.file needs a key", problem("key.accept.file = new.key"));
    }

    @Test
    void aBadKeyIsReportedOnItsOwnLineOnly() {
        // key.accept is not also reported as lacking a key: the key's line says what is wrong
        List<String> problems = problems("key = tooShort", "key.accept = " + OTHER);
        assertEquals(1, problems.size(), problems::toString);
        assertStartsWith(config() + ":1: key is ", problems.get(0));
    }

    @Test
    void keyAcceptEqualToTheKeyIsRefused() throws Exception {
        assertEquals(config() + ":2: key.accept is the same key as key (line 1); while keys are changed it holds"
                + " the other key (the new one, then the old one), else remove it",
                problem("key = " + KEY, "key.accept = " + KEY));
        assertStartsWith(config() + ":2: key.accept is the same key as key (line 1)",
                problem("key = " + KEY, "key.accept = " + KEY.substring(0, 43)));
        keyFile("same.key", KEY + "\n", "rw-------");
        assertStartsWith(config() + ":1: key.accept.file is the same key as key (line 2)",
                problem("key.accept.file = same.key", "key = " + KEY));
        assertStartsWith(config() + ":2: key.accept is the same key as key.file (line 1)",
                problem("key.file = same.key", "key.accept = " + KEY));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "not base64 at all!  | key is not Base64 (",
        "AAAA                | key is 3 bytes, not 32; make one with 'alagg genkey'",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA | key is 66 bytes, not 32",
    })
    void aMalformedInlineKeyIsRefusedWithoutRepeatingIt(String value, String message) {
        String p = problem("# keys", "key = " + value);
        assertStartsWith(config() + ":2: " + message, p);
        assertFalse(p.contains(value), p);
        assertStartsWith(config() + ":1: " + message, problem("key.accept = " + value, "key = " + KEY));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "rw-r--r-- | readable by others (mode 0644)",
        "rw-r----- | readable by others (mode 0640)",
        "rw----r-- | readable by others (mode 0604)",
        "r--r--r-- | readable by others (mode 0444)",
        "rw--w---- | writable by others (mode 0620)",
        "rw-----w- | writable by others (mode 0602)",
        "rw-rw-rw- | readable and writable by others (mode 0666)",
        "rwxrwxrwx | readable and writable by others (mode 0777)",
    })
    void aKeyFileOthersCanReadOrWriteIsRefusedLikeSshDoes(String mode, String what) throws Exception {
        Path file = keyFile("peer.key", KEY + "\n", mode);
        assertEquals(config() + ":1: key file " + file + " is " + what + ": chmod 600 it", problem("key.file = peer.key"));
        assertEquals(config() + ":2: key file " + file + " is " + what + ": chmod 600 it",
                problem("key = " + OTHER, "key.accept.file = peer.key"));
    }

    @Test
    void aSymbolicLinkToAFileOthersCanReadIsRefused() throws Exception {
        Path target = keyFile("real.key", KEY + "\n", "rw-r--r--");
        Path link = Files.createSymbolicLink(dir.resolve("link.key"), target);
        assertEquals(config() + ":1: key file " + link + " (a symbolic link to " + target.toRealPath()
                + ") is readable by others (mode 0644): chmod 600 it", problem("key.file = link.key"));
    }

    @Test
    void aMissingKeyFileIsRefused() throws Exception {
        Path file = dir.resolve("none.key");
        assertEquals(config() + ":1: key file " + file + " does not exist; make one with 'umask 077; alagg genkey > "
                + file + "'", problem("key.file = none.key"));
        Path dangling = Files.createSymbolicLink(dir.resolve("dangling.key"), dir.resolve("gone.key"));
        assertEquals(config() + ":1: key file " + dangling + " (a symbolic link to " + dir.resolve("gone.key")
                + ") does not exist; make one with 'umask 077; alagg genkey > " + dangling + "'",
                problem("key.file = dangling.key"));
    }

    @Test
    void aKeyFileThatIsADirectoryIsRefused() throws Exception {
        Files.createDirectory(dir.resolve("keys"));
        assertEquals(config() + ":1: key file " + dir.resolve("keys") + " is not a regular file",
                problem("key.file = keys"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "\n", "  \n \n"})
    void anEmptyKeyFileIsRefused(String content) throws Exception {
        Path file = keyFile("empty.key", content, "rw-------");
        assertEquals(config() + ":1: key file " + file + " is empty; write a key into it with 'alagg genkey > " + file + "'",
                problem("key.file = empty.key"));
    }

    @Test
    void aKeyFileThatHoldsNoKeyIsRefused() throws Exception {
        Path file = keyFile("bad.key", "not a key\n", "rw-------");
        assertStartsWith(config() + ":1: key file " + file + ": key is not Base64 (", problem("key.file = bad.key"));

        keyFile("short.key", "AAAA\n", "rw-------");
        assertEquals(config() + ":1: key file " + dir.resolve("short.key") + ": key is 3 bytes, not 32; make one with"
                + " 'alagg genkey'", problem("key.file = short.key"));

        keyFile("two.key", KEY + "\n" + OTHER + "\n", "rw-------");
        assertEquals(config() + ":1: key file " + dir.resolve("two.key") + " holds 2 lines; it must hold the key alone,"
                + " on one line, as 'alagg genkey' prints it", problem("key.file = two.key"));

        keyFile("wg.conf", "[Interface]\nPrivateKey = " + KEY + "\n", "rw-------");
        assertStartsWith(config() + ":1: key file " + dir.resolve("wg.conf") + " holds 2 lines",
                problem("key.file = wg.conf"));

        keyFile("big.key", "A".repeat(5000), "rw-------");
        assertStartsWith(config() + ":1: key file " + dir.resolve("big.key") + " is 5000 bytes long, too long for a key",
                problem("key.file = big.key"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "10.9.1.7/24             | peer.allowed: '10.9.1.7/24' has host bits set after the /24 prefix",
        "10.9.1.0/24, peer.lan   | peer.allowed: 'peer.lan' is not an IPv4 or IPv6 network",
        "10.9.1.0/24,            | peer.allowed: '10.9.1.0/24,' has an empty entry",
        "10.9.1.0/33             | peer.allowed: '10.9.1.0/33': prefix length must be 0..32",
    })
    void aBadPeerAllowedIsRefused(String value, String message) {
        assertStartsWith(config() + ":1: " + message, problem("peer.allowed = " + value));
    }

    @Test
    void emptyValuesAreRefusedLikeAnyKeys() {
        assertEquals(config() + ":1: no value given for 'key'", problem("key ="));
        assertEquals(config() + ":1: no value given for 'key.file'", problem("key.file ="));
        assertEquals(config() + ":1: no value given for 'peer.allowed'", problem("peer.allowed ="));
    }

    @Test
    void aDuplicateKeyLineIsRefused() {
        assertEquals(config() + ":2: duplicate key 'key' (first given on line 1)", problem("key = " + KEY, "key = " + OTHER));
    }

    /** A key written where the file does not expect it is not repeated either (problems() checks). */
    @Test
    void aKeyOnAWrongLineIsNotRepeated() {
        String unpadded = KEY.substring(0, 43);
        assertEquals(config() + ":1: expected 'key = value', found 'key: <hidden: looks like a key>'",
                problem("key: " + unpadded));
        assertEquals(config() + ":1: no value given for 'key <hidden: looks like a key>'", problem("key " + KEY));
        assertStartsWith(config() + ":1: reordering strategy name '<hidden: looks like a key>",
                problem("reorder = " + unpadded));
        assertStartsWith(config() + ":1: unknown key 'kye'", problem("kye = " + KEY));
        assertStartsWith(config() + ":1: malformed MAC address '<hidden: looks like a key>'", problem("link.eth1 = " + KEY));
        assertStartsWith(config() + ":1: peer.allowed: '<hidden: looks like a key>'", problem("peer.allowed = " + unpadded));
    }

    @Test
    void everyProblemIsReportedAtOnceWithItsLine() throws Exception {
        keyFile("open.key", KEY, "rw-r--r--");
        List<String> problems = problems("key.file = open.key", "peer.allowed = 10.9.1.1/24", "key = nope");
        assertEquals(3, problems.size(), problems::toString);
        assertStartsWith(config() + ":1: key file", problems.get(0));
        assertStartsWith(config() + ":2: peer.allowed", problems.get(1));
        assertStartsWith(config() + ":3: key and key.file (line 1) both give the key", problems.get(2));
    }
}
