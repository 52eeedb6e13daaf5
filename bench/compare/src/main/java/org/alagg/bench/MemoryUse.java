package org.alagg.bench;

/** One forwarder's resident memory at the start and the end of its setup's runs, and its peak, in kB. */
record MemoryUse(String forwarder, long startKilobytes, long endKilobytes, long peakKilobytes) {
    static double megabytes(long kilobytes) {
        return kilobytes * 1024 / 1e6;
    }
}
