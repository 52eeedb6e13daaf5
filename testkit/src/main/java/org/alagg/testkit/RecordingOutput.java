package org.alagg.testkit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.alagg.api.ReorderOutput;

/**
 * A {@link ReorderOutput} that records what a strategy released, for scripted tests: {@link #events()} reads
 * {@code d5} (sequence 5 delivered), {@code l1+2} (sequences 1 and 2 declared lost), {@code t3} (sequence 3 given
 * back late). Recording allocates nothing per call once its arrays have grown to the test's size.
 */
public final class RecordingOutput implements ReorderOutput {
    private static final byte DELIVERED = 'd';
    private static final byte LOST = 'l';
    private static final byte LATE = 't';

    private byte[] kinds = new byte[64];
    private int[] sequences = new int[64];
    private int[] values = new int[64];
    private int count;

    @Override
    public void deliver(int sequence, int packet) {
        record(DELIVERED, sequence, packet);
    }

    @Override
    public void lost(int firstSequence, int count) {
        record(LOST, firstSequence, count);
    }

    @Override
    public void late(int sequence, int packet) {
        record(LATE, sequence, packet);
    }

    /** Everything released so far, in order: {@code d<sequence>}, {@code l<first>+<count>}, {@code t<sequence>}. */
    public List<String> events() {
        List<String> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String sequence = Integer.toUnsignedString(sequences[i]);
            events.add(kinds[i] == LOST ? "l" + sequence + "+" + values[i] : (char) kinds[i] + sequence);
        }
        return events;
    }

    /** The sequence numbers delivered so far, in the order they were. */
    public List<Integer> delivered() {
        List<Integer> delivered = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            if (kinds[i] == DELIVERED) {
                delivered.add(sequences[i]);
            }
        }
        return delivered;
    }

    /** The packet handles given back so far, delivered or late, in the order they were. */
    public List<Integer> handles() {
        List<Integer> handles = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            if (kinds[i] != LOST) {
                handles.add(values[i]);
            }
        }
        return handles;
    }

    /** Forgets what was recorded (keeps the arrays). */
    public void clear() {
        count = 0;
    }

    private void record(byte kind, int sequence, int value) {
        if (count == kinds.length) {
            kinds = Arrays.copyOf(kinds, 2 * count);
            sequences = Arrays.copyOf(sequences, 2 * count);
            values = Arrays.copyOf(values, 2 * count);
        }
        kinds[count] = kind;
        sequences[count] = sequence;
        values[count] = value;
        count++;
    }
}
