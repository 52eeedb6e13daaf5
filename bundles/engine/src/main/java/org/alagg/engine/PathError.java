package org.alagg.engine;

import java.util.function.Consumer;

/**
 * The last failure of one data path thread (capture, send, receive, delivery), for {@code alagg:status}, and logged
 * when it appears or changes: a failure that repeats every turn (a queue another program owns, a device that went
 * away) is logged once, not once a turn. Written by one thread, read by any.
 */
final class PathError {
    private final Consumer<String> log;
    private volatile String message;

    /** @param log told each new message */
    PathError(Consumer<String> log) {
        this.log = log;
    }

    /** Records a failure of {@code what} (e.g. "send"). Only failure paths call this, so it may allocate. */
    void report(String what, Throwable e) {
        String m = what + ": " + e.getMessage();
        if (!m.equals(message)) {
            message = m;
            log.accept(m);
        }
    }

    /** The failure is over: the next one is logged even if it reads the same. */
    void clear() {
        message = null;
    }

    /** The last failure, or null. */
    String message() {
        return message;
    }
}
