package org.alagg.nfqueue;

/**
 * Matches the kernel's acks to the requests that asked for them (NLM_F_ACK), by sequence number.
 *
 * <p>The sender {@link #register registers} each request and writes the returned sequence number into it;
 * every NLMSG_ERROR message received is handed to {@link #complete}, which returns the request it answers
 * with the outcome in words. Used on the setup path only (a handful of requests), not per packet.
 * Not thread-safe.
 */
final class PendingRequests {
    /** A request answered: {@code error} is 0 or a negative errno. */
    record Outcome(ConfigRequest request, int queue, int sequence, int error) {
        boolean ok() {
            return error == 0;
        }

        /** The operator-facing sentence, e.g. "cannot bind NFQUEUE 7: EPERM, another program owns ...". */
        String message() {
            return request.describe(queue, error);
        }
    }

    private final int[] sequences;
    private final ConfigRequest[] requests;
    private final int[] queues;
    private int size;
    private int nextSequence;

    /**
     * @param capacity      how many requests may await their ack at once
     * @param firstSequence the first sequence number to hand out (e.g. from the clock, so a restarted
     *                      program does not take a stale ack for its own)
     */
    PendingRequests(int capacity, int firstSequence) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.sequences = new int[capacity];
        this.requests = new ConfigRequest[capacity];
        this.queues = new int[capacity];
        this.nextSequence = firstSequence;
    }

    /**
     * Records a request about to be sent.
     *
     * @return the sequence number to put into its nlmsghdr
     * @throws IllegalStateException if {@code capacity} requests already await their acks
     */
    int register(ConfigRequest request, int queue) {
        if (size == sequences.length) {
            throw new IllegalStateException(size + " requests already await their acks");
        }
        int sequence = nextSequence++;
        sequences[size] = sequence;
        requests[size] = request;
        queues[size] = NfqueueMessages.checkQueue(queue);
        size++;
        return sequence;
    }

    /**
     * Takes the request {@code ack} answers off the list.
     *
     * @return the outcome, or {@code null} if no pending request has the ack's sequence number (a stale
     *         or foreign ack: ignore it)
     */
    Outcome complete(NetlinkAck ack) {
        for (int i = 0; i < size; i++) {
            if (sequences[i] == ack.sequence()) {
                Outcome outcome = new Outcome(requests[i], queues[i], sequences[i], ack.error());
                size--;
                sequences[i] = sequences[size];
                requests[i] = requests[size];
                queues[i] = queues[size];
                requests[size] = null;
                return outcome;
            }
        }
        return null;
    }

    /** How many requests still await their ack. */
    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }
}
