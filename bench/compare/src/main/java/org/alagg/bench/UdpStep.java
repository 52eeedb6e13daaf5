package org.alagg.bench;

/**
 * One UDP run of the rate search: the rate asked of iperf3, what it managed to send and what arrived, in packets
 * per second, and the loss the receiver counted.
 */
record UdpStep(double offeredPps, double sentPps, double receivedPps, double lossPercent) {
    /** The loss a rate may cost and still count as carried. */
    static final double MAX_LOSS_PERCENT = 1.0;

    boolean passed() {
        return lossPercent < MAX_LOSS_PERCENT;
    }

    /**
     * iperf3 sent less than 90 % of what was asked: either one iperf3 cannot send more on this machine, or the setup
     * held the sender back (NFQUEUE: a queued packet stays charged to the sending socket until its verdict).
     */
    boolean senderLimited() {
        return sentPps < 0.9 * offeredPps;
    }
}
