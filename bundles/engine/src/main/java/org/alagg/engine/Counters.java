package org.alagg.engine;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Named counters with one writer: the hot thread adds to plain longs and publishes them once per batch;
 * readers (commands, status) see the last published values. No lock, no fence per packet.
 */
public final class Counters {
    private final List<String> names;
    private final long[] values;
    private final AtomicLongArray published;

    public Counters(List<String> names) {
        this.names = List.copyOf(names);
        this.values = new long[names.size()];
        this.published = new AtomicLongArray(names.size());
    }

    /** The index of a counter, looked up once, outside the hot path. */
    public int index(String name) {
        int i = names.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException("no counter " + name + " among " + names);
        }
        return i;
    }

    /** Writer thread only. */
    public void add(int counter, long amount) {
        values[counter] += amount;
    }

    /** Writer thread only. */
    public void set(int counter, long value) {
        values[counter] = value;
    }

    /** Writer thread only: the value as it is now, published or not. */
    public long get(int counter) {
        return values[counter];
    }

    /** Writer thread only: makes what was added visible to readers. */
    public void publish() {
        for (int i = 0; i < values.length; i++) {
            published.lazySet(i, values[i]);
        }
    }

    /** The published values of {@code own} plus those of {@code others} (of the same names), name by name. */
    static Map<String, Long> total(Counters own, Collection<Counters> others) {
        Map<String, Long> sums = own.snapshot();
        for (Counters c : others) {
            c.snapshot().forEach((name, value) -> sums.merge(name, value, Long::sum));
        }
        return sums;
    }

    /** Any thread: the values as last published, by name. */
    public Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (int i = 0; i < values.length; i++) {
            m.put(names.get(i), published.get(i));
        }
        return m;
    }
}
