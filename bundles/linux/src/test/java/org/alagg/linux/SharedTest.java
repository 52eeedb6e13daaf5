package org.alagg.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class SharedTest {
    private final List<String> closedBy = new ArrayList<>();
    private final Shared<String> shared = new Shared<>("device", r -> closedBy.add(Thread.currentThread().getName()));

    @Test
    void unusedItClosesAtOnceAndOnlyOnce() {
        assertTrue(shared.close(0));
        assertTrue(shared.close(0));
        assertEquals(List.of(Thread.currentThread().getName()), closedBy);
        assertNull(shared.acquire(), "no use begins after close");
    }

    @Test
    void inUseItIsClosedByTheLastUserToLetGo() throws Exception {
        assertSame("device", shared.acquire());
        assertSame("device", shared.acquire());
        assertFalse(shared.close(1_000_000), "two uses still run");
        assertNull(shared.acquire());
        shared.release();
        assertEquals(List.of(), closedBy, "one use still runs");
        Thread last = new Thread(shared::release, "last user");
        last.start();
        last.join();
        assertEquals(List.of("last user"), closedBy);
        assertTrue(shared.close(0));
    }

    @Test
    void closeWaitsForAUseThatEndsSoon() throws Exception {
        assertSame("device", shared.acquire());
        Thread user = new Thread(() -> {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            shared.release();
        }, "user");
        user.start();
        assertTrue(shared.close(5_000_000_000L));
        assertEquals(List.of("user"), closedBy);
        user.join();
    }

    @Test
    void racingUsesNeverSeeItClosed() throws Exception {
        AtomicInteger closes = new AtomicInteger();
        for (int round = 0; round < 200; round++) {
            boolean[] closed = {false};
            Shared<boolean[]> s = new Shared<>(closed, c -> {
                c[0] = true;
                closes.incrementAndGet();
            });
            AtomicInteger usedClosed = new AtomicInteger();
            Thread user = new Thread(() -> {
                for (int i = 0; i < 1000; i++) {
                    boolean[] r = s.acquire();
                    if (r == null) {
                        return;
                    }
                    if (r[0]) {
                        usedClosed.incrementAndGet();
                    }
                    s.release();
                }
            });
            user.start();
            s.close(1_000_000_000L);
            user.join();
            assertEquals(0, usedClosed.get());
            assertTrue(closed[0]);
        }
        assertEquals(200, closes.get());
    }
}
