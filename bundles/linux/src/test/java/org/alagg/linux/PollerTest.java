package org.alagg.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.alagg.linux.internal.Native;
import org.junit.jupiter.api.Test;

/** Poller over eventfds: needs no privilege. */
class PollerTest {
    @Test
    void timesOut() throws Exception {
        try (Poller poller = new Poller()) {
            long start = System.nanoTime();
            assertEquals(0, poller.await(TimeUnit.MILLISECONDS.toNanos(30)));
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(29));
            assertEquals(0, poller.await(0));
        }
    }

    @Test
    void aWakeupFromAnotherThreadEndsTheWait() throws Exception {
        try (Poller poller = new Poller()) {
            long start = System.nanoTime();
            CompletableFuture<Void> waker = CompletableFuture.runAsync(() -> {
                sleep(50);
                poller.wakeup();
            });
            assertEquals(0, poller.await(TimeUnit.SECONDS.toNanos(20)));
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10));
            waker.join();
            poller.wakeup();
            poller.wakeup();
            assertEquals(0, poller.await(TimeUnit.SECONDS.toNanos(20)), "an earlier wakeup ends the next wait at once");
            assertEquals(0, poller.await(TimeUnit.MILLISECONDS.toNanos(5)), "and is used up");
        }
    }

    @Test
    void tellsWhichDescriptorIsReady() throws Exception {
        int a = Native.libc().eventfd(0, Linux.EFD_NONBLOCK | Linux.EFD_CLOEXEC);
        int b = Native.libc().eventfd(0, Linux.EFD_NONBLOCK | Linux.EFD_CLOEXEC);
        try (Poller poller = new Poller(a, b)) {
            ByteBuffer one = Structs.allocate(8).putLong(0, 1);
            assertEquals(8, Native.libc().write(b, Native.address(one), 8));
            assertEquals(1, poller.await(TimeUnit.SECONDS.toNanos(5)));
            assertFalse(poller.isReady(0));
            assertTrue(poller.isReady(1));
            assertThrows(IndexOutOfBoundsException.class, () -> poller.isReady(2));
        } finally {
            Native.libc().close(a);
            Native.libc().close(b);
        }
    }

    @Test
    void closedMeansClosed() throws Exception {
        Poller poller = new Poller();
        poller.close();
        poller.close();
        poller.wakeup();
        assertThrows(ClosedChannelException.class, () -> poller.await(0));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
