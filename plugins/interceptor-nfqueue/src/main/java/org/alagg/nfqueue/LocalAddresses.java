package org.alagg.nfqueue;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import org.alagg.api.PacketBatch;
import org.alagg.linux.NetlinkSocket;

/**
 * The addresses of this host (its network namespace), to deliver only packets addressed to it: a raw socket
 * sends any destination on, so without this check a frame from the link could make Alagg relay a packet to a
 * third host. Read with an rtnetlink RTM_GETADDR dump; read again when a packet's destination is not among them
 * and the last reading is older than a second (an address added since is found at once, a flood of foreign
 * destinations costs at most one dump a second).
 *
 * <p>Checks allocate nothing (sorted arrays, binary search); a reading reuses its socket and buffers and
 * allocates only the new address arrays. Ingress thread only ({@link #close} from any).
 */
final class LocalAddresses implements Closeable {
    private static final int RTM_NEWADDR = 20;
    private static final int RTM_GETADDR = 22;
    private static final int NLM_F_REQUEST = 0x1;
    private static final int NLM_F_DUMP = 0x300;
    private static final int IFADDRMSG_LENGTH = 8;
    private static final int IFA_ADDRESS = 1;
    private static final int IFA_LOCAL = 2;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final long REREAD_NANOS = 1_000_000_000L;

    private int[] ipv4 = new int[0];
    /** IPv6 addresses as pairs of longs (high, low), sorted by high then low. */
    private long[] ipv6 = new long[0];
    private long readAt = Long.MIN_VALUE / 2;
    private int sequence;
    // opened at the first reading, in the namespace of the thread that reads; again after close()
    private volatile NetlinkSocket socket;
    private ByteBuffer request;
    private PacketBatch replies;

    /** Whether the IPv4 or IPv6 packet at {@code offset} of {@code memory} is addressed to this host. */
    boolean isLocal(ByteBuffer memory, int offset, boolean version6) throws IOException {
        if (lookup(memory, offset, version6)) {
            return true;
        }
        if (System.nanoTime() - readAt < REREAD_NANOS) {
            return false;
        }
        read();
        return lookup(memory, offset, version6);
    }

    private boolean lookup(ByteBuffer memory, int offset, boolean version6) {
        if (!version6) {
            return Arrays.binarySearch(ipv4, memory.getInt(offset + 16)) >= 0;
        }
        long high = memory.getLong(offset + 24);
        long low = memory.getLong(offset + 32);
        int lo = 0;
        int hi = ipv6.length / 2 - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = compare(ipv6[2 * mid], ipv6[2 * mid + 1], high, low);
            if (c == 0) {
                return true;
            }
            if (c < 0) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return false;
    }

    private static int compare(long highA, long lowA, long highB, long lowB) {
        int c = Long.compare(highA, highB);
        return c != 0 ? c : Long.compare(lowA, lowB);
    }

    /** Reads every address of this namespace with one RTM_GETADDR dump. */
    void read() throws IOException {
        readAt = System.nanoTime();
        NetlinkSocket socket = this.socket;
        if (socket == null) {
            socket = NetlinkSocket.open(NetlinkSocket.NETLINK_ROUTE, 8);
            this.socket = socket;
        }
        if (request == null) {
            request = ByteBuffer.allocateDirect(Netlink.NLMSG_HDRLEN + IFADDRMSG_LENGTH).order(ByteOrder.nativeOrder());
            request.putInt(0, request.capacity()).putShort(4, (short) RTM_GETADDR)
                    .putShort(6, (short) (NLM_F_REQUEST | NLM_F_DUMP));
            replies = new PacketBatch(8, 64 * 1024);
        }
        int seq = ++sequence;
        request.putInt(8, seq);
        socket.send(request);
        Collected found = new Collected();
        ByteBuffer memory = replies.memory().duplicate().order(ByteOrder.nativeOrder());
        while (true) {
            replies.clear();
            if (socket.receive(replies, 1_000_000_000L) == 0) {
                throw new IOException("no answer to RTM_GETADDR within 1 s");
            }
            for (int i = 0; i < replies.size(); i++) {
                // the replies to an earlier request that timed out are skipped by their sequence number
                if (memory.getInt(replies.offset(i) + 8) != seq) {
                    continue;
                }
                if (found.add(memory, replies.offset(i), replies.length(i))) {
                    ipv4 = found.ipv4();
                    ipv6 = found.ipv6();
                    return;
                }
            }
        }
    }

    /** Closes the netlink socket; the next reading opens another. */
    @Override
    public void close() {
        NetlinkSocket s = socket;
        socket = null;
        if (s != null) {
            s.close();
        }
    }

    /** The addresses of one dump, as its datagrams arrive. */
    private static final class Collected {
        private int[] v4 = new int[16];
        private int v4Count;
        private long[] v6 = new long[32];
        private int v6Count;

        /** Adds the addresses of one datagram's messages; true at the end of the dump. */
        boolean add(ByteBuffer b, int start, int length) throws IOException {
            int at = start;
            int end = start + length;
            while (at + Netlink.NLMSG_HDRLEN <= end) {
                int messageLength = b.getInt(at);
                int type = Short.toUnsignedInt(b.getShort(at + 4));
                if (messageLength < Netlink.NLMSG_HDRLEN || at + messageLength > end) {
                    throw new IOException("malformed rtnetlink message (length " + messageLength + ")");
                }
                if (type == Netlink.NLMSG_DONE) {
                    return true;
                }
                if (type == Netlink.NLMSG_ERROR) {
                    throw new IOException("RTM_GETADDR failed: errno " + -b.getInt(at + Netlink.NLMSG_HDRLEN));
                }
                if (type == RTM_NEWADDR) {
                    address(b, at + Netlink.NLMSG_HDRLEN, at + messageLength);
                }
                at += Netlink.align(messageLength);
            }
            return false;
        }

        /** One ifaddrmsg and its attributes: IFA_LOCAL is this host's end (differs from IFA_ADDRESS on point-to-point). */
        private void address(ByteBuffer b, int at, int end) {
            int family = Byte.toUnsignedInt(b.get(at));
            int local = -1;
            int address = -1;
            for (int attr = at + IFADDRMSG_LENGTH; attr + 4 <= end; ) {
                int attrLength = Short.toUnsignedInt(b.getShort(attr));
                int attrType = Short.toUnsignedInt(b.getShort(attr + 2));
                if (attrLength < 4 || attr + attrLength > end) {
                    return;
                }
                if (attrType == IFA_LOCAL) {
                    local = attr + 4;
                } else if (attrType == IFA_ADDRESS) {
                    address = attr + 4;
                }
                attr += Netlink.align(attrLength);
            }
            int value = local >= 0 ? local : address;
            if (value < 0) {
                return;
            }
            ByteBuffer big = b.duplicate().order(ByteOrder.BIG_ENDIAN);
            if (family == AF_INET) {
                if (v4Count == v4.length) {
                    v4 = Arrays.copyOf(v4, 2 * v4.length);
                }
                v4[v4Count++] = big.getInt(value);
            } else if (family == AF_INET6) {
                if (v6Count + 2 > v6.length) {
                    v6 = Arrays.copyOf(v6, 2 * v6.length);
                }
                v6[v6Count++] = big.getLong(value);
                v6[v6Count++] = big.getLong(value + 8);
            }
        }

        int[] ipv4() {
            int[] sorted = Arrays.copyOf(v4, v4Count);
            Arrays.sort(sorted);
            return sorted;
        }

        long[] ipv6() {
            int n = v6Count / 2;
            Integer[] order = new Integer[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (x, y) -> compare(v6[2 * x], v6[2 * x + 1], v6[2 * y], v6[2 * y + 1]));
            long[] sorted = new long[v6Count];
            for (int i = 0; i < n; i++) {
                sorted[2 * i] = v6[2 * order[i]];
                sorted[2 * i + 1] = v6[2 * order[i] + 1];
            }
            return sorted;
        }
    }
}
