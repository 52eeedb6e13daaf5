package org.alagg.launcher;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.sun.security.auth.module.UnixSystem;

/**
 * Where instances keep their control socket and framework cache: {@code /run/alagg} when it can be written
 * (root), else the user's runtime directory, else {@code /tmp/alagg-<user>}. {@code ALAGG_RUN_DIR} overrides
 * them all. Instances in different network namespaces share the file system, so everything in here is named
 * after the instance.
 *
 * <p>{@code /tmp} is shared with every local user, who could create {@code /tmp/alagg-<user>} first: as a
 * symbolic link to somewhere of theirs, or as a directory they can write (and so plant a framework cache or a
 * control socket). That directory is therefore made private (mode 0700) when missing, and refused when it exists
 * but is not a real directory of this user's that no one else can write.
 */
final class RunDirectory {
    static final String ENV = "ALAGG_RUN_DIR";

    private static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OTHERS_WRITE =
            Set.of(PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);

    private final List<Path> candidates;
    /** The candidate in the shared temporary directory, checked before use; {@code null} with {@link #ENV}. */
    private final Path shared;

    RunDirectory(Map<String, String> env) {
        this(env, Path.of("/run/alagg"), Path.of(System.getProperty("java.io.tmpdir")), System.getProperty("user.name"));
    }

    /** With the system's run directory and the shared temporary directory given, for tests. */
    RunDirectory(Map<String, String> env, Path system, Path temporary, String user) {
        candidates = new ArrayList<>();
        if (env.get(ENV) != null) {
            candidates.add(Path.of(env.get(ENV)));
            shared = null;
        } else {
            candidates.add(system);
            if (env.get("XDG_RUNTIME_DIR") != null) {
                candidates.add(Path.of(env.get("XDG_RUNTIME_DIR"), "alagg"));
            }
            shared = temporary.resolve("alagg-" + user);
            candidates.add(shared);
        }
    }

    /**
     * The directory a starting instance uses: the first one that exists or can be made, and can be written.
     *
     * @throws UnsafeException when it would be the shared one and that one is not this user's alone
     * @throws IOException when none can be used
     */
    Path forInstance() throws IOException {
        IOException last = null;
        for (Path dir : candidates) {
            try {
                if (dir.equals(shared)) {
                    makePrivate(dir);
                } else if (!Files.isDirectory(dir)) {
                    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
                }
                if (Files.isWritable(dir)) {
                    return dir;
                }
            } catch (UnsafeException e) {
                throw e;
            } catch (IOException e) {
                last = e;
            }
        }
        throw new IOException("no usable run directory among " + candidates + " (set " + ENV + ")", last);
    }

    /** The control socket of a running instance: the first candidate that holds one, else where it would be. */
    Path socketOf(String instance) {
        for (Path dir : candidates) {
            Path socket = socketIn(dir, instance);
            // a socket in a shared directory someone else controls may be theirs: never talk to it
            if (Files.exists(socket) && (!dir.equals(shared) || problem(dir) == null)) {
                return socket;
            }
        }
        return socketIn(candidates.get(0), instance);
    }

    static Path socketIn(Path dir, String instance) {
        return dir.resolve(instance + ".sock");
    }

    static Path cacheIn(Path dir, String instance) {
        return dir.resolve(instance + ".cache");
    }

    /** Creates the directory with mode 0700, or checks that the one there is private to this user. */
    static void makePrivate(Path dir) throws IOException {
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PRIVATE));
            Files.setPosixFilePermissions(dir, PRIVATE); // the umask may have taken bits away; add none
            return;
        } catch (FileAlreadyExistsException e) {
            // there already (perhaps a symbolic link, even a dangling one): check it
        }
        String problem = problem(dir);
        if (problem != null) {
            throw new UnsafeException(dir, problem);
        }
    }

    /** What makes the directory unsafe to use, or {@code null} when it is a directory only this user can write. */
    static String problem(Path dir) {
        PosixFileAttributes a;
        try {
            a = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return "its owner and mode cannot be read (" + e + ")";
        }
        String what = "owner " + owner(dir, a) + ", mode " + PosixFilePermissions.toString(a.permissions());
        if (a.isSymbolicLink()) {
            String target;
            try {
                target = String.valueOf(Files.readSymbolicLink(dir));
            } catch (IOException e) {
                target = "?";
            }
            return "it is a symbolic link to " + target + " (" + what + ")";
        }
        if (!a.isDirectory()) {
            return "it is not a directory (" + what + ")";
        }
        if (uid(dir) != currentUid()) {
            return "it belongs to another user (" + what + "; you are uid " + currentUid() + ")";
        }
        if (a.permissions().stream().anyMatch(OTHERS_WRITE::contains)) {
            return "group or others can write it (" + what + ")";
        }
        return null;
    }

    private static String owner(Path dir, PosixFileAttributes a) {
        return a.owner().getName() + " (uid " + uid(dir) + ")";
    }

    private static long uid(Path dir) {
        try {
            return ((Number) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue();
        } catch (IOException | UnsupportedOperationException e) {
            return -1;
        }
    }

    private static long currentUid() {
        return new UnixSystem().getUid();
    }

    /** The shared run directory is not this user's alone: starting there could hand the instance to another user. */
    static final class UnsafeException extends IOException {
        private static final long serialVersionUID = 1L;

        UnsafeException(Path dir, String problem) {
            super("run directory " + dir + " is not safe to use: " + problem + ". Another local user may have made it;"
                    + " remove it, or set " + ENV + " to a directory of your own (e.g. " + ENV + "=$HOME/.alagg)");
        }
    }
}
