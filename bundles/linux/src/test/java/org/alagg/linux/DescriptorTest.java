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

    @Test
    void aDescriptorInUseIsClosedByItsLastUser(@TempDir Path dir) throws Exception {
        Path file = Files.createFile(dir.resolve("in-use"));
        int fd = Native.libc().open(file.toString(), Linux.O_RDONLY | Linux.O_CLOEXEC);
        Descriptor descriptor = new Descriptor(fd);
        assertEquals(fd, descriptor.acquire());
        assertEquals(fd, descriptor.tryAcquire());
        descriptor.close();
        assertEquals(-1, descriptor.fd());
        assertEquals(-1, descriptor.tryAcquire());
        assertThrows(ClosedChannelException.class, descriptor::acquire);
        assertEquals(file.toString(), linkOf(fd), "still open for the two users");
        descriptor.release();
        assertEquals(file.toString(), linkOf(fd), "still open for the last user");
        descriptor.release();
        assertNotEquals(file.toString(), linkOf(fd), "closed by the last user");
    }

    private static String linkOf(int fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        } catch (IOException e) {
            return null;
        }
    }
}
