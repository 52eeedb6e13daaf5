package org.alagg.shell.view;

/**
 * A link's rates between two snapshots: frames and bits a second, each way. What {@code alagg top} and the live page
 * show; Prometheus computes its own from the counters.
 *
 * @param rxFrames frames received a second
 * @param rxBits bits received a second
 * @param txFrames frames sent a second
 * @param txBits bits sent a second
 */
public record Rates(double rxFrames, double rxBits, double txFrames, double txBits) {
    /**
     * The rates of a link from {@code before} to {@code now}, {@code seconds} apart. A counter that went back (the
     * link was removed and added again meanwhile) counts as 0.
     */
    public static Rates between(Snapshot.Link before, Snapshot.Link now, double seconds) {
        return new Rates(perSecond(now.framesReceived() - before.framesReceived(), seconds),
                perSecond(8 * (now.bytesReceived() - before.bytesReceived()), seconds),
                perSecond(now.framesSent() - before.framesSent(), seconds),
                perSecond(8 * (now.bytesSent() - before.bytesSent()), seconds));
    }

    private static double perSecond(long count, double seconds) {
        return Math.max(0, count) / seconds;
    }
}
