package org.alagg.transport.afpacket;

import org.alagg.linux.NetworkNamespace;
import org.alagg.testing.TestNetwork;

/**
 * Two hosts on the real kernel, as the AF_PACKET root tests use them: the namespaces a and b of a {@link TestNetwork},
 * wired as the test says, an {@link AfPacketTransport} started in each, and the sender and receiver threads the test
 * runs on them. {@link #close()} stops them all and deletes the network.
 */
final class TwoHosts implements AutoCloseable {
    /** Makes a test's interfaces in a and b, before the transports start. */
    @FunctionalInterface
    interface Wiring {
        void wire(TestNetwork net, String a, String b) throws Exception;
    }

    final TestNetwork net;
    final String a;
    final String b;
    final AfPacketTransport inA;
    final AfPacketTransport inB;
    private SenderThread sender;
    private ReceiverThread receiver;

    /** Creates the network, wires it, and starts a transport in each namespace; on failure leaves nothing behind. */
    TwoHosts(Wiring wiring) throws Exception {
        net = TestNetwork.create();
        try {
            a = net.namespace("a");
            b = net.namespace("b");
            wiring.wire(net, a, b);
            inA = NetworkNamespace.call(a, () -> new AfPacketTransport(QuietLogger.create()));
            inB = NetworkNamespace.call(b, () -> new AfPacketTransport(QuietLogger.create()));
        } catch (Throwable e) {
            close();
            throw e;
        }
    }

    /** Starts a {@link SenderThread} sending on {@code links}, stopped by {@link #close()}: one at a time. */
    SenderThread sender(AfPacketTransport transport, int... links) {
        if (sender != null) {
            throw new IllegalStateException("a sender runs already");
        }
        sender = new SenderThread(transport, links);
        return sender;
    }

    /** Starts a {@link ReceiverThread} on {@code transport}, stopped by {@link #close()}: one at a time. */
    ReceiverThread receiver(AfPacketTransport transport) {
        if (receiver != null) {
            throw new IllegalStateException("a receiver runs already");
        }
        receiver = new ReceiverThread(transport);
        return receiver;
    }

    /**
     * Stops the sender and the receiver (failing if either failed), then both transports, then deletes the network:
     * whatever fails on the way, the network is deleted.
     */
    @Override
    public void close() throws InterruptedException {
        try {
            if (sender != null) {
                sender.stop();
            }
            if (receiver != null) {
                receiver.stopWithoutFailure();
            }
        } finally {
            try {
                if (inA != null) {
                    inA.stop();
                }
                if (inB != null) {
                    inB.stop();
                }
            } finally {
                net.close();
            }
        }
    }
}
