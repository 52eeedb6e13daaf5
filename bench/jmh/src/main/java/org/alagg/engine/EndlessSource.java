package org.alagg.engine;

import org.alagg.api.PacketBatch;
import org.alagg.api.PacketInterceptor;
import org.alagg.api.PayloadType;

/**
 * A capture that always has a full batch of IPv4 packets ready, so the egress thread runs as fast as the
 * wire takes its frames. The bytes are left as they are: the data path never looks inside a packet.
 */
final class EndlessSource implements PacketInterceptor {
    private final int packetLength;

    EndlessSource(int packetLength) {
        this.packetLength = packetLength;
    }

    @Override
    public int capture(PacketBatch batch, long timeoutNanos) {
        while (!batch.isFull()) {
            batch.commit(packetLength, PayloadType.IPV4, -1);
        }
        return batch.size();
    }

    @Override
    public void open(int maxPacketLength) {
    }

    @Override
    public void close() {
    }

    @Override
    public void wakeup() {
    }
}
