package org.alagg.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.security.auth.module.UnixSystem;

class RunDirectoryTest {
    @TempDir
    Path temp;

    /** Stands in for /tmp. */
    private Path tmp;
    /** Stands in for /run/alagg when it cannot be used: a file, so no directory can be made there. */
    private Path noSystemDir;
    /** Where the launcher falls back to: tmp/alagg-someone. */
    private Path fallback;

    @BeforeEach
    void sharedTemporaryDirectory() throws IOException {
        tmp = Files.createDirectory(temp.resolve("tmp"));
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxrwxrwx")); // Java cannot set the sticky bit; not needed here
        noSystemDir = Files.createFile(temp.resolve("run-alagg-unusable"));
        fallback = tmp.resolve("alagg-someone");
    }

    private RunDirectory fallingBack() {
        return new RunDirectory(Map.of(), noSystemDir, tmp, "someone");
    }

    private String refusal() {
        RunDirectory.UnsafeException e = assertThrows(RunDirectory.UnsafeException.class, () -> fallingBack().forInstance());
        String message = e.getMessage();
        assertTrue(message.startsWith("run directory " + fallback + " is not safe to use: "), message);
        assertTrue(message.contains("set " + RunDirectory.ENV + " to a directory of your own"), message);
        return message;
    }

    @Test
    void theEnvironmentOverridesTheDefault() throws IOException {
        Path dir = temp.resolve("run");
        RunDirectory run = new RunDirectory(Map.of(RunDirectory.ENV, dir.toString()));
        assertEquals(dir, run.forInstance());
        assertEquals(dir.resolve("east.sock"), run.socketOf("east"));
        assertEquals(dir.resolve("east.cache"), RunDirectory.cacheIn(dir, "east"));
    }

    @Test
    void aClientFindsTheSocketWhereverTheInstancePutIt() throws IOException {
        Path xdg = temp.resolve("xdg");
        Files.createDirectories(xdg.resolve("alagg"));
        Files.createFile(xdg.resolve("alagg").resolve("west.sock"));
        RunDirectory run = new RunDirectory(Map.of("XDG_RUNTIME_DIR", xdg.toString()));
        if (!Files.exists(Path.of("/run/alagg/west.sock"))) {
            assertEquals(xdg.resolve("alagg").resolve("west.sock"), run.socketOf("west"));
        }
    }

    @Test
    void aMissingFallbackIsMadePrivate() throws IOException {
        assertEquals(fallback, fallingBack().forInstance());
        assertTrue(Files.isDirectory(fallback, LinkOption.NOFOLLOW_LINKS));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(fallback)));
    }

    @Test
    void aPrivateFallbackOfThisUserIsUsed() throws IOException {
        Files.createDirectory(fallback, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.setPosixFilePermissions(fallback, PosixFilePermissions.fromString("rwxr-xr-x")); // readable is fine
        assertEquals(fallback, fallingBack().forInstance());
    }

    @Test
    void aSymbolicLinkIsRefused() throws IOException {
        Path elsewhere = Files.createDirectory(temp.resolve("attacker"));
        Files.createSymbolicLink(fallback, elsewhere);
        String message = refusal();
        assertTrue(message.contains("it is a symbolic link to " + elsewhere), message);
        assertTrue(message.contains("owner "), message);
        assertFalse(Files.exists(elsewhere.resolve("x.cache")));
    }

    @Test
    void aDanglingSymbolicLinkIsRefused() throws IOException {
        Files.createSymbolicLink(fallback, temp.resolve("not-yet"));
        assertTrue(refusal().contains("symbolic link"));
        assertFalse(Files.exists(temp.resolve("not-yet")), "the link was followed");
    }

    @Test
    void aDirectoryOfAnotherUserIsRefused() throws IOException {
        assumeTrue(new UnixSystem().getUid() == 0, "only root can give a directory to another user");
        Files.createDirectory(fallback, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.setAttribute(fallback, "unix:uid", 65534);
        String message = refusal();
        assertTrue(message.contains("it belongs to another user"), message);
        assertTrue(message.contains("(uid 65534), mode rwx------; you are uid 0"), message);
    }

    @Test
    void aDirectoryOthersCanWriteIsRefused() throws IOException {
        for (String mode : new String[] {"rwxrwx---", "rwxr-xrwx", "rwxrwxrwx"}) {
            Files.createDirectory(fallback);
            Files.setPosixFilePermissions(fallback, PosixFilePermissions.fromString(mode));
            String message = refusal();
            assertTrue(message.contains("group or others can write it"), message);
            assertTrue(message.contains("mode " + mode), message);
            Files.delete(fallback);
        }
    }

    @Test
    void aFileIsRefused() throws IOException {
        Files.createFile(fallback);
        assertTrue(refusal().contains("it is not a directory"));
    }

    @Test
    void aClientNeverTalksToASocketInAnUnsafeFallback() throws IOException {
        Files.createDirectory(fallback);
        Files.createFile(fallback.resolve("east.sock"));
        Files.setPosixFilePermissions(fallback, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertEquals(noSystemDir.resolve("east.sock"), fallingBack().socketOf("east"));
        Files.setPosixFilePermissions(fallback, PosixFilePermissions.fromString("rwx------"));
        assertEquals(fallback.resolve("east.sock"), fallingBack().socketOf("east"));
    }
}
