package org.alagg.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.alagg.api.PacketBatch;
import org.alagg.testing.RequiresRoot;
import org.alagg.testing.TestNetwork;
import org.junit.jupiter.api.Test;

/** Netlink round trips with the kernel in a namespace of its own: NFQUEUE binds, and a multipart dump. */
@RequiresRoot
class NetlinkSocketRootTest {
    static final int NLMSG_ERROR = 2;
    static final int NLMSG_DONE = 3;
    static final int NLM_F_REQUEST = 1;
    static final int NLM_F_ACK = 4;
    static final int NLM_F_DUMP = 0x300;

    /** An NFQNL_MSG_CONFIG with one NFQA_CFG_CMD: nlmsghdr, nfgenmsg, one attribute. */
    static ByteBuffer config(int queue, int command, int seq) {
        ByteBuffer m = ByteBuffer.allocateDirect(28).order(ByteOrder.nativeOrder());
        m.putInt(0, 28).putShort(4, (short) (3 << 8 | 2)).putShort(6, (short) (NLM_F_REQUEST | NLM_F_ACK));
        m.putInt(8, seq).putInt(12, 0);
        m.put(16, (byte) 0).put(17, (byte) 0).put(18, (byte) (queue >>> 8)).put(19, (byte) queue);
        m.putShort(20, (short) 8).putShort(22, (short) 1);
        m.put(24, (byte) command).put(25, (byte) 0).put(26, (byte) 0).put(27, (byte) 0);
        return m;
    }

    /** The error code of the ACK for {@code seq}: 0 or a negative errno. */
    static int ack(NetlinkSocket socket, int seq) throws Exception {
        PacketBatch in = new PacketBatch(8, 8192);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            in.clear();
            socket.receive(in, 200_000_000L);
            for (int i = 0; i < in.size(); i++) {
                ByteBuffer p = in.packet(i).order(ByteOrder.nativeOrder());
                if (p.getShort(4) == NLMSG_ERROR && p.getInt(8) == seq) {
                    return p.getInt(16);
                }
            }
        }
        throw new AssertionError("no ACK for " + seq);
    }

    @Test
    void bindsAnNfqueueAndHearsWhenItIsTaken() throws Exception {
        try (TestNetwork net = TestNetwork.create()) {
            String a = net.namespace("a");
            try (NetlinkSocket first = NetworkNamespace.call(a, () -> NetlinkSocket.open(NetlinkSocket.NETLINK_NETFILTER, 16));
                 NetlinkSocket second = NetworkNamespace.call(a, () -> NetlinkSocket.open(NetlinkSocket.NETLINK_NETFILTER, 16))) {
                first.setOption(NetlinkSocket.SOL_NETLINK, NetlinkSocket.NETLINK_NO_ENOBUFS, 1);
                first.setOption(NetlinkSocket.SOL_SOCKET, NetlinkSocket.SO_RCVBUFFORCE, 8 << 20);
                assertEquals(NetlinkSocket.NETLINK_NETFILTER, first.protocol());

                first.send(config(7, 1, 100));
                assertEquals(0, ack(first, 100), "queue 7 bound");

                // facts.md says EBUSY for a queue taken by another socket; the kernel says EPERM (a queue owned
                // by another port id), and EBUSY only when the owner binds it again
                second.send(config(7, 1, 101));
                int error = ack(second, 101);
                assertEquals(-LinuxException.EPERM, error, "queue 7 is another socket's");
                LinuxException e = new LinuxException("NFQUEUE bind of queue 7", -error, "another program owns queue 7");
                assertEquals("NFQUEUE bind of queue 7 failed: Operation not permitted (EPERM, errno 1): "
                        + "another program owns queue 7", e.getMessage());
                first.send(config(7, 1, 102));
                assertEquals(-LinuxException.EBUSY, ack(first, 102), "queue 7 is bound already");

                // a heap buffer is copied, and works the same
                ByteBuffer heap = ByteBuffer.allocate(28).order(ByteOrder.nativeOrder());
                heap.put(config(7, 2, 103));
                heap.flip();
                first.send(heap);
                assertEquals(0, ack(first, 103), "queue 7 unbound");
            }
        }
    }

    @Test
    void eachDatagramOfADumpInItsOwnSlot() throws Exception {
        try (TestNetwork net = TestNetwork.create()) {
            String a = net.namespace("a");
            String b = net.namespace("b");
            for (int i = 0; i < 6; i++) {
                net.veth(a, "v" + i + "a", b, "v" + i + "b");
            }
            try (NetlinkSocket route = NetworkNamespace.call(a, () -> NetlinkSocket.open(NetlinkSocket.NETLINK_ROUTE, 4))) {
                // RTM_GETLINK dump: nlmsghdr + ifinfomsg (16 bytes)
                ByteBuffer m = ByteBuffer.allocateDirect(32).order(ByteOrder.nativeOrder());
                m.putInt(0, 32).putShort(4, (short) 18).putShort(6, (short) (NLM_F_REQUEST | NLM_F_DUMP)).putInt(8, 5);
                route.send(m);
                PacketBatch in = new PacketBatch(4, 32768);
                int links = 0;
                boolean done = false;
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (!done && System.nanoTime() < deadline) {
                    in.clear();
                    route.receive(in, 200_000_000L);
                    for (int i = 0; i < in.size(); i++) {
                        ByteBuffer p = in.packet(i).order(ByteOrder.nativeOrder());
                        for (int at = 0; at + 16 <= p.limit(); ) {
                            int length = p.getInt(at);
                            int type = p.getShort(at + 4);
                            if (type == NLMSG_DONE) {
                                done = true;
                            } else if (type == 16) { // RTM_NEWLINK
                                links++;
                            }
                            at += (length + 3) & ~3;
                        }
                    }
                }
                assertTrue(done, "the dump ended");
                assertEquals(7, links, "lo and six veths");
            }
        }
    }
}
