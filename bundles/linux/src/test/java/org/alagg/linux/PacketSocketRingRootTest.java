package org.alagg.linux;

import org.alagg.testing.RequiresRoot;
import org.junit.jupiter.api.Nested;

/** Every test of {@link PacketSocketRootTest} and {@link BoundPacketSocketRootTest} again, receiving through a ring. */
@RequiresRoot
class PacketSocketRingRootTest {
    @Nested
    class Unbound extends PacketSocketRootTest {
        @Override
        boolean receiveRing() {
            return true;
        }
    }

    @Nested
    class Bound extends BoundPacketSocketRootTest {
        @Override
        boolean receiveRing() {
            return true;
        }
    }
}
