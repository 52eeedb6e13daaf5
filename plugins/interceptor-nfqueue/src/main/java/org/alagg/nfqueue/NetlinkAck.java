package org.alagg.nfqueue;

/**
 * An NLMSG_ERROR message as {@link PacketDecoder#decodeAck} read it: {@code struct nlmsgerr { int error;
 * struct nlmsghdr msg; }} where error 0 is an ack and a negative errno a failure, and msg is the header of
 * the request it answers. A reusable mutable holder.
 */
final class NetlinkAck {
    private int sequence;
    private int error;
    private int requestType;
    private int requestFlags;
    private int requestSequence;

    void set(int sequence, int error, int requestType, int requestFlags, int requestSequence) {
        this.sequence = sequence;
        this.error = error;
        this.requestType = requestType;
        this.requestFlags = requestFlags;
        this.requestSequence = requestSequence;
    }

    /** nlmsg_seq of the ack itself: the kernel copies the request's. */
    int sequence() {
        return sequence;
    }

    /** 0 for an ack, a negative errno for a failure. */
    int error() {
        return error;
    }

    boolean ok() {
        return error == 0;
    }

    /** nlmsg_type of the request answered, e.g. 0x0302 for an nfnetlink_queue CONFIG. */
    int requestType() {
        return requestType;
    }

    int requestFlags() {
        return requestFlags;
    }

    /** nlmsg_seq of the request answered, as echoed in the embedded header. */
    int requestSequence() {
        return requestSequence;
    }

    @Override
    public String toString() {
        return "NetlinkAck[seq=" + Integer.toUnsignedString(sequence) + ", error=" + error
                + (error != 0 ? " (" + Errno.name(error) + ")" : "")
                + ", request type=0x" + Integer.toHexString(requestType) + "]";
    }
}
