package org.alagg.transport.afpacket;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** The sockets and anonymous inodes (epoll, eventfd) this JVM has open: what a transport and its links hold. */
final class OpenDescriptors {
    private OpenDescriptors() {
    }

    static int count() throws IOException {
        int count = 0;
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:") || target.startsWith("anon_inode:")) {
                        count++;
                    }
                } catch (IOException e) {
                    // closed meanwhile (e.g. the directory stream's own descriptor)
                }
            }
        }
        return count;
    }
}
