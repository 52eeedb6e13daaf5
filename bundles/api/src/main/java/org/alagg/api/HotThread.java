package org.alagg.api;

/**
 * One of the engine's hot threads as its supervisor sees it: whether it runs, how long ago it last finished a
 * turn (a thread stuck inside a plugin call stops turning), and how often the supervisor had to restart it.
 *
 * @param name the thread's name, e.g. {@code alagg-egress}
 * @param alive whether the thread runs
 * @param lastTurnMillis how long ago the thread last finished a turn, in milliseconds; a live thread turns at
 *        least every 100 ms even when no traffic flows
 * @param restarts how often the supervisor restarted the thread after it died
 * @since 2.0
 */
public record HotThread(String name, boolean alive, long lastTurnMillis, long restarts) {
}
