package org.alagg.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class ReorderBufferTest {
    /** What the buffer told the engine, in order: "d5" delivered 5, "l3+2" lost 3 and 4, "t7" late 7. */
    static final class Recording implements ReorderOutput {
        final List<String> events = new ArrayList<>();

        @Override
        public void deliver(int sequence, int packet) {
            assertEquals(sequence * 10, packet, "the handle travels with its sequence");
            events.add("d" + sequence);
        }

        @Override
        public void lost(int firstSequence, int count) {
            events.add("l" + firstSequence + "+" + count);
        }

        @Override
        public void late(int sequence, int packet) {
            events.add("t" + sequence);
        }
    }

    private final Recording out = new Recording();

    private void offer(ReorderBuffer b, int... sequences) {
        for (int s : sequences) {
            b.accept(s, s * 10, 0, out);
        }
    }

    @Test
    void inOrderPacketsPassStraightThrough() {
        ReorderBuffer b = new ReorderBuffer(8, 5);
        offer(b, 5, 6, 7);
        assertEquals(List.of("d5", "d6", "d7"), out.events);
        assertEquals(0, b.held());
    }

    @Test
    void aGapHoldsWhatFollowsUntilItFills() {
        ReorderBuffer b = new ReorderBuffer(8, 1);
        offer(b, 1, 3, 4);
        assertEquals(List.of("d1"), out.events);
        assertEquals(2, b.held());
        offer(b, 2);
        assertEquals(List.of("d1", "d2", "d3", "d4"), out.events);
    }

    @Test
    void aPacketThatDoesNotFitGivesUpTheOldestGaps() {
        ReorderBuffer b = new ReorderBuffer(4, 0);
        offer(b, 0, 2, 6);
        assertEquals(List.of("d0", "l1+1", "d2"), out.events, "6 fits once the gap at 1 is given up");
        assertEquals(1, b.held());
        offer(b, 20);
        assertEquals(List.of("d0", "l1+1", "d2", "l3+3", "d6", "l7+10"), out.events,
                "nothing waits: just enough is given up for 20 to fit behind 17..19");
        offer(b, 17, 18, 19);
        assertEquals(List.of("d17", "d18", "d19", "d20"), out.events.subList(6, 10));
    }

    @Test
    void aPacketWhosePlaceWasGivenUpIsLate() {
        ReorderBuffer b = new ReorderBuffer(8, 0);
        offer(b, 0, 2);
        b.skipGap(out);
        offer(b, 1);
        assertEquals(List.of("d0", "l1+1", "d2", "t1"), out.events);
    }

    @Test
    void theFirstPacketToArriveDoesNotMoveTheStart() {
        ReorderBuffer b = new ReorderBuffer(8, 10);
        offer(b, 12, 11);
        assertEquals(List.of(), out.events, "10 has not come: 11 and 12 wait for it");
        offer(b, 9, 10);
        assertEquals(List.of("t9", "d10", "d11", "d12"), out.events, "9 was before the start: late");
    }

    @Test
    void drainReleasesEverythingInOrder() {
        ReorderBuffer b = new ReorderBuffer(16, 10);
        offer(b, 10, 14, 12);
        b.drain(out);
        assertEquals(List.of("d10", "l11+1", "d12", "l13+1", "d14"), out.events);
        assertEquals(0, b.held());
        assertEquals(Long.MAX_VALUE, b.waitingSince());
    }

    @Test
    void waitingSinceIsTheArrivalOfTheOldestHeldPacket() {
        ReorderBuffer b = new ReorderBuffer(16, 0);
        b.accept(0, 0, 100, out);
        b.accept(3, 30, 200, out);
        b.accept(2, 20, 300, out);
        assertEquals(200, b.waitingSince());
        b.accept(1, 10, 400, out);
        assertEquals(Long.MAX_VALUE, b.waitingSince());
    }

    @Test
    void sequencesWrapAt2To32() {
        ReorderBuffer b = new ReorderBuffer(8, -2);
        offer(b, -2, 0, -1, 1);
        assertEquals(List.of("d-2", "d-1", "d0", "d1"), out.events);
    }

    /** Random loss and reordering: delivery strictly increasing, every number delivered, lost or late exactly once. */
    @Test
    void everyPacketIsAccountedForOnceAndDeliveryIsInOrder() {
        Random random = new Random(7);
        ReorderBuffer b = new ReorderBuffer(64, 0);
        int count = 50_000;
        List<Integer> arrivals = new ArrayList<>();
        for (int s = 0; s < count; s++) {
            if (random.nextInt(100) >= 5) { // 5 % lost on every link
                arrivals.add(s);
            }
        }
        for (int i = 0; i < arrivals.size(); i++) { // displaced by up to 100 places: some beyond the window
            int j = Math.min(arrivals.size() - 1, i + random.nextInt(100));
            arrivals.set(i, arrivals.set(j, arrivals.get(i)));
        }
        arrivals.forEach(s -> b.accept(s, s * 10, 0, out));
        b.drain(out);
        BitSet accounted = new BitSet();
        BitSet late = new BitSet();
        BitSet delivered = new BitSet();
        int lastDelivered = -1;
        for (String e : out.events) {
            if (e.startsWith("l")) {
                String[] p = e.substring(1).split("\\+");
                for (int s = Integer.parseInt(p[0]), n = 0; n < Integer.parseInt(p[1]); n++, s++) {
                    assertTrue(!accounted.get(s), "lost twice or lost and delivered: " + s);
                    accounted.set(s);
                }
            } else if (e.startsWith("t")) {
                late.set(Integer.parseInt(e.substring(1)));
            } else if (e.startsWith("d")) {
                int s = Integer.parseInt(e.substring(1));
                assertTrue(s > lastDelivered, "delivered out of order: " + s + " after " + lastDelivered);
                assertTrue(!accounted.get(s), "delivered twice: " + s);
                accounted.set(s);
                delivered.set(s);
                lastDelivered = s;
            }
        }
        BitSet lateAndDelivered = (BitSet) late.clone();
        lateAndDelivered.and(delivered); // a late packet's number was given up before: lost, never delivered
        assertTrue(lateAndDelivered.isEmpty(), "late and delivered: " + lateAndDelivered);
        accounted.or(late);
        assertEquals(lastDelivered + 1, accounted.cardinality(), "every number up to the last is delivered, lost or late");
        assertTrue(!late.isEmpty(), "the scenario displaces some packets beyond the window");
    }

    @Test
    void skipBeforeGivesUpOnlyTheGapsBeforeItAndMovesOnWhenNothingIsHeld() {
        ReorderBuffer b = new ReorderBuffer(16, 0);
        offer(b, 0, 2, 5);
        b.skipBefore(4, out);
        assertEquals(List.of("d0", "l1+1", "d2", "l3+1"), out.events, "5 waits for 4, which may still come");
        offer(b, 4);
        assertEquals(List.of("d0", "l1+1", "d2", "l3+1", "d4", "d5"), out.events);
        b.skipBefore(9, out);
        assertEquals("l6+3", out.events.get(out.events.size() - 1), "nothing held: 6 to 8 are lost, 9 is next");
        offer(b, 9, 8);
        assertEquals(List.of("d9", "t8"), out.events.subList(out.events.size() - 2, out.events.size()));
        b.skipBefore(3, out);
        assertEquals("t8", out.events.get(out.events.size() - 1), "a horizon behind the head changes nothing");
    }

    @Test
    void skipBeforeAcrossTheWrapOfTheSequence() {
        ReorderBuffer b = new ReorderBuffer(16, -2);
        offer(b, -2, 1);
        b.skipBefore(1, out);
        assertEquals(List.of("d-2", "l-1+2", "d1"), out.events);
    }
}
