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
}
