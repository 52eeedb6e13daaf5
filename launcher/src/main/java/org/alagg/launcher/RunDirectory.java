package org.alagg.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where instances keep their control socket and framework cache: {@code /run/alagg} when it can be written
 * (root), else the user's runtime directory. {@code ALAGG_RUN_DIR} overrides both. Instances in different
 * network namespaces share the file system, so everything in here is named after the instance.
 */
final class RunDirectory {
    static final String ENV = "ALAGG_RUN_DIR";

    private final List<Path> candidates;

    RunDirectory(Map<String, String> env) {
        candidates = new ArrayList<>();
        if (env.get(ENV) != null) {
            candidates.add(Path.of(env.get(ENV)));
        } else {
            candidates.add(Path.of("/run/alagg"));
            if (env.get("XDG_RUNTIME_DIR") != null) {
                candidates.add(Path.of(env.get("XDG_RUNTIME_DIR"), "alagg"));
            }
            candidates.add(Path.of(System.getProperty("java.io.tmpdir"), "alagg-" + System.getProperty("user.name")));
        }
    }

    /** The directory a starting instance uses: the first one that exists or can be made, and can be written. */
    Path forInstance() throws IOException {
        IOException last = null;
        for (Path dir : candidates) {
            try {
                if (!Files.isDirectory(dir)) {
                    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
                }
                if (Files.isWritable(dir)) {
                    return dir;
                }
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
            if (Files.exists(socket)) {
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
}
