package org.alagg.api;

/**
 * Something an operator should know happened: a link changed state, an alarm was raised or cleared, the peer
 * restarted. The engine logs each as one line and keeps the last ones for {@code alagg:status}.
 *
 * @param timeMillis when it happened, Unix time in milliseconds
 * @param subject what it concerns, e.g. {@code link veth1} or {@code peer}
 * @param text what happened and why, for people
 * @since 2.2
 */
public record Event(long timeMillis, String subject, String text) {
}
