package org.alagg.bench;

/**
 * How long each measurement runs. The full plan is the one the published figures come from; the quick plan checks
 * that everything works in a fraction of the time, its figures are rough.
 *
 * @param tcpRuns iperf3 TCP runs per setup
 * @param tcpSeconds length of each TCP run
 * @param warmUpPings echo requests at 100 per second before the measured ones, not counted: a fresh JVM runs its
 *        forwarding path interpreted or half-compiled for seconds at that rate, and a host in service has long since
 *        compiled it
 * @param pings echo requests at 100 per second, measured
 * @param udpSeconds length of each UDP run of the rate search
 * @param udpSteps most UDP runs per datagram size
 */
record Plan(boolean quick, int tcpRuns, int tcpSeconds, int warmUpPings, int pings, int udpSeconds, int udpSteps) {
    static final Plan FULL = new Plan(false, 3, 10, 1000, 1000, 3, 8);
    static final Plan QUICK = new Plan(true, 1, 3, 100, 200, 3, 4);
}
