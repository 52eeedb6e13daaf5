package org.alagg.engine;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import org.alagg.api.Alagg;
import org.alagg.protocol.FecCode;
import org.alagg.protocol.FecDecoder;
import org.alagg.protocol.Sequence;

/**
 * The ingress thread's forward error correction for one peer: the DATA packets of the groups still open (a ring by
 * sequence number, as symbols), the parity symbols that came for them, and the repair of a group as soon as k of its
 * k + m frames are here. Bounded: {@value #GROUPS} groups (a settled one evicted first, else the oldest, its missing
 * packets counted unrepairable) and {@value #RING} packets. Made once per peer, at its first PARITY frame (2 MB, and
 * 2 KB for each parity row of a group slot the first time it is used); nothing is allocated per frame in steady state. The caller ({@link PeerReceive}) has authenticated every frame it gives here and hands repaired
 * packets to duplicate discard and reordering like received ones.
 */
final class FecRepair {
    /**
     * Groups kept. Many: the transport hands over each link's frames in batches, so a group's parity on one link may be
     * taken up to a batch (64 frames, about ten groups of 4:2) before its DATA frames on another.
     */
    static final int GROUPS = 48;
    /** Packets kept, by sequence number. */
    static final int RING = 1024;
    /** How long after the last PARITY frame the peer counts as sending FEC. */
    static final long ACTIVE_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final int MAX = Alagg.MAX_FEC_FRAMES;

    /** The packets as symbols, by {@code sequence & (RING - 1)}: which number each holds, its symbol length (0: none). */
    private final byte[][] data = new byte[RING][FecEncoder.SYMBOL];
    private final ByteBuffer[] dataBuffers = new ByteBuffer[RING];
    private final int[] dataSequence = new int[RING];
    private final int[] dataLength = new int[RING];

    private final boolean[] used = new boolean[GROUPS];
    private final boolean[] settled = new boolean[GROUPS];
    private final int[] first = new int[GROUPS];
    private final int[] k = new int[GROUPS];
    private final int[] m = new int[GROUPS];
    private final int[] length = new int[GROUPS];
    /** The parity symbols of each group that came, as a bit set by index. */
    private final int[] parityHere = new int[GROUPS];
    private final byte[][][] parity = new byte[GROUPS][MAX][];

    private final FecDecoder decoder = new FecDecoder(MAX);
    private final int[] missing = new int[MAX];
    private final int[] rows = new int[MAX];
    private final byte[][] syndromes = new byte[MAX][FecEncoder.SYMBOL];
    private final byte[][] out = new byte[MAX][];

    /** The largest k the peer's parity frames named since it began sending them. */
    private int largestK;
    private long lastParityNanos;
    private boolean everParity;

    FecRepair() {
        for (int i = 0; i < RING; i++) {
            dataBuffers[i] = ByteBuffer.wrap(data[i]);
        }
    }

    /** Whether the peer sent a PARITY frame lately: its DATA packets are kept for repairs. */
    boolean active(long now) {
        return everParity && now - lastParityNanos < ACTIVE_NANOS;
    }

    /**
     * The horizon (gaps before it are given up, {@link PeerReceive}) as FEC lets it go while the peer sends parity: the
     * largest k lately named less. A link sends a group's parity after its DATA frames of the group and before the
     * next group's, so once every link has passed {@code h}, the group of any number before {@code h - k} ended before
     * {@code h}: every frame of it, parity included, came or was lost, and a gap there can no longer be repaired. A gap
     * after it may still be. {@code horizon} unchanged when the peer sends no parity.
     */
    int horizon(int horizon, long now) {
        return active(now) ? horizon - largestK : horizon;
    }

    /** Keeps a received DATA packet (authentic, new) as its symbol; one longer than a symbol holds is not kept. */
    void keep(int sequence, ByteBuffer frame, int offset, int packetLength, int protocolCode) {
        if (packetLength > DataPath.MAX_PACKET) {
            return; // no group of a peer that codes as this side does holds it: its parity could not cover it
        }
        int slot = sequence & (RING - 1);
        FecCode.writeSymbolHeader(data[slot], packetLength, protocolCode);
        frame.get(offset, data[slot], FecCode.SYMBOL_HEADER, packetLength);
        dataSequence[slot] = sequence;
        dataLength[slot] = FecCode.SYMBOL_HEADER + packetLength;
    }

    private boolean here(int sequence) {
        int slot = sequence & (RING - 1);
        return dataLength[slot] > 0 && dataSequence[slot] == sequence;
    }

    /** The open group that holds {@code sequence}, or -1. */
    int groupOf(int sequence) {
        for (int g = 0; g < GROUPS; g++) {
            if (used[g] && !settled[g] && Sequence.distance(first[g], sequence) >= 0
                    && Sequence.distance(first[g], sequence) < k[g]) {
                return g;
            }
        }
        return -1;
    }

    /**
     * Takes a parity symbol (its group's header checked by the caller). Returns its group, or -1 when it does not fit
     * the group as earlier parity named it; the symbol is kept unless it came already.
     *
     * @param unrepairable told the packets an evicted group could not get back
     */
    int parity(int groupFirst, int groupK, int groupM, int index, ByteBuffer frame, int offset, int symbolLength,
               long now, Counters counters, int unrepairable) {
        if (symbolLength <= FecCode.SYMBOL_HEADER || symbolLength > FecEncoder.SYMBOL) {
            return -1; // no packet's symbol has that length
        }
        largestK = active(now) ? Math.max(largestK, groupK) : groupK;
        everParity = true;
        lastParityNanos = now;
        int g = find(groupFirst);
        if (g < 0) {
            g = evict(counters, unrepairable);
            used[g] = true;
            settled[g] = false;
            first[g] = groupFirst;
            k[g] = groupK;
            m[g] = groupM;
            length[g] = symbolLength;
            parityHere[g] = 0;
        } else if (k[g] != groupK || m[g] != groupM || length[g] != symbolLength) {
            return -1;
        }
        if ((parityHere[g] & 1 << index) == 0 && !settled[g]) {
            if (parity[g][index] == null) {
                parity[g][index] = new byte[FecEncoder.SYMBOL]; // once per slot and row
            }
            frame.get(offset, parity[g][index], 0, symbolLength);
            parityHere[g] |= 1 << index;
        }
        return g;
    }

    private int find(int groupFirst) {
        for (int g = 0; g < GROUPS; g++) {
            if (used[g] && first[g] == groupFirst) {
                return g;
            }
        }
        return -1;
    }

    /**
     * A free group, else the oldest settled one, else the oldest one, whose packets still missing are counted
     * unrepairable.
     */
    private int evict(Counters counters, int unrepairable) {
        int oldest = -1;
        int oldestSettled = -1;
        for (int g = 0; g < GROUPS; g++) {
            if (!used[g]) {
                return g;
            }
            if (settled[g] && (oldestSettled < 0 || Sequence.isAfter(first[oldestSettled], first[g]))) {
                oldestSettled = g;
            }
            if (oldest < 0 || Sequence.isAfter(first[oldest], first[g])) {
                oldest = g;
            }
        }
        if (oldestSettled >= 0) {
            return oldestSettled;
        }
        if (!settled[oldest]) {
            counters.add(unrepairable, missing(oldest));
        }
        return oldest;
    }

    /** Lists the group's packets not here in {@link #missing}; returns how many. */
    private int missing(int g) {
        int count = 0;
        for (int i = 0; i < k[g]; i++) {
            if (!here(first[g] + i)) {
                if (count < MAX) {
                    missing[count] = i;
                }
                count++;
            }
        }
        return count;
    }

    /** Receives each packet a repair gave back: its number, its symbol's buffer, length and type code. */
    interface Repaired {
        void repaired(int sequence, ByteBuffer symbol, int packetLength, int protocolCode);
    }

    /**
     * Repairs group {@code g} when k of its frames are here and a packet is missing; a group with every packet is
     * settled. Returns the parity symbols used (0: nothing repaired), or -1 when the repair gave garbage (a peer that
     * codes otherwise).
     */
    int repair(int g, Repaired to) {
        if (g < 0 || settled[g]) {
            return 0;
        }
        int lost = missing(g);
        if (lost == 0) {
            settled[g] = true;
            return 0;
        }
        if (lost > Integer.bitCount(parityHere[g])) {
            return 0;
        }
        int symbolLength = length[g];
        for (int i = 0; i < k[g]; i++) {
            int slot = first[g] + i & RING - 1;
            // a packet longer than the group's symbols: not the group its parity was made of
            boolean longer = here(first[g] + i) && dataLength[slot] > symbolLength;
            // the slot of a missing one holds a newer number (the ring went round): its repair would overwrite it
            boolean taken = !here(first[g] + i) && dataLength[slot] > 0
                    && Sequence.isAfter(dataSequence[slot], first[g] + i);
            if (longer || taken) {
                settled[g] = true;
                return -1;
            }
        }
        int r = 0;
        for (int j = 0; j < m[g] && r < lost; j++) {
            if ((parityHere[g] & 1 << j) != 0) {
                rows[r] = j;
                System.arraycopy(parity[g][j], 0, syndromes[r], 0, symbolLength);
                for (int i = 0; i < k[g]; i++) {
                    int slot = first[g] + i & RING - 1;
                    if (here(first[g] + i)) {
                        FecCode.encode(syndromes[r], j, data[slot], i, Math.min(dataLength[slot], symbolLength));
                    }
                }
                r++;
            }
        }
        for (int b = 0; b < lost; b++) {
            out[b] = data[first[g] + missing[b] & RING - 1];
        }
        decoder.repair(lost, missing, rows, syndromes, symbolLength, out);
        settled[g] = true;
        for (int b = 0; b < lost; b++) {
            out[b] = null;
        }
        // every packet of the solve checked before any is delivered: one wrong says the group was not what its
        // parity was made of, and then none of them is right
        for (int b = 0; b < lost; b++) {
            if (!plausible(data[first[g] + missing[b] & RING - 1], symbolLength)) {
                return -1;
            }
        }
        for (int b = 0; b < lost; b++) {
            int sequence = first[g] + missing[b];
            int slot = sequence & RING - 1;
            int packetLength = FecCode.packetLength(data[slot]);
            dataSequence[slot] = sequence;
            dataLength[slot] = FecCode.SYMBOL_HEADER + packetLength;
            to.repaired(sequence, dataBuffers[slot], packetLength, FecCode.protocolCode(data[slot]));
        }
        return lost;
    }

    /**
     * Whether a repaired symbol looks like a packet: its length fits the group's symbols, its protocol is one Alagg
     * carries, and an IP packet's own header agrees (version, total or payload length).
     */
    private static boolean plausible(byte[] symbol, int symbolLength) {
        int packetLength = FecCode.packetLength(symbol);
        org.alagg.api.PayloadType type = Payloads.fromCode(FecCode.protocolCode(symbol));
        if (packetLength < 1 || FecCode.SYMBOL_HEADER + packetLength > symbolLength || type == null) {
            return false;
        }
        int at = FecCode.SYMBOL_HEADER;
        int version = (symbol[at] & 0xff) >>> 4;
        return switch (type) {
            case IPV4 -> version == 4 && packetLength >= 20
                    && ((symbol[at + 2] & 0xff) << 8 | symbol[at + 3] & 0xff) == packetLength;
            case IPV6 -> version == 6 && packetLength >= 40
                    && ((symbol[at + 4] & 0xff) << 8 | symbol[at + 5] & 0xff) + 40 == packetLength;
            default -> true;
        };
    }

    /** The peer's stream went on elsewhere (a new epoch, a jump): nothing kept belongs to it any more. */
    void reset() {
        for (int g = 0; g < GROUPS; g++) {
            used[g] = false;
        }
        for (int i = 0; i < RING; i++) {
            dataLength[i] = 0;
        }
    }
}
