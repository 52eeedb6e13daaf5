package org.alagg.engine;

import static org.alagg.engine.DataPathTest.await;
import static org.alagg.engine.DataPathTest.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.alagg.api.HotThread;
import org.alagg.api.LinkScheduler;
import org.alagg.api.PacketBatch;
import org.alagg.api.ReorderOutput;
import org.alagg.api.ReorderSettings;
import org.alagg.api.ReorderStrategy;
import org.alagg.api.ReorderStrategyFactory;
import org.alagg.engine.DataPathTest.LossyWire;
import org.alagg.engine.DataPathTest.Sink;
import org.alagg.engine.DataPathTest.Source;
import org.alagg.reorder.strict.StrictOrder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A plugin that throws, a hot thread that dies, a part closed under a hot thread: the data path goes on, what it
 * holds is not lost, and the counters still add up.
 */
class FaultIsolationTest {
    private static final long MS = 1_000_000;
    private final DataPathTest paths = new DataPathTest();

    @AfterEach
    void stop() throws InterruptedException {
        paths.stop();
    }

    @Test
    void aThrowingSchedulerFallsBackToRedundantAndIsReportedOnce() throws Exception {
        Source source = new Source();
        Sink sink = new Sink();
        DataPath path = paths.start(new LossyWire(0, 0), source, sink, 2, new StrictOrder());
        AtomicInteger calls = new AtomicInteger();
        LinkScheduler firstLinkOnly = (sequence, length, up, upCount, chosen) -> {
            if (calls.incrementAndGet() % 100 == 0) {
                throw new IllegalStateException("scheduler bug");
            }
            chosen[0] = up[0];
            return 1;
        };
        DataPathTest.peer(path).scheduler = firstLinkOnly;
        send(source, 0, 2000);
        await("everything delivered", () -> sink.delivered.size() == 2000);
        DataPathTest.assertDeliveredInOrderOnce(sink);
        assertEquals(100, calls.get(), "not asked again after it threw");
        assertTrue(path.faults.failed(firstLinkOnly));
        List<String> reports = path.faults.reports();
        assertEquals(1, reports.size(), reports.toString());
        assertTrue(reports.get(0).contains("choose") && reports.get(0).contains("scheduler bug"), reports.get(0));
        assertTrue(path.links[1].sent.snapshot().get("frames_sent") > 1800, "redundant after the fault");
        Counting.assertConserved(path);
    }

    @Test
    void aSchedulerChoosingALinkThatIsNotOpenIsAFault() throws Exception {
        Source source = new Source();
        Sink sink = new Sink();
        DataPath path = paths.start(new LossyWire(0, 0), source, sink, 2, new StrictOrder());
        DataPathTest.peer(path).scheduler = (sequence, length, up, upCount, chosen) -> {
            chosen[0] = 200;
            return 1;
        };
        send(source, 0, 100);
        await("everything delivered", () -> sink.delivered.size() == 100);
        assertTrue(path.faults.reports().get(0).contains("not one of the peer's links up"), path.faults.reports().toString());
    }

    @Test
    void aStrategyFactoryThatThrowsLeavesDuplicateDiscard() throws Exception {
        Source source = new Source();
        Sink sink = new Sink();
        ReorderStrategyFactory broken = (settings, next) -> {
            throw new NoClassDefFoundError("org/example/Gone");
        };
        DataPath path = paths.start(new LossyWire(0, 3), source, sink, 2, broken);
        send(source, 0, 500);
        await("everything delivered", () -> sink.delivered.size() == 500);
        assertTrue(path.faults.reports().get(0).contains("create"), path.faults.reports().toString());
        assertTrue(path.ingress.isAlive());
        Counting.assertConserved(path);
    }

    /** Holds every packet it gets, then throws: the engine recovers what it held from the pool, in order. */
    static final class Hoarder implements ReorderStrategyFactory {
        final int throwAt;
        final AtomicInteger accepted = new AtomicInteger();

        Hoarder(int throwAt) {
            this.throwAt = throwAt;
        }

        @Override
        public ReorderStrategy create(ReorderSettings settings, int nextSequence) {
            return new ReorderStrategy() {
                @Override
                public void accept(int sequence, int packet, long nowNanos, ReorderOutput out) {
                    if (accepted.incrementAndGet() == throwAt) {
                        throw new ArrayIndexOutOfBoundsException("strategy bug");
                    }
                }

                @Override
                public long deadline() {
                    return Long.MAX_VALUE;
                }

                @Override
                public void expire(long nowNanos, ReorderOutput out) {
                }

                @Override
                public void drain(ReorderOutput out) {
                }
            };
        }
    }

    @Test
    void aStrategyThatThrowsWhileHoldingPacketsLosesNoneOfThem() throws Exception {
        Source source = new Source();
        Sink sink = new Sink();
        Hoarder hoarder = new Hoarder(100);
        DataPath path = paths.start(new LossyWire(0, 0), source, sink, 1, hoarder);
        send(source, 0, 99);
        await("99 held", () -> path.receiveTotals().get("held") == 99);
        assertEquals(0, sink.delivered.size());
        send(source, 99, 300);
        await("everything delivered", () -> sink.delivered.size() == 300);
        DataPathTest.assertDeliveredInOrderOnce(sink);
        assertEquals(0, path.receiveTotals().get("held"));
        assertTrue(path.faults.reports().get(0).contains("strategy bug"), path.faults.reports().toString());
        Counting.assertConserved(path);
    }

    @Test
    void aStrategyThatKeepsHandlesAtItsHandOverHasThemRecovered() throws Exception {
        Source source = new Source();
        Sink sink = new Sink();
        DataPath path = paths.start(new LossyWire(0, 0), source, sink, 1, new Hoarder(Integer.MAX_VALUE));
        send(source, 0, 50);
        await("50 held", () -> path.receiveTotals().get("held") == 50);
        DataPathTest.peer(path).strategy = new StrictOrder(); // the hoarder drains nothing: the engine takes its packets back
        path.wakeUp();
        await("recovered", () -> sink.delivered.size() == 50);
        send(source, 50, 100);
        await("the new strategy starts after them", () -> sink.delivered.size() == 100);
        DataPathTest.assertDeliveredInOrderOnce(sink);
        Counting.assertConserved(path);
    }

    /** A receive that fails once, and the log that is told fails too: the error escapes every guard. */
    static final class FailingReceive extends LossyWire {
        volatile boolean failNext;

        FailingReceive() {
            super(0, 0);
        }

        @Override
        public int receive(PacketBatch frames, long timeoutNanos) throws java.io.IOException {
            if (failNext) {
                failNext = false;
                throw new java.io.IOException("receive failed");
            }
            return super.receive(frames, timeoutNanos);
        }
    }

    @Test
    void aHotThreadThatDiesIsRestartedOnItsStateAndCounted() throws Exception {
        Source source = new Source();
        Sink sink = new Sink();
        FailingReceive wire = new FailingReceive();
        DataPath path = paths.start(wire, source, sink, 2, new StrictOrder());
        send(source, 0, 100);
        await("delivered", () -> sink.delivered.size() == 100);
        DataPathTest.problems = problem -> {
            throw new IllegalStateException("the log failed");
        };
        try {
            wire.failNext = true;
            path.ingress.join(5000);
        } finally {
            DataPathTest.problems = problem -> { };
        }
        HotThread dead = path.threads().get(1);
        assertFalse(dead.alive(), dead.toString());
        path.supervise();
        send(source, 100, 200);
        await("delivered after the restart", () -> sink.delivered.size() == 200);
        DataPathTest.assertDeliveredInOrderOnce(sink);
        HotThread restarted = path.threads().get(1);
        assertTrue(restarted.alive());
        assertEquals(1, restarted.restarts());
        assertTrue(restarted.lastTurnMillis() < 1000, restarted.toString());
        Counting.assertConserved(path);
    }

    /** A transport whose send stays inside the "system call" until released. */
    static final class SlowWire extends LossyWire {
        final CountDownLatch release = new CountDownLatch(1);
        volatile boolean inSend;

        SlowWire() {
            super(0, 0);
        }

        @Override
        public int send(PacketBatch frames) {
            inSend = true;
            try {
                release.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            inSend = false;
            return super.send(frames);
        }
    }

    @Test
    void quiesceReturnsOnlyOnceNoThreadIsInsideTheOldPart() throws Exception {
        Source source = new Source();
        SlowWire wire = new SlowWire();
        wire.loopsBack = false; // its sends block until released: no epoch is confirmed, none is needed here
        DataPath path = paths.start(wire, source, new Sink(), 2, new StrictOrder());
        send(source, 0, 1);
        await("inside send", () -> wire.inSend);
        path.publish(List.of(path.peers), List.of()); // the links are taken out while the egress thread is inside send
        List<Boolean> insideAtReturn = new ArrayList<>();
        Thread closer = new Thread(() -> {
            path.quiesce();
            insideAtReturn.add(wire.inSend);
        });
        closer.start();
        Thread.sleep(100);
        assertTrue(closer.isAlive(), "quiesce waits while the thread is inside the part");
        wire.release.countDown();
        closer.join(5000);
        assertEquals(List.of(false), insideAtReturn);
    }

    @Test
    void aReorderWindowWhosePoolDoesNotFitIsRefusedWithTheReason() {
        ReorderSettings largest = new ReorderSettings(65536, 5 * MS);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Reordering.of(largest, null, 64L << 20)); // what -Xmx64m gives by default
        assertTrue(e.getMessage().contains("ALAGG_DIRECT_MEMORY") && e.getMessage().contains("129 MiB"), e.getMessage());
        Reordering fits = Reordering.of(largest, null, 256L << 20);
        assertEquals(65536 + 2 * DataPath.BATCH, fits.pool().capacity());
        assertEquals(256L << 20, Reordering.parseSize("256m"));
        assertEquals(1L << 30, Reordering.parseSize("1G"));
    }
}
