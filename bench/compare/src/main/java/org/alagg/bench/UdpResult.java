package org.alagg.bench;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** The UDP rate search for one datagram size: every run, in order. */
record UdpResult(int payloadBytes, List<UdpStep> steps) {
    /** The run that delivered the most packets per second with less than 1 % loss. */
    Optional<UdpStep> best() {
        return steps.stream().filter(UdpStep::passed).max(Comparator.comparingDouble(UdpStep::receivedPps));
    }
}
