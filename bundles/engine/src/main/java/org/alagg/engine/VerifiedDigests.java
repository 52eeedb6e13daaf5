package org.alagg.engine;

import java.util.Arrays;

import org.alagg.protocol.FrameAuth;

/**
 * The payload digests of the DATA frames verified lately, by epoch and Global sequence, so that the further copies of
 * a packet (one per link) are checked with {@link FrameAuth#verifyHeader} against the first copy's digest: the
 * receiver hashes each packet's payload once, as the sender does, and pays only the short HMAC for the others.
 *
 * <p>A copy checked this way has an authentic header but unchecked payload bytes: it may only be discarded as a
 * duplicate. {@link Ingress} verifies it in full before anything else may happen to it.
 *
 * <p>Direct-mapped by sequence number: a packet's copies arrive within {@value #SLOTS} packets of each other unless
 * the links' delays differ by more than that many packets' time; a later copy then simply pays the full check.
 * Single-threaded (the ingress thread), no allocation after construction.
 */
final class VerifiedDigests {
    static final int SLOTS = 2048;

    private final long[] packets = new long[SLOTS];
    private final boolean[] filled = new boolean[SLOTS];
    private final byte[] digests = new byte[SLOTS * FrameAuth.DIGEST_LENGTH];

    /** @return where in {@link #digests()} the digest of this packet starts, or -1 when it is not known */
    int find(int epoch, int sequence) {
        int slot = sequence & SLOTS - 1;
        return filled[slot] && packets[slot] == packet(epoch, sequence) ? slot * FrameAuth.DIGEST_LENGTH : -1;
    }

    /** Keeps the payload digest of the frame {@code auth} has just verified. */
    void put(int epoch, int sequence, FrameAuth auth) {
        int slot = sequence & SLOTS - 1;
        auth.verifiedPayloadDigest(digests, slot * FrameAuth.DIGEST_LENGTH);
        packets[slot] = packet(epoch, sequence);
        filled[slot] = true;
    }

    byte[] digests() {
        return digests;
    }

    /** Forgets every digest (the keys changed). */
    void clear() {
        Arrays.fill(filled, false);
    }

    private static long packet(int epoch, int sequence) {
        return (long) epoch << 32 | Integer.toUnsignedLong(sequence);
    }
}
