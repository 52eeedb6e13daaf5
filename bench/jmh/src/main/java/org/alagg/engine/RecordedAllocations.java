package org.alagg.engine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/** What a JFR recording says some threads allocated: how much, by thread, and where, by allocation site. */
final class RecordedAllocations {
    static final String SAMPLE = "jdk.ObjectAllocationSample";
    static final String IN_NEW_TLAB = "jdk.ObjectAllocationInNewTLAB";
    static final String OUTSIDE_TLAB = "jdk.ObjectAllocationOutsideTLAB";

    /** By thread: the new TLABs it took plus what it allocated outside them, in bytes. */
    final Map<String, Long> tlabBytes = new HashMap<>();
    /**
     * By allocation site (class allocated, method and line): the samples' weights in bytes. A weight counts
     * from the thread's previous sample, maybe before the recording began: good for ranking sites only.
     */
    final Map<String, Long> sites = new HashMap<>();

    static RecordedAllocations read(Path recording, Set<String> threads) throws IOException {
        RecordedAllocations allocations = new RecordedAllocations();
        for (RecordedEvent event : RecordingFile.readAllEvents(recording)) {
            RecordedThread thread = event.getThread();
            if (thread != null && threads.contains(thread.getJavaName())) {
                allocations.add(thread.getJavaName(), event);
            }
        }
        return allocations;
    }

    private void add(String thread, RecordedEvent event) {
        switch (event.getEventType().getName()) {
            case IN_NEW_TLAB -> tlabBytes.merge(thread, event.getLong("tlabSize"), Long::sum);
            case OUTSIDE_TLAB -> tlabBytes.merge(thread, event.getLong("allocationSize"), Long::sum);
            case SAMPLE -> sites.merge(site(event), event.getLong("weight"), Long::sum);
            default -> throw new IllegalArgumentException("not an allocation event: " + event.getEventType().getName());
        }
    }

    /** The class allocated, where, and the first Alagg method on the way when the allocation is in the JDK. */
    private static String site(RecordedEvent event) {
        String allocated = event.getClass("objectClass").getName();
        RecordedStackTrace stack = event.getStackTrace();
        List<RecordedFrame> frames = stack == null ? List.of() : stack.getFrames();
        if (frames.isEmpty()) {
            return allocated + " (no stack trace)";
        }
        String site = allocated + " in " + describe(frames.get(0));
        if (!isAlagg(frames.get(0))) {
            site += frames.stream().filter(RecordedAllocations::isAlagg).findFirst()
                    .map(frame -> " from " + describe(frame)).orElse("");
        }
        return site;
    }

    private static boolean isAlagg(RecordedFrame frame) {
        return frame.getMethod().getType().getName().startsWith("org.alagg.");
    }

    private static String describe(RecordedFrame frame) {
        return frame.getMethod().getType().getName() + "." + frame.getMethod().getName() + ":" + frame.getLineNumber();
    }
}
