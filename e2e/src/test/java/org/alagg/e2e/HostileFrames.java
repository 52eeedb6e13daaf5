package org.alagg.e2e;

import java.nio.ByteBuffer;
import java.util.List;

import org.alagg.api.MacAddress;
import org.alagg.api.PacketBatch;
import org.alagg.api.PayloadType;
import org.alagg.linux.NetworkInterfaces;
import org.alagg.linux.NetworkNamespace;
import org.alagg.linux.PacketSocket;
import org.alagg.protocol.FrameCodec;
import org.alagg.protocol.FrameHeader;
import org.alagg.protocol.FrameType;
import org.alagg.protocol.PayloadProtocol;
import org.alagg.protocol.Reject;

/**
 * A small sender of hostile frames with the Alagg EtherType, as a host on a link could send them: raw AF_PACKET
 * frames written by hand, some with a forged but well-formed header (its epoch learnt by listening on the link).
 */
final class HostileFrames {
    private static final int SLOT = 2048;

    private HostileFrames() {
    }

    /** The epoch and the latest global sequence of the frames a namespace receives on its links (waits up to 5 s). */
    static int[] listen(String namespace, int etherType) throws Exception {
        return NetworkNamespace.call(namespace, () -> {
            try (PacketSocket socket = PacketSocket.open(etherType, 32)) {
                PacketBatch batch = new PacketBatch(32, SLOT);
                FrameHeader header = new FrameHeader();
                long end = System.nanoTime() + 5_000_000_000L;
                while (System.nanoTime() - end < 0) {
                    batch.clear();
                    socket.receive(batch, 100_000_000L);
                    for (int i = 0; i < batch.size(); i++) {
                        if (FrameCodec.decode(batch.packet(i), 0, batch.length(i), header) == Reject.NONE
                                && header.frameType() == FrameType.DATA) {
                            return new int[] {header.epoch(), header.globalSequence()};
                        }
                    }
                }
                throw new AssertionError("no Alagg data frame seen in " + namespace + " within 5 s");
            }
        });
    }

    /** Sends each frame from {@code device} in {@code namespace} to {@code destination}. */
    static void send(String namespace, String device, String destination, int etherType, List<byte[]> frames) throws Exception {
        NetworkNamespace.call(namespace, () -> {
            try (PacketSocket socket = PacketSocket.open(etherType, frames.size())) {
                socket.setDestination(0, NetworkInterfaces.index(device), MacAddress.parse(destination));
                PacketBatch batch = new PacketBatch(frames.size(), SLOT);
                for (byte[] frame : frames) {
                    batch.slot(batch.size()).put(frame);
                    batch.commit(frame.length, PayloadType.IPV4, 0);
                }
                int sent = socket.send(batch);
                if (sent != frames.size()) {
                    throw new AssertionError("sent " + sent + " of " + frames.size() + " frames");
                }
                return null;
            }
        });
    }

    /** A well-formed data frame carrying {@code inner} (an IPv4 packet). */
    static byte[] dataFrame(int epoch, int sequence, byte[] inner) {
        ByteBuffer frame = ByteBuffer.allocate(FrameCodec.HEADER_LENGTH + inner.length);
        FrameHeader header = new FrameHeader().frameType(FrameType.DATA).payloadProtocol(PayloadProtocol.IPV4)
                .innerLength(inner.length).linkId(0).epoch(epoch).globalSequence(sequence).linkSequence(sequence);
        FrameCodec.encode(header, frame, 0);
        frame.put(FrameCodec.HEADER_LENGTH, inner);
        return frame.array();
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
        int length = 20 + 8 + payloadLength;
        ByteBuffer p = ByteBuffer.allocate(length);
        p.put((byte) 0x45).put((byte) 0).putShort((short) length).putShort((short) 0x1234).putShort((short) 0x4000)
                .put((byte) 64).put((byte) 17).putShort((short) 0).put(source).put(destination);
        p.putShort(10, (short) checksum(p.array(), 0, 20));
        p.putShort((short) 40000).putShort((short) 9).putShort((short) (8 + payloadLength)).putShort((short) 0);
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
