package org.alagg.engine;

import java.nio.ByteBuffer;
import java.util.Arrays;

import org.alagg.api.Alagg;
import org.alagg.protocol.FecCode;

/**
 * The egress thread's forward error correction for one peer: the open group of DATA frames and its parity symbols,
 * each DATA packet added to every parity symbol as it is sent ({@link FecCode}'s coefficients do not depend on the
 * group's size, so a group closed by its timeout needs nothing redone). Made once per peer, when FEC is first on; nothing
 * is allocated per packet.
 */
final class FecEncoder {
    /** The longest symbol: a packet's length and protocol, then the packet. */
    static final int SYMBOL = FecCode.SYMBOL_HEADER + DataPath.MAX_PACKET;

    private final byte[][] parity = new byte[Alagg.MAX_FEC_FRAMES][SYMBOL];
    private final byte[] symbol = new byte[SYMBOL];
    /** DATA frames of the open group each link carried, by link id; {@code touched} lists the ids counted. */
    private final int[] linkFrames = new int[DataPath.MAX_LINKS];
    private final int[] touched = new int[DataPath.MAX_LINKS];
    private int touchedCount;

    /** The open group's k and m (fixed when it opened), epoch, first number, DATA frames so far, symbol length. */
    private int k;
    private int m;
    private int epoch;
    private int first;
    private int count;
    private int length;
    private long openedNanos;
    private long timeoutNanos;

    boolean open() {
        return count > 0;
    }

    /** Adds a numbered DATA packet to the open group, opening one with these settings when none is. */
    void add(FecSettings settings, int epoch, int sequence, ByteBuffer packet, int packetLength, int protocolCode,
             long now) {
        if (count == 0) {
            k = settings.k();
            m = settings.m();
            timeoutNanos = settings.timeoutNanos();
            this.epoch = epoch;
            first = sequence;
            openedNanos = now;
        }
        FecCode.writeSymbolHeader(symbol, packetLength, protocolCode);
        packet.get(0, symbol, FecCode.SYMBOL_HEADER, packetLength);
        int symbolLength = FecCode.SYMBOL_HEADER + packetLength;
        for (int j = 0; j < m; j++) {
            FecCode.encode(parity[j], j, symbol, count, symbolLength);
        }
        length = Math.max(length, symbolLength);
        count++;
    }

    /** The packet just added left on this link. */
    void carried(int linkId) {
        if (linkFrames[linkId]++ == 0) {
            touched[touchedCount++] = linkId;
        }
    }

    /** The open group has its k frames. */
    boolean full() {
        return count > 0 && count >= k;
    }

    /** When the open group's timeout ends; {@link Long#MAX_VALUE} when none is open. */
    long deadline() {
        return count > 0 ? openedNanos + timeoutNanos : Long.MAX_VALUE;
    }

    int k() {
        return count;
    }

    int m() {
        return m;
    }

    int epoch() {
        return epoch;
    }

    int first() {
        return first;
    }

    int length() {
        return length;
    }

    byte[] parity(int j) {
        return parity[j];
    }

    /** The DATA frames of the open group a link carried. */
    int frames(int linkId) {
        return linkFrames[linkId];
    }

    /** Forgets the group (its parity was sent): the symbols are zero again for the next. */
    void close() {
        for (int j = 0; j < m; j++) {
            Arrays.fill(parity[j], 0, length, (byte) 0);
        }
        for (int t = 0; t < touchedCount; t++) {
            linkFrames[touched[t]] = 0;
        }
        touchedCount = 0;
        count = 0;
        length = 0;
    }
}
