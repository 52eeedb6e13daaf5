package org.alagg.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import org.alagg.api.Event;
import org.osgi.service.log.Logger;

/**
 * What an operator should know happened (link state changes, alarms, peer restarts): each is logged as one line with
 * its reason, and the last {@value #KEPT} are kept for {@code alagg:status}. Any thread; never a hot one.
 */
final class Events {
    static final int KEPT = 32;

    private final ArrayDeque<Event> last = new ArrayDeque<>(KEPT);
    private final Logger log;

    Events(Logger log) {
        this.log = log;
    }

    /** Something went well again (a link UP, an alarm cleared). */
    void info(String subject, String text) {
        log.info("{}: {}", subject, text);
        keep(subject, text);
    }

    /** Something went wrong (a link DOWN or DEGRADED, an alarm). */
    void warn(String subject, String text) {
        log.warn("{}: {}", subject, text);
        keep(subject, text);
    }

    synchronized List<Event> last() {
        return new ArrayList<>(last);
    }

    private synchronized void keep(String subject, String text) {
        if (last.size() == KEPT) {
            last.removeFirst();
        }
        last.addLast(new Event(System.currentTimeMillis(), subject, text));
    }
}
