package org.alagg.engine;

import org.alagg.api.Alagg;

/**
 * {@code fec.ratio = auto}: the control thread chooses k:m from the loss the links measure towards the peer (the
 * probes' reports, {@link LinkQuality}), so that the residual loss stays under {@code fec.target.loss} at the least
 * overhead m / k. A group's frames are taken as lost independently with the worst loss among the links that are up.
 * The choice changes only when the one in effect misses the target or another costs a fifth less, and a new one is made
 * for a tenth more loss than measured, so that the loss figure's noise does not flip it every tick.
 */
final class FecAuto {
    /** The loss a new choice is made for, relative to the loss measured. */
    static final double MARGIN = 1.1;

    private FecAuto() {
    }

    /**
     * Control thread: the peer's k:m for the links' loss now, when its FEC is auto.
     *
     * @return what changed, for the log; null when nothing did
     */
    static String follow(Peer peer) {
        FecSettings configured = peer.fecConfigured;
        if (!configured.auto()) {
            return null;
        }
        double loss = -1;
        for (OpenLink link : peer.links) {
            int ppm = link.quality.lossToPeerPpm;
            if (link.isUp() && ppm >= 0) {
                loss = Math.max(loss, ppm / 1e6);
            }
        }
        if (loss < 0) {
            return null; // nothing measured yet: the last choice stays
        }
        FecSettings now = peer.fec;
        // chosen for a tenth more loss than measured: the figure moves, and a choice at the edge of the target would
        // change again at its next tick
        int[] best = choose(loss * MARGIN, configured.targetLoss());
        boolean keep = now.on() && residual(now.k(), now.m(), loss) <= configured.targetLoss()
                && (double) best[1] / best[0] > 0.8 * now.m() / now.k();
        if (!keep && (now.k() != best[0] || now.m() != best[1] || !now.auto())) {
            peer.fec = configured.chosen(best[0], best[1]);
            return String.format(java.util.Locale.ROOT, "forward error correction auto: %d:%d (%.0f %% more frames) for"
                    + " %.2f %% loss on the worst link up, %.4f %% left expected (target %.4f %%)", best[0], best[1],
                    100.0 * best[1] / best[0], 100 * loss, 100 * residual(best[0], best[1], loss),
                    100 * configured.targetLoss());
        }
        return null;
    }

    /**
     * The k:m (each 1 to {@link Alagg#MAX_FEC_FRAMES}, m at most k) of the least overhead m / k whose residual loss is at
     * most {@code target} (the smaller k on a tie: less to wait for); when none reaches it, the one of the least
     * residual. Never more parity than data: a link losing half its frames would otherwise have every packet followed
     * by many parity frames on every link, the good one included, more bytes than {@code redundant} sends.
     */
    static int[] choose(double loss, double target) {
        int[] best = null;
        int[] closest = {1, 1};
        double closestResidual = Double.MAX_VALUE;
        for (int k = 1; k <= Alagg.MAX_FEC_FRAMES; k++) {
            for (int m = 1; m <= k; m++) {
                double r = residual(k, m, loss);
                if (r <= target) {
                    if (best == null || (long) m * best[0] < (long) best[1] * k) {
                        best = new int[] {k, m};
                    }
                    break; // a larger m costs more for this k
                }
                if (r < closestResidual) {
                    closestResidual = r;
                    closest = new int[] {k, m};
                }
            }
        }
        return best != null ? best : closest;
    }

    /**
     * The share of DATA packets lost for good with k:m when every frame is lost independently with probability
     * {@code p}: a packet is lost and at least m of the group's other k + m - 1 frames are too.
     */
    static double residual(int k, int m, double p) {
        int n = k + m - 1;
        double sum = 0;
        double binomial = 1; // C(n, t)
        for (int t = 0; t <= n; t++) {
            if (t >= m) {
                sum += binomial * Math.pow(p, t) * Math.pow(1 - p, n - t);
            }
            binomial = binomial * (n - t) / (t + 1);
        }
        return p * sum;
    }
}
