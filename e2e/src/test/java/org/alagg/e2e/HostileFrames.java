package org.alagg.e2e;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import org.alagg.api.MacAddress;
import org.alagg.api.PacketBatch;
import org.alagg.api.PayloadType;
import org.alagg.linux.NetworkInterfaces;
import org.alagg.linux.NetworkNamespace;
import org.alagg.linux.PacketSocket;
import org.alagg.protocol.FrameAuth;
import org.alagg.protocol.FrameCodec;
import org.alagg.protocol.FrameHeader;
import org.alagg.protocol.FrameType;
import org.alagg.protocol.PayloadProtocol;
import org.alagg.protocol.Reject;

/**
 * A small sender of hostile frames with the Alagg EtherType, as a host on a link could send them: raw AF_PACKET
 * frames written by hand, some with a forged but well-formed header (its epoch learnt by listening on the link),
 * some signed with a key the test knows ({@link FrameAuth}), some copied off the link and replayed.
 *
 * <p>The sockets are SOCK_DGRAM: the kernel writes the Ethernet header with the sending interface's own MAC. Sent
 * from A's end of a link ({@code l1a} in A's namespace), a frame therefore carries A's MAC on that link as its
 * source, byte for byte what a host on that link spoofing A's MAC sends: B cannot tell them apart. A's own instance
 * does not see them (its sockets ignore outgoing frames).
 */
final class HostileFrames {
    private static final int SLOT = 2048;

    private HostileFrames() {
    }

    /**
     * The epoch and the highest global sequence of the data frames a namespace receives on its links while
     * {@code traffic} runs. The socket is open before the traffic starts; {@code traffic} is called again and again,
     * 200 ms apart, until a data frame has been seen; the answer comes once it has returned and no data frame came
     * for 300 ms, so it is the sender's last number (fails after 10 s). Nothing else may be sent meanwhile.
     */
    static int[] listen(String namespace, int etherType, Callable<?> traffic) throws Exception {
        return NetworkNamespace.call(namespace, () -> {
            try (PacketSocket socket = PacketSocket.open(etherType, 32)) {
                AtomicBoolean seen = new AtomicBoolean();
                AtomicReference<Exception> failure = new AtomicReference<>();
                Thread sender = new Thread(() -> {
                    try {
                        while (!seen.get()) {
                            traffic.call();
                            Thread.sleep(200);
                        }
                    } catch (Exception e) {
                        failure.set(e);
                    }
                }, "hostile-frames-traffic");
                sender.setDaemon(true);
                sender.start();
                try {
                    PacketBatch batch = new PacketBatch(32, SLOT);
                    FrameHeader header = new FrameHeader();
                    int epoch = 0;
                    int highest = 0;
                    long end = System.nanoTime() + 10_000_000_000L;
                    long quietSince = 0;
                    while (System.nanoTime() - end < 0) {
                        batch.clear();
                        socket.receive(batch, 50_000_000L);
                        for (int i = 0; i < batch.size(); i++) {
                            if (FrameCodec.decode(batch.packet(i), 0, batch.length(i), header) == Reject.NONE
                                    && header.frameType() == FrameType.DATA) {
                                if (!seen.get() || header.epoch() != epoch || header.globalSequence() - highest > 0) {
                                    highest = header.globalSequence();
                                }
                                epoch = header.epoch();
                                quietSince = System.nanoTime();
                                seen.set(true);
                            }
                        }
                        if (seen.get() && !sender.isAlive() && System.nanoTime() - quietSince > 300_000_000L) {
                            return new int[] {epoch, highest};
                        }
                    }
                    throw new AssertionError("no Alagg data frame seen in " + namespace + " within 10 s, or the traffic"
                            + " did not stop" + (failure.get() == null ? "" : " (the traffic failed: " + failure.get() + ")"));
                } finally {
                    seen.set(true); // stops the sender
                    sender.join(5000);
                }
            }
        });
    }

    /** Sends each frame from {@code device} in {@code namespace} to {@code destination}. */
    static void send(String namespace, String device, String destination, int etherType, List<byte[]> frames) throws Exception {
        try (Injector injector = Injector.open(namespace, device, destination, etherType)) {
            int sent = injector.send(frames);
            if (sent != frames.size()) {
                throw new AssertionError("sent " + sent + " of " + frames.size() + " frames");
            }
        }
    }

    /** A frame as a {@link Sniffer} saw it: its bytes (without Ethernet padding) and its header. */
    record Seen(byte[] bytes, FrameType type, int epoch, int sequence, int linkId, int linkSequence, int innerLength,
            int tagLength, long sourceMac) {
        /** The inner packet. */
        byte[] inner() {
            return Arrays.copyOfRange(bytes, FrameCodec.HEADER_LENGTH, FrameCodec.HEADER_LENGTH + innerLength);
        }
    }

    /**
     * A socket that watches the Alagg frames arriving on one interface of a namespace, as a host on the link sees
     * them: well-formed frames only, kept as they arrived. Used from one thread.
     */
    static final class Sniffer implements AutoCloseable {
        private final PacketSocket socket;
        private final PacketBatch batch = new PacketBatch(64, SLOT);
        private final FrameHeader header = new FrameHeader();
        private final List<Seen> pending = new ArrayList<>();

        private Sniffer(PacketSocket socket) {
            this.socket = socket;
        }

        static Sniffer open(String namespace, String device, int etherType) throws Exception {
            return new Sniffer(NetworkNamespace.call(namespace,
                    () -> PacketSocket.open(etherType, 64, NetworkInterfaces.index(device))));
        }

        /** Forgets what arrived so far. */
        void drain() throws Exception {
            pending.clear();
            do {
                batch.clear();
            } while (socket.receive(batch, 0) > 0);
        }

        /** The next frame that arrives and passes {@code filter}, or null after {@code timeoutMillis}. */
        Seen next(Predicate<Seen> filter, long timeoutMillis) throws Exception {
            long end = System.nanoTime() + timeoutMillis * 1_000_000L;
            while (true) {
                while (!pending.isEmpty()) {
                    Seen s = pending.remove(0);
                    if (filter.test(s)) {
                        return s;
                    }
                }
                long left = end - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                batch.clear();
                int n = socket.receive(batch, Math.min(left, 20_000_000L));
                for (int i = 0; i < n; i++) {
                    ByteBuffer frame = batch.packet(i);
                    if (FrameCodec.decode(frame, 0, batch.length(i), header) == Reject.NONE) {
                        byte[] bytes = new byte[header.frameLength()];
                        frame.get(0, bytes);
                        pending.add(new Seen(bytes, header.frameType(), header.epoch(), header.globalSequence(),
                                header.linkId(), header.linkSequence(), header.innerLength(), header.authTagLength(),
                                socket.sourceMac(i)));
                    }
                }
            }
        }

        /** Up to {@code count} frames that pass {@code filter}, as many as arrive within {@code timeoutMillis}. */
        List<Seen> collect(int count, Predicate<Seen> filter, long timeoutMillis) throws Exception {
            long end = System.nanoTime() + timeoutMillis * 1_000_000L;
            List<Seen> kept = new ArrayList<>();
            while (kept.size() < count) {
                Seen s = next(filter, Math.max(0, (end - System.nanoTime()) / 1_000_000L));
                if (s == null) {
                    break;
                }
                kept.add(s);
            }
            return kept;
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    /**
     * A socket that sends frames from one interface of a namespace to one MAC, opened once so a frame can follow
     * what a {@link Sniffer} saw within microseconds. Used from one thread.
     */
    static final class Injector implements AutoCloseable {
        private static final int BATCH = 128;
        private final PacketSocket socket;
        private final PacketBatch batch = new PacketBatch(BATCH, SLOT);

        private Injector(PacketSocket socket) {
            this.socket = socket;
        }

        static Injector open(String namespace, String device, String destination, int etherType) throws Exception {
            return new Injector(NetworkNamespace.call(namespace, () -> {
                int index = NetworkInterfaces.index(device);
                PacketSocket socket = PacketSocket.open(etherType, BATCH, index);
                socket.setDestination(0, index, MacAddress.parse(destination));
                return socket;
            }));
        }

        /** Sends the frames in batches; returns how many the kernel took. */
        int send(List<byte[]> frames) throws Exception {
            int sent = 0;
            for (int from = 0; from < frames.size(); from += BATCH) {
                batch.clear();
                for (byte[] frame : frames.subList(from, Math.min(frames.size(), from + BATCH))) {
                    batch.slot(batch.size()).put(frame);
                    batch.commit(frame.length, PayloadType.IPV4, 0);
                }
                sent += socket.send(batch);
            }
            return sent;
        }

        /** Sends one frame; true when the kernel took it. */
        boolean send(byte[] frame) throws Exception {
            return send(List.of(frame)) == 1;
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    /** A well-formed data frame carrying {@code inner} (an IPv4 packet). */
    static byte[] dataFrame(int epoch, int sequence, byte[] inner) {
        return dataFrame(epoch, sequence, 0, sequence, inner);
    }

    /** A well-formed data frame without a tag, carrying {@code inner} (an IPv4 packet). */
    static byte[] dataFrame(int epoch, int sequence, int linkId, int linkSequence, byte[] inner) {
        ByteBuffer frame = ByteBuffer.allocate(FrameCodec.HEADER_LENGTH + inner.length);
        FrameCodec.encode(header(epoch, sequence, linkId, linkSequence, inner.length, 0), frame, 0);
        frame.put(FrameCodec.HEADER_LENGTH, inner);
        return frame.array();
    }

    /**
     * A key as one side signs with it on one link: the tag covers the link's two Ethernet addresses in their order
     * (docs/protocol.md section 7), so a frame signed from A to B verifies only at B, and only for that link.
     *
     * @param source the sending side's address on the link ({@link MacAddress#toLong()})
     * @param destination the receiving side's address on the link
     */
    record Key(FrameAuth auth, long source, long destination) {
        static Key of(byte[] key, String source, String destination) {
            return new Key(new FrameAuth(key), MacAddress.parse(source).toLong(), MacAddress.parse(destination).toLong());
        }

        /** The same key, signing for another link or direction. */
        Key between(long otherSource, long otherDestination) {
            return new Key(auth, otherSource, otherDestination);
        }

        /** Whether a received frame's tag is this key's, for this direction. */
        boolean verifies(Seen frame) {
            return auth.verify(ByteBuffer.wrap(frame.bytes()), 0, frame.innerLength(), source, destination);
        }
    }

    /** A data frame carrying {@code inner} (an IPv4 packet), signed with {@code key} as a peer with it signs. */
    static byte[] signedDataFrame(Key key, int epoch, int sequence, int linkId, int linkSequence, byte[] inner) {
        ByteBuffer frame = ByteBuffer.allocate(FrameCodec.HEADER_LENGTH + inner.length + FrameAuth.TAG_LENGTH);
        FrameCodec.encode(header(epoch, sequence, linkId, linkSequence, inner.length, FrameAuth.TAG_LENGTH), frame, 0);
        frame.put(FrameCodec.HEADER_LENGTH, inner);
        key.auth().digestPayload(frame, 0, inner.length);
        key.auth().sign(frame, 0, inner.length, key.source(), key.destination());
        return frame.array();
    }

    /** A frame seen on a link, signed anew with {@code key} (its header and payload otherwise unchanged). */
    static byte[] resigned(Key key, Seen seen) {
        return signedDataFrame(key, seen.epoch(), seen.sequence(), seen.linkId(), seen.linkSequence(), seen.inner());
    }

    /**
     * A data frame that announces a tag of {@code tagLength} bytes (AUTH set) but carries {@code tag}, whatever it
     * is: a tag of another key, a MAC with a bit flipped, a length the receiver does not use.
     */
    static byte[] taggedDataFrame(int epoch, int sequence, int linkId, int linkSequence, byte[] inner, byte[] tag) {
        ByteBuffer frame = ByteBuffer.allocate(FrameCodec.HEADER_LENGTH + inner.length + tag.length);
        FrameCodec.encode(header(epoch, sequence, linkId, linkSequence, inner.length, tag.length), frame, 0);
        frame.put(FrameCodec.HEADER_LENGTH, inner);
        frame.put(FrameCodec.HEADER_LENGTH + inner.length, tag);
        return frame.array();
    }

    /** The tag of a signed frame (the bytes after its payload). */
    static byte[] tagOf(byte[] signedFrame, int innerLength) {
        return Arrays.copyOfRange(signedFrame, FrameCodec.HEADER_LENGTH + innerLength, signedFrame.length);
    }

    private static FrameHeader header(int epoch, int sequence, int linkId, int linkSequence, int innerLength, int tagLength) {
        return new FrameHeader().frameType(FrameType.DATA).payloadProtocol(PayloadProtocol.IPV4).innerLength(innerLength)
                .linkId(linkId).epoch(epoch).globalSequence(sequence).linkSequence(linkSequence).authTagLength(tagLength);
    }

    /** A data frame whose header claims {@code claimed} bytes of inner packet but carries only {@code inner}. */
    static byte[] overlongFrame(int epoch, int sequence, byte[] inner, int claimed) {
        byte[] frame = dataFrame(epoch, sequence, inner);
        // inner length: bytes 4-5 of the header (docs/protocol.md)
        frame[4] = (byte) (claimed >>> 8);
        frame[5] = (byte) claimed;
        return frame;
    }

    /** An IPv4 UDP datagram (checksums right) from {@code source} to {@code destination}, port 9 (discard). */
    static byte[] udp(byte[] source, byte[] destination, int payloadLength) {
        return udp(source, destination, 9, payloadLength);
    }

    /** An IPv4 UDP datagram (checksums right) from {@code source}, port 40000, to {@code destination}, {@code port}. */
    static byte[] udp(byte[] source, byte[] destination, int port, int payloadLength) {
        int length = 20 + 8 + payloadLength;
        ByteBuffer p = ByteBuffer.allocate(length);
        p.put((byte) 0x45).put((byte) 0).putShort((short) length).putShort((short) 0x1234).putShort((short) 0x4000)
                .put((byte) 64).put((byte) 17).putShort((short) 0).put(source).put(destination);
        p.putShort(10, (short) checksum(p.array(), 0, 20));
        p.putShort((short) 40000).putShort((short) port).putShort((short) (8 + payloadLength)).putShort((short) 0);
        return p.array();
    }

    static byte[] ipv4(String address) {
        String[] parts = address.split("\\.");
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            bytes[i] = (byte) Integer.parseInt(parts[i]);
        }
        return bytes;
    }

    private static int checksum(byte[] data, int offset, int length) {
        int sum = 0;
        for (int i = offset; i < offset + length; i += 2) {
            sum += ((data[i] & 0xff) << 8) | (data[i + 1] & 0xff);
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return ~sum & 0xffff;
    }
}
