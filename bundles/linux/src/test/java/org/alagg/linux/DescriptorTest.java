package org.alagg.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.alagg.linux.internal.Native;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The descriptor bookkeeping every socket and device shares: needs no privilege. */
class DescriptorTest {
    @Test
    void closesOnceAndIsClosedAfter(@TempDir Path dir) throws Exception {
        Path file = Files.createFile(dir.resolve("descriptor-test"));
        int fd = Native.libc().open(file.toString(), Linux.O_RDONLY | Linux.O_CLOEXEC);
        assertTrue(fd >= 0);
        Descriptor descriptor = new Descriptor(fd);
        assertEquals(fd, descriptor.fd());
        assertEquals(fd, descriptor.checkOpen());
        descriptor.close();
        // the number may be reused at once, but not for this file: it is closed
        assertNotEquals(file.toString(), linkOf(fd));
        descriptor.close();
        assertEquals(-1, descriptor.fd());
        assertThrows(ClosedChannelException.class, descriptor::checkOpen);
    }

    @Test
    void awaitsReadabilityOrAWakeupUntilClosed() throws Exception {
        int fd = Native.libc().eventfd(0, Linux.EFD_NONBLOCK | Linux.EFD_CLOEXEC);
        Descriptor descriptor = Descriptor.polled(fd);
        assertEquals(0, descriptor.await(0));
        descriptor.wakeup();
        assertEquals(0, descriptor.await(TimeUnit.SECONDS.toNanos(20)), "a wakeup ends the wait, not counted");
        ByteBuffer one = Structs.allocate(8).putLong(0, 1);
        assertEquals(8, Native.libc().write(fd, Native.address(one), 8));
        assertEquals(1, descriptor.await(TimeUnit.SECONDS.toNanos(20)));
        descriptor.close();
        descriptor.close();
        descriptor.wakeup();
        assertThrows(ClosedChannelException.class, () -> descriptor.await(0));
        assertThrows(ClosedChannelException.class, descriptor::checkOpen);
    }

    private static String linkOf(int fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        } catch (IOException e) {
            return null;
        }
    }
}
