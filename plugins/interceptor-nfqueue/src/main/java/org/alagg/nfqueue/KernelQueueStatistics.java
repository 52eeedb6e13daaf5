package org.alagg.nfqueue;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * The kernel's own counters of one queue, from {@code /proc/net/netfilter/nfnetlink_queue}: the packets it
 * dropped before Alagg saw them, because the queue was full ({@code queue_dropped}) or Alagg's socket buffer
 * was ({@code queue_user_dropped}). Without them those losses would be silent.
 *
 * <p>The file is opened once, by the thread that binds the queue: the network namespace of that thread is
 * the one it shows. One line per bound queue (net/netfilter/nfnetlink_queue.c, seq_show): queue number, peer
 * port id, packets waiting, copy mode, copy range, queue_dropped, queue_user_dropped, last packet id, 1.
 */
final class KernelQueueStatistics implements Closeable {
    static final Path FILE = Path.of("/proc/thread-self/net/netfilter/nfnetlink_queue");

    private final int queue;
    private final FileChannel file;
    private final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);

    KernelQueueStatistics(int queue) {
        this.queue = queue;
        FileChannel f;
        try {
            f = FileChannel.open(FILE, StandardOpenOption.READ);
        } catch (IOException | UnsupportedOperationException e) {
            f = null; // no such file (a kernel without procfs for it): the counters are simply absent
        }
        this.file = f;
    }

    /** Adds kernel_waiting, kernel_dropped_queue_full and kernel_dropped_socket_full when the file can be read. */
    synchronized void counters(Map<String, Long> into) {
        if (file == null) {
            return;
        }
        String text;
        try {
            buffer.clear();
            long position = 0;
            int n;
            while (buffer.hasRemaining() && (n = file.read(buffer, position)) > 0) {
                position += n;
            }
            text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return;
        }
        long[] fields = parse(text, queue);
        if (fields != null) {
            into.put("kernel_waiting", fields[2]);
            into.put("kernel_dropped_queue_full", fields[5]);
            into.put("kernel_dropped_socket_full", fields[6]);
        }
    }

    /** The numeric fields of the line of {@code queue}, or null when it has none (or an unknown layout). */
    static long[] parse(String text, int queue) {
        for (String line : text.split("\n")) {
            String[] words = line.trim().split("\\s+");
            if (words.length < 7) {
                continue;
            }
            try {
                long[] fields = new long[words.length];
                for (int i = 0; i < words.length; i++) {
                    fields[i] = Long.parseLong(words[i]);
                }
                if (fields[0] == queue) {
                    return fields;
                }
            } catch (NumberFormatException e) {
                // not a line of this layout
            }
        }
        return null;
    }

    @Override
    public synchronized void close() {
        if (file != null) {
            try {
                file.close();
            } catch (IOException e) {
                // nothing was written
            }
        }
    }
}
