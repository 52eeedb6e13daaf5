package org.alagg.engine;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;

import org.alagg.api.ReorderBuffer;
import org.alagg.api.ReorderSettings;

/**
 * The reordering settings and the packet pool sized for them, made together by the engine so that a window that
 * does not fit the process's direct memory is refused when it is configured, with the reason, instead of failing
 * on the ingress thread. The ingress thread takes both at its next hand-over.
 */
record Reordering(ReorderSettings settings, PacketPool pool) {
    /** Direct memory left for everything else (batches, sockets' vectors, the interceptor's buffers). */
    static final long RESERVE_BYTES = 16L << 20;

    /** How many packets a strategy with this window can hold, and a batch arriving meanwhile. */
    static int poolCapacity(int window) {
        return ReorderBuffer.slotsFor(window) + 2 * DataPath.BATCH;
    }

    /**
     * Sizes and allocates the pool for {@code settings}, reusing {@code current}'s when it has the same capacity.
     *
     * @throws IllegalArgumentException when the pool does not fit the direct memory the process may use, saying
     *         how much it needs and how to give the process more
     */
    static Reordering of(ReorderSettings settings, Reordering current) {
        return of(settings, current, 0, maxDirectMemory());
    }

    /** As {@link #of(ReorderSettings, Reordering)}, against a given direct memory limit. */
    static Reordering of(ReorderSettings settings, Reordering current, long max) {
        return of(settings, current, 0, max);
    }

    /**
     * As {@link #of(ReorderSettings, Reordering)}, for one peer of several.
     *
     * @param promised the direct memory the other peers' pools will take when their first packets come (pools are
     *                 allocated then): counted as in use, so that the pools of all peers fit together
     * @param max the direct memory limit
     */
    static Reordering of(ReorderSettings settings, Reordering current, long promised, long max) {
        int capacity = poolCapacity(settings.window());
        if (current != null && current.pool.capacity() == capacity) {
            return new Reordering(settings, current.pool);
        }
        long needed = PacketPool.bytes(capacity, DataPath.MAX_PACKET);
        long inUse = directMemoryUsed() + promised
                - (current == null || !current.pool.allocated() ? 0 : PacketPool.bytes(current.pool.capacity(), DataPath.MAX_PACKET));
        if (needed > max - inUse - RESERVE_BYTES) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "reorder window %d needs a packet pool of %d MiB of direct memory, but the process may use %d MiB "
                            + "and %d MiB are in use or promised to other peers' pools: give it more (ALAGG_DIRECT_MEMORY, -XX:MaxDirectMemorySize) "
                            + "or configure a smaller window",
                    settings.window(), mib(needed), mib(max), mib(inUse)));
        }
        try {
            return new Reordering(settings, new PacketPool(capacity, DataPath.MAX_PACKET));
        } catch (OutOfMemoryError e) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "reorder window %d: its packet pool of %d MiB does not fit the direct memory (%s)",
                    settings.window(), mib(needed), e.getMessage()), e);
        }
    }

    private static long mib(long bytes) {
        return (bytes + (1 << 20) - 1) >> 20;
    }

    /** The JVM's direct memory limit: -XX:MaxDirectMemorySize, or the heap limit when not set (the JVM's default). */
    static long maxDirectMemory() {
        for (String argument : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (argument.startsWith("-XX:MaxDirectMemorySize=")) {
                return parseSize(argument.substring("-XX:MaxDirectMemorySize=".length()));
            }
        }
        return Runtime.getRuntime().maxMemory();
    }

    static long parseSize(String size) {
        String s = size.trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        switch (s.isEmpty() ? ' ' : s.charAt(s.length() - 1)) {
            case 'k' -> unit = 1L << 10;
            case 'm' -> unit = 1L << 20;
            case 'g' -> unit = 1L << 30;
            case 't' -> unit = 1L << 40;
            default -> {
                return Long.parseLong(s);
            }
        }
        return Long.parseLong(s.substring(0, s.length() - 1)) * unit;
    }

    private static long directMemoryUsed() {
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                return pool.getMemoryUsed();
            }
        }
        return 0;
    }
}
