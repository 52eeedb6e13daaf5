package org.alagg.protocol;

import java.util.Objects;

/**
 * The fields of one Alagg frame header, mutable so one instance per thread can be reused for
 * every frame. Setters check ranges, so {@link FrameCodec#encode} never has to truncate a
 * value silently; they return {@code this} for chaining.
 *
 * <p>Sequence numbers and the epoch are 32-bit values held in {@code int}s; compare sequence
 * numbers with {@link Sequence}, never with {@code <}.
 */
public final class FrameHeader {
    /** Largest inner length the 16-bit field holds. */
    public static final int MAX_INNER_LENGTH = 0xFFFF;
    /** Largest link id the 8-bit field holds. */
    public static final int MAX_LINK_ID = 0xFF;
    /** Largest auth tag length the 8-bit field holds. */
    public static final int MAX_AUTH_TAG_LENGTH = 0xFF;

    private FrameType frameType;
    private PayloadProtocol payloadProtocol;
    private int innerLength;
    private int linkId;
    private int authTagLength;
    private int epoch;
    private int globalSequence;
    private int linkSequence;

    /** @return the frame type, or {@code null} on a fresh header */
    public FrameType frameType() {
        return frameType;
    }

    /** @param frameType what the frame is for, not null */
    public FrameHeader frameType(FrameType frameType) {
        this.frameType = Objects.requireNonNull(frameType, "frameType");
        return this;
    }

    /** @return what the payload is, or {@code null} on a fresh header */
    public PayloadProtocol payloadProtocol() {
        return payloadProtocol;
    }

    /** @param payloadProtocol {@link PayloadProtocol#NONE} for probes, the packet's protocol for DATA */
    public FrameHeader payloadProtocol(PayloadProtocol payloadProtocol) {
        this.payloadProtocol = Objects.requireNonNull(payloadProtocol, "payloadProtocol");
        return this;
    }

    /**
     * @return the length of the payload that follows the header, in bytes; the bytes after
     *         it (auth tag aside) are Ethernet padding
     */
    public int innerLength() {
        return innerLength;
    }

    /** @param innerLength 0 to {@link #MAX_INNER_LENGTH} */
    public FrameHeader innerLength(int innerLength) {
        this.innerLength = checkRange(innerLength, MAX_INNER_LENGTH, "innerLength");
        return this;
    }

    /** @return the id of the link the sender sent this frame on */
    public int linkId() {
        return linkId;
    }

    /** @param linkId 0 to {@link #MAX_LINK_ID} */
    public FrameHeader linkId(int linkId) {
        this.linkId = checkRange(linkId, MAX_LINK_ID, "linkId");
        return this;
    }

    /**
     * @return the length of the authentication tag that trails the payload, 0 when the frame
     *         carries none (the AUTH flag on the wire is set exactly when this is not 0)
     */
    public int authTagLength() {
        return authTagLength;
    }

    /** @param authTagLength 0 (no tag) to {@link #MAX_AUTH_TAG_LENGTH} */
    public FrameHeader authTagLength(int authTagLength) {
        this.authTagLength = checkRange(authTagLength, MAX_AUTH_TAG_LENGTH, "authTagLength");
        return this;
    }

    /** @return the sender's epoch: random per sender run, so a restarted peer is recognised */
    public int epoch() {
        return epoch;
    }

    /** @param epoch any 32-bit value; the same for every frame of one sender run */
    public FrameHeader epoch(int epoch) {
        this.epoch = epoch;
        return this;
    }

    /** @return the global sequence number (32-bit, wraps; see {@link Sequence}) */
    public int globalSequence() {
        return globalSequence;
    }

    /** @param globalSequence any 32-bit value, unsigned on the wire */
    public FrameHeader globalSequence(int globalSequence) {
        this.globalSequence = globalSequence;
        return this;
    }

    /** @return the per-link sequence number (32-bit, wraps; see {@link Sequence}) */
    public int linkSequence() {
        return linkSequence;
    }

    /** @param linkSequence any 32-bit value, unsigned on the wire */
    public FrameHeader linkSequence(int linkSequence) {
        this.linkSequence = linkSequence;
        return this;
    }

    /**
     * @return the bytes from the start of the header to the end of the auth tag: what a
     *         sender transmits after the Ethernet header (before any padding)
     */
    public int frameLength() {
        return FrameCodec.HEADER_LENGTH + innerLength + authTagLength;
    }

    @Override
    public String toString() {
        return "FrameHeader[" + frameType + ' ' + payloadProtocol + " inner=" + innerLength
                + " link=" + linkId + " tag=" + authTagLength
                + " epoch=" + Integer.toHexString(epoch)
                + " gseq=" + Integer.toUnsignedString(globalSequence)
                + " lseq=" + Integer.toUnsignedString(linkSequence) + ']';
    }

    private static int checkRange(int value, int max, String name) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(name + " " + value + " not in 0.." + max);
        }
        return value;
    }
}
