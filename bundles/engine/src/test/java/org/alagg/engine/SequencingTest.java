package org.alagg.engine;

import static org.alagg.engine.DataPathTest.await;
import static org.alagg.engine.DataPathTest.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.alagg.api.ReorderSettings;
import org.alagg.engine.DataPathTest.LossyWire;
import org.alagg.engine.DataPathTest.Sink;
import org.alagg.engine.DataPathTest.Source;
import org.alagg.reorder.strict.StrictOrder;
import org.alagg.reorder.windowed.WindowedOrder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Whatever the engine does (links down, a scheduler that picks none, swaps and new settings while packets are held
 * on lossy links), the receiver's ordered delivery stays strictly in sequence and never waits for a number that
 * was never sent; and every packet and frame is counted once.
 */
class SequencingTest {
    private static final long MS = 1_000_000;
    private final DataPathTest paths = new DataPathTest();

    @AfterEach
    void stop() throws InterruptedException {
        paths.stop();
    }

    @Test
    void withEveryLinkDownNoNumberIsTakenAndStrictDeliversWhatComesAfter() throws Exception {
        Source source = new Source();
        Sink sink = new Sink();
        LossyWire wire = new LossyWire(0, 0);
        DataPath path = paths.start(wire, source, sink, 2, new StrictOrder());
        send(source, 0, 10);
        await("delivered", () -> sink.delivered.size() == 10);
        wire.down.addAll(List.of(0, 1));
        send(source, 10, 20);
        await("counted unsent", () -> path.sendTotals().get("unsent") == 10);
        wire.down.clear();
        send(source, 20, 30);
        await("strict delivers the packets sent after the outage", () -> sink.delivered.size() == 20);
        DataPathTest.assertDeliveredInOrderOnce(sink);
        assertEquals(0, path.receiveTotals().get("lost"), "no number was skipped");
        Counting.assertConserved(path);
    }

    @Test
    void aSchedulerThatChoosesNoLinkTakesNoNumber() throws Exception {
        Source source = new Source();
        Sink sink = new Sink();
        DataPath path = paths.start(new LossyWire(0, 0), source, sink, 2, new StrictOrder());
        AtomicInteger calls = new AtomicInteger();
        DataPathTest.peer(path).scheduler = (sequence, length, up, upCount, chosen) -> {
            if (calls.incrementAndGet() % 2 == 0) {
                return 0; // e.g. a rate limit: this packet goes nowhere
            }
            chosen[0] = up[0];
            return 1;
        };
        send(source, 0, 200);
        await("the chosen half delivered", () -> sink.delivered.size() == 100);
        Thread.sleep(50);
        assertEquals(100, sink.delivered.size());
        assertEquals(100, path.sendTotals().get("unsent"));
        assertEquals(0, path.receiveTotals().get("lost"));
        Counting.assertConserved(path);
    }

    @Test
    void swapsAndNewSettingsWhilePacketsAreHeldOnLossyLinksKeepTheOrderAndNeverStall() throws Exception {
        Source source = new Source();
        Sink sink = new Sink();
        LossyWire wire = new LossyWire(20, 40); // link 1 is 40 frames late: the strategy holds packets all the time
        DataPath path = paths.start(wire, source, sink, 2, new StrictOrder());
        // 60 rounds of swaps (15 of each kind); each loss both links share waits out the reorder timeout in turn,
        // which is what makes a longer run slow, not more proving
        int count = 30_000;
        int step = 500;
        for (int n = 0; n < count; n += step) {
            send(source, n, n + step);
            switch (n / step % 4) {
                case 0 -> DataPathTest.peer(path).strategy = new WindowedOrder();
                case 1 -> DataPathTest.peer(path).reordering = Reordering.of(new ReorderSettings(64 + n % 200, 2 * MS), DataPathTest.peer(path).reordering);
                case 2 -> DataPathTest.peer(path).strategy = new StrictOrder();
                default -> DataPathTest.peer(path).reordering = Reordering.of(new ReorderSettings(256, 8 * MS), DataPathTest.peer(path).reordering);
            }
            Thread.sleep(1);
        }
        DataPathTest.peer(path).strategy = new WindowedOrder(); // the end of the stream: a timeout gives the last gaps up
        await("every number passed or given up", () -> {
            Map<String, Long> c = path.receiveTotals();
            return c.get("passed") + c.get("lost") >= count - 2 && c.get("held") == 0;
        });
        DataPathTest.assertDeliveredInOrderOnce(sink);
        Map<String, Long> c = path.receiveTotals();
        assertTrue(sink.delivered.size() > count * 0.9, "20 % loss per link leaves about 4 %: " + c);
        Counting.assertConserved(path);
    }

    @Test
    void framesTheKernelRefusesAreCountedPerLinkAndNotAsSent() throws Exception {
        Source source = new Source();
        Sink sink = new Sink();
        LossyWire wire = new LossyWire(0, 0);
        DataPath path = paths.start(wire, source, sink, 2, new StrictOrder());
        wire.refuseLink = 1; // link 1's queue is full (EAGAIN)
        send(source, 0, 100);
        await("delivered over link 0", () -> sink.delivered.size() == 100);
        wire.refuseErrno = 90; // EMSGSIZE
        send(source, 100, 110);
        await("delivered over link 0", () -> sink.delivered.size() == 110);
        Thread.sleep(50);
        Map<String, Long> link0 = path.links[0].sent.snapshot();
        Map<String, Long> link1 = path.links[1].sent.snapshot();
        assertEquals(110, DataPathTest.dataFramesSent(path, 0));
        assertEquals(0, DataPathTest.dataFramesSent(path, 1), "refused frames are not counted sent");
        assertEquals(100, link1.get("refused_queue_full"));
        assertEquals(10, link1.get("refused_too_big"));
        assertEquals(110, path.sendTotals().get("sent"), "each packet left on link 0");
        wire.refuseLink = 0;
        wire.down.add(1);
        send(source, 110, 115);
        await("refused on the only link up", () -> path.sendTotals().get("refused") == 5);
        Counting.assertConserved(path);
    }

    @Test
    void packetsLargerThanTheLinksCarryAreCountedTooBig() throws Exception {
        Source source = new Source();
        Sink sink = new Sink();
        DataPath path = paths.start(new LossyWire(0, 0), source, sink, 2, new StrictOrder());
        path.maxPacketLength = 59; // the test packets are 60 bytes
        send(source, 0, 10);
        await("counted", () -> path.sendTotals().get("too_big") == 10);
        path.maxPacketLength = 1480;
        send(source, 10, 20);
        await("delivered once they fit", () -> sink.delivered.size() == 10);
        assertEquals(0, path.receiveTotals().get("lost"), "a too-big packet takes no number");
        Counting.assertConserved(path);
    }
}
