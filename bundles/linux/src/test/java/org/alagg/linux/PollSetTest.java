package org.alagg.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.alagg.linux.internal.Native;
import org.junit.jupiter.api.Test;

/** PollSet over eventfds: needs no privilege. */
class PollSetTest {
    private static final ByteBuffer ONE = Structs.allocate(8).putLong(0, 1);
    private static final ByteBuffer DRAIN = Structs.allocate(8);

    @Test
    void tellsTheTokensOfTheReadyMembers() throws Exception {
        Descriptor a = eventFd();
        Descriptor b = eventFd();
        Descriptor c = eventFd();
        try (PollSet set = new PollSet(8)) {
            set.add(a, 7);
            set.add(b, 200);
            set.add(c, 0);
            assertEquals(0, set.await(0));
            signal(b);
            signal(c);
            assertEquals(2, set.await(TimeUnit.SECONDS.toNanos(5)));
            Set<Integer> tokens = new HashSet<>();
            tokens.add(set.token(0));
            tokens.add(set.token(1));
            assertEquals(Set.of(0, 200), tokens);
            assertThrows(IndexOutOfBoundsException.class, () -> set.token(2));
            assertEquals(2, set.await(0), "level-triggered: still readable");

            set.remove(b);
            assertEquals(1, set.await(0));
            assertEquals(0, set.token(0));
            c.close();
            assertEquals(0, set.await(0), "a closed member leaves the set");
            set.remove(c);
        } finally {
            a.close();
            b.close();
        }
    }

    @Test
    void waitsWithNanosecondTimeoutsUntilReadyOrWokenUp() throws Exception {
        Descriptor a = eventFd();
        try (PollSet set = new PollSet(1)) {
            set.add(a, 1);
            long start = System.nanoTime();
            assertEquals(0, set.await(TimeUnit.MICROSECONDS.toNanos(300)));
            long waited = System.nanoTime() - start;
            assertTrue(waited >= TimeUnit.MICROSECONDS.toNanos(290) && waited < TimeUnit.MILLISECONDS.toNanos(500), "waited " + waited);

            CompletableFuture<Void> signaller = CompletableFuture.runAsync(() -> {
                sleep(50);
                signal(a);
            });
            assertEquals(1, set.await(TimeUnit.SECONDS.toNanos(20)));
            signaller.join();
            drain(a);

            CompletableFuture<Void> waker = CompletableFuture.runAsync(() -> {
                sleep(50);
                set.wakeup();
            });
            start = System.nanoTime();
            assertEquals(0, set.await(-1));
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10));
            waker.join();
        } finally {
            a.close();
        }
    }

    @Test
    void closeWakesAWaitAndLaterWaitsFail() throws Exception {
        PollSet set = new PollSet(4);
        CompletableFuture<Integer> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return set.await(TimeUnit.SECONDS.toNanos(20));
            } catch (ClosedChannelException e) {
                return -1;
            } catch (LinuxException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(100);
        set.close();
        int r = waiting.get(10, TimeUnit.SECONDS);
        assertTrue(r == 0 || r == -1, "woken: " + r);
        assertThrows(ClosedChannelException.class, () -> set.await(0));
        set.wakeup();
        set.close();
        Descriptor a = eventFd();
        try {
            assertThrows(ClosedChannelException.class, () -> set.add(a, 1));
            set.remove(a);
        } finally {
            a.close();
        }
    }

    private static Descriptor eventFd() {
        int fd = Native.libc().eventfd(0, Linux.EFD_NONBLOCK | Linux.EFD_CLOEXEC);
        assertTrue(fd >= 0);
        return new Descriptor(fd);
    }

    private static void signal(Descriptor d) {
        assertEquals(8, Native.libc().write(d.fd(), Native.address(ONE), 8));
    }

    private static void drain(Descriptor d) {
        assertEquals(8, Native.libc().read(d.fd(), Native.address(DRAIN), 8));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
