package org.alagg.bench;

import java.io.IOException;

/**
 * Runs one traffic measurement again when it fails, up to three times in all. The machine is shared: another
 * user's clean-up can end a run from outside (a {@code pkill -f "iperf3 -s -1"} in any namespace also kills this
 * run's iperf3 server: the client then reports "the server has terminated"). A setup that keeps failing still fails.
 */
final class Attempts {
    private static final int MOST = 3;

    /** A measurement that may fail. */
    @FunctionalInterface
    interface Run<T> {
        T call() throws IOException, InterruptedException;
    }

    private Attempts() {
    }

    static <T> T of(Progress progress, Run<T> run) throws IOException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return run.call();
            } catch (IOException e) {
                if (attempt == MOST || Thread.currentThread().isInterrupted()) {
                    throw e;
                }
                progress.line("run failed (%s); again", e.getMessage());
            }
        }
    }
}
