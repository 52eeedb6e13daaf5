package org.alagg.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The kernel objects this JVM holds that a capture device or a link can leak: sockets, anonymous inodes (epoll,
 * eventfd) and TUN devices. A leak check compares two snapshots by object, not a count of every descriptor: the JVM
 * opens and closes jars, pipes of finished child processes and the like on other threads, and a bare count moves
 * with them (CI once saw 48 descriptors before and 47 after a test that leaked nothing).
 */
public final class OpenDescriptors {
    private final TreeSet<String> objects;

    private OpenDescriptors(TreeSet<String> objects) {
        this.objects = objects;
    }

    /** What is open now. */
    public static OpenDescriptors now() throws IOException {
        TreeSet<String> objects = new TreeSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:") || target.startsWith("anon_inode:")
                            || target.equals("/dev/net/tun")) {
                        objects.add(fd.getFileName() + " -> " + target);
                    }
                } catch (IOException e) {
                    // closed meanwhile (e.g. the directory stream's own descriptor)
                }
            }
        }
        return new OpenDescriptors(objects);
    }

    public int count() {
        return objects.size();
    }

    /** The descriptors open now that were not open in {@code before}: empty when nothing leaked. */
    public List<String> openedSince(OpenDescriptors before) {
        List<String> opened = new ArrayList<>(objects);
        opened.removeAll(before.objects);
        return opened;
    }
}
