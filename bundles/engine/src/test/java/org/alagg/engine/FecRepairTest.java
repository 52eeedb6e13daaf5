package org.alagg.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.alagg.protocol.FecCode;
import org.alagg.protocol.PayloadProtocol;
import org.junit.jupiter.api.Test;

/** What a receiver's repair takes and gives back when what comes is not what a well-behaved peer sends. */
class FecRepairTest {
    private static final int IPV4 = PayloadProtocol.IPV4.code();
    private final Counters counters = new Counters(Ingress.COUNTERS);
    private final List<Integer> repaired = new ArrayList<>();
    private final FecRepair.Repaired to = (sequence, symbol, length, code) -> repaired.add(sequence);

    /** An IPv4 packet of {@code length} bytes whose header says so, its bytes after the header {@code fill}. */
    private static ByteBuffer ipv4(int length, int fill) {
        ByteBuffer b = ByteBuffer.allocate(length);
        b.put(0, (byte) 0x45).putShort(2, (short) length);
        for (int i = 20; i < length; i++) {
            b.put(i, (byte) (fill + i));
        }
        return b;
    }

    /** The parity symbols 0..m-1 of these packets as a sender makes them. */
    private static byte[][] parity(int m, ByteBuffer... packets) {
        int length = 0;
        for (ByteBuffer p : packets) {
            length = Math.max(length, FecCode.SYMBOL_HEADER + p.capacity());
        }
        byte[][] parity = new byte[m][length];
        for (int i = 0; i < packets.length; i++) {
            byte[] symbol = new byte[length];
            FecCode.writeSymbolHeader(symbol, packets[i].capacity(), IPV4);
            packets[i].get(0, symbol, FecCode.SYMBOL_HEADER, packets[i].capacity());
            for (int j = 0; j < m; j++) {
                FecCode.encode(parity[j], j, symbol, i, FecCode.SYMBOL_HEADER + packets[i].capacity());
            }
        }
        return parity;
    }

    private int parityFrame(FecRepair fec, int first, int k, int m, int index, byte[] symbol) {
        return fec.parity(first, k, m, index, ByteBuffer.wrap(symbol), 0, symbol.length, 0, counters,
                Ingress.FEC_UNREPAIRABLE);
    }

    @Test
    void aLostPacketIsRebuiltFromItsGroup() {
        FecRepair fec = new FecRepair();
        ByteBuffer a = ipv4(100, 1);
        ByteBuffer b = ipv4(60, 2);
        byte[][] p = parity(1, a, b);
        fec.keep(10, a, 0, 100, IPV4);
        int g = parityFrame(fec, 10, 2, 1, 0, p[0]);
        assertEquals(1, fec.repair(g, to));
        assertEquals(List.of(11), repaired);
    }

    /** Frames longer than any symbol (a peer coding otherwise, or a forger with the key) are refused, never thrown on. */
    @Test
    void framesLongerThanASymbolAreRefusedNotThrownOn() {
        FecRepair fec = new FecRepair();
        fec.keep(1, ByteBuffer.allocate(3000), 0, DataPath.MAX_PACKET + 1, IPV4); // not kept, no exception
        byte[] huge = new byte[FecEncoder.SYMBOL + 1];
        assertEquals(-1, parityFrame(fec, 1, 2, 1, 0, huge));
        assertEquals(-1, parityFrame(fec, 1, 2, 1, 0, new byte[FecCode.SYMBOL_HEADER]));
    }

    /**
     * Parity that does not match the group (another sender's grouping, a forger with the key): a rebuilt packet whose
     * IP header disagrees with its length means none of the solve is delivered, not even the ones that look right.
     */
    @Test
    void aRepairThatGivesGarbageDeliversNothingOfTheGroup() {
        FecRepair fec = new FecRepair();
        ByteBuffer a = ipv4(100, 1);
        ByteBuffer b = ipv4(100, 2);
        ByteBuffer c = ipv4(100, 3);
        byte[][] p = parity(2, a, b, c);
        ByteBuffer wrongA = ipv4(90, 9); // the receiver holds another packet under a's number, of another length
        fec.keep(20, wrongA, 0, 90, IPV4);
        int g = parityFrame(fec, 20, 3, 2, 0, p[0]);
        parityFrame(fec, 20, 3, 2, 1, p[1]);
        assertEquals(-1, fec.repair(g, to));
        assertEquals(List.of(), repaired, "b and c rebuilt against the wrong a: garbage, delivered neither");
    }

    /** A group holding a DATA packet longer than its parity's symbols is not the group the parity was made of. */
    @Test
    void aHeldPacketLongerThanTheSymbolsRefusesTheRepair() {
        FecRepair fec = new FecRepair();
        ByteBuffer a = ipv4(60, 1);
        ByteBuffer b = ipv4(60, 2);
        byte[][] p = parity(1, a, b);
        fec.keep(30, ipv4(200, 5), 0, 200, IPV4);
        int g = parityFrame(fec, 30, 2, 1, 0, p[0]);
        assertEquals(-1, fec.repair(g, to));
        assertEquals(List.of(), repaired);
    }

    /** The ring went round: a missing packet's slot holds a newer number, which a repair must not overwrite. */
    @Test
    void aRepairNeverOverwritesANewerPacketInTheRing() {
        FecRepair fec = new FecRepair();
        ByteBuffer a = ipv4(100, 1);
        ByteBuffer b = ipv4(100, 2);
        byte[][] p = parity(1, a, b);
        fec.keep(40, a, 0, 100, IPV4);
        fec.keep(41 + FecRepair.RING, ipv4(80, 7), 0, 80, IPV4); // 41's slot
        int g = parityFrame(fec, 40, 2, 1, 0, p[0]);
        assertEquals(-1, fec.repair(g, to));
        assertEquals(List.of(), repaired);
        assertEquals(-1, fec.groupOf(41 + FecRepair.RING));
    }
}
