package org.alagg.api;

/**
 * Limits a reordering strategy works within.
 *
 * @param window the most packets a strategy may hold while it waits for a gap to fill
 * @param timeoutNanos the longest a strategy may wait for a gap to fill, in nanoseconds
 */
public record ReorderSettings(int window, long timeoutNanos) {
    public ReorderSettings {
        if (window < 1) {
            throw new IllegalArgumentException("reorder window must be at least 1 packet, not " + window);
        }
        if (timeoutNanos < 0) {
            throw new IllegalArgumentException("reorder timeout must not be negative: " + timeoutNanos + " ns");
        }
    }
}
