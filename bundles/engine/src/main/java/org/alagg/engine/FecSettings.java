package org.alagg.engine;

import java.util.concurrent.TimeUnit;

import org.alagg.api.Alagg;

/**
 * A peer's forward error correction ({@code fec.ratio}, {@code fec.timeout.ms}, {@code fec.target.loss}): off, a fixed
 * k:m, or auto (the control thread chooses k:m from the links' loss, {@link FecAuto}).
 *
 * @param k DATA frames per group, 0 when off (or auto before the first choice)
 * @param m parity frames per group
 * @param auto whether k and m follow the measured loss
 * @param timeoutNanos how long a group stays open before its parity goes with fewer than k frames
 * @param targetLoss the residual loss auto aims at, a fraction
 */
record FecSettings(int k, int m, boolean auto, long timeoutNanos, double targetLoss) {
    static final long DEFAULT_TIMEOUT_MS = 5;
    static final double DEFAULT_TARGET_LOSS = 0.001;
    static final FecSettings OFF = new FecSettings(0, 0, false, TimeUnit.MILLISECONDS.toNanos(DEFAULT_TIMEOUT_MS),
            DEFAULT_TARGET_LOSS);

    /** From the checked values ({@link Alagg#checkFecRatio} etc.). */
    static FecSettings of(String ratio, long timeoutMs, double targetLoss) {
        long timeout = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        if (ratio.equals("off")) {
            return new FecSettings(0, 0, false, timeout, targetLoss);
        }
        if (ratio.equals("auto")) {
            return new FecSettings(0, 0, true, timeout, targetLoss);
        }
        int colon = ratio.indexOf(':');
        return new FecSettings(Integer.parseInt(ratio.substring(0, colon)), Integer.parseInt(ratio.substring(colon + 1)),
                false, timeout, targetLoss);
    }

    /** Whether parity frames are sent: a fixed ratio, or auto once it chose one. */
    boolean on() {
        return k > 0;
    }

    /** As the file writes it. */
    String ratio() {
        return auto ? "auto" : k == 0 ? "off" : k + ":" + m;
    }

    long timeoutMs() {
        return TimeUnit.NANOSECONDS.toMillis(timeoutNanos);
    }

    /** The same settings with auto's choice. */
    FecSettings chosen(int k, int m) {
        return new FecSettings(k, m, auto, timeoutNanos, targetLoss);
    }
}
