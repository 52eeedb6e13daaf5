package org.alagg.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;

import org.alagg.protocol.FrameType;
import org.junit.jupiter.api.Test;

/** The queue of frames the ingress thread has the egress thread send: a flood on one link leaves room for the others. */
class ControlQueueTest {
    private final ControlQueue queue = new ControlQueue(64);
    private final ByteBuffer body = ByteBuffer.allocate(28);

    @Test
    void noLinkHoldsMoreThanItsShare() {
        int taken = 0;
        while (queue.offer(FrameType.PROBE_REPLY, 3, body, 0, 28)) {
            taken++;
        }
        assertEquals(ControlQueue.PER_LINK, taken, "a flood on link 3 fills its share only");
        assertFalse(queue.offerReply(3, body, 0, 28, 0, 0, new int[0], 0), "replies count against the share too");
        for (int link = 0; link < 7; link++) {
            if (link != 3) {
                for (int i = 0; i < ControlQueue.PER_LINK; i++) {
                    assertTrue(queue.offer(FrameType.PROBE, link, body, 0, 28), "link " + link + " frame " + i);
                }
            }
        }
        assertEquals(ControlQueue.CAPACITY - 7 * ControlQueue.PER_LINK, queue.space());
        int slot = queue.peek();
        assertEquals(3, queue.link(slot));
        queue.remove();
        assertTrue(queue.offer(FrameType.PROBE_REPLY, 3, body, 0, 28), "sent one: link 3 may queue one more");
    }

    /**
     * A reply takes the link sequence of the frame before it only when it echoes a padded probe exactly. The reply to a
     * 28-byte challenge is 43 bytes with its report and heard list, longer than any echo with a report, and once took
     * the number before it too (the Wireshark dissector's test found it: two of A's frames with one link sequence).
     */
    @Test
    void onlyTheExactEchoOfAPaddedProbeTakesTheLinkSequenceBefore() {
        ControlQueue replies = new ControlQueue(1500);
        ByteBuffer probe = ByteBuffer.allocate(1400);
        assertTrue(replies.offerReply(1, probe, 0, 12, 5, 0, new int[] {0, 1}, 2));
        assertTrue(replies.offerReply(1, probe, 0, 28, 5, 0, new int[] {0, 1}, 2));
        assertTrue(replies.offerReply(1, probe, 0, 1400, 5, 0, new int[] {0, 1}, 2));
        int[] lengths = new int[3];
        boolean[] padded = new boolean[3];
        for (int i = 0; i < 3; i++) {
            int slot = replies.peek();
            lengths[i] = replies.length(slot);
            padded[i] = replies.paddedEcho(slot);
            replies.remove();
        }
        assertEquals(12 + 12 + 3, lengths[0]);
        assertEquals(28 + 12 + 3, lengths[1]);
        assertEquals(1400, lengths[2], "a padded probe is echoed exactly");
        assertFalse(padded[0]);
        assertFalse(padded[1], "the challenge's reply takes a number of its own");
        assertTrue(padded[2]);
    }
}
