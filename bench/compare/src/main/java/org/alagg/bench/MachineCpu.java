package org.alagg.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The whole machine's processor time by kind, from the {@code cpu} line of {@code /proc/stat}: what every process
 * (iperf3, the forwarders) and the kernel (system calls, veth, TCP, softirq) spent, steal left out. On the bench's
 * machine both hosts share the cores, so a setup's goodput is the cores' time divided by what a gigabyte costs here,
 * and the kernel's part is what a forwarder costs beyond its own code: its frames, system calls and copies.
 *
 * @param user    user time of every process (user and nice), s
 * @param kernel  system time (system calls and kernel threads), s
 * @param softirq interrupt and softirq time (the network stack's receive and transmit work), s
 * @param idle    idle and iowait, s
 */
record MachineCpu(double user, double kernel, double softirq, double idle) {
    private static final Path STAT = Path.of("/proc/stat");

    static MachineCpu now() throws IOException {
        String line = Files.readAllLines(STAT).stream().filter(l -> l.startsWith("cpu ")).findFirst()
                .orElseThrow(() -> new IOException(STAT + " has no cpu line"));
        String[] f = line.trim().split("\\s+");
        double tick = ClockTicks.PER_SECOND;
        // cpu user nice system idle iowait irq softirq steal ...
        return new MachineCpu((Long.parseLong(f[1]) + Long.parseLong(f[2])) / tick, Long.parseLong(f[3]) / tick,
                (Long.parseLong(f[6]) + Long.parseLong(f[7])) / tick, (Long.parseLong(f[4]) + Long.parseLong(f[5])) / tick);
    }

    /** What was spent between {@code earlier} and this reading. */
    MachineCpu since(MachineCpu earlier) {
        return new MachineCpu(user - earlier.user, kernel - earlier.kernel, softirq - earlier.softirq, idle - earlier.idle);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "user %.1f s, kernel %.1f s, softirq %.1f s, idle %.1f s", user, kernel,
                softirq, idle);
    }

    /** Per 10^9 bytes of goodput: "user / kernel / softirq". */
    String perGigabyte(double bytes) {
        double gigabytes = bytes / 1e9;
        return String.format(Locale.ROOT, "%.1f / %.1f / %.1f", user / gigabytes, kernel / gigabytes,
                softirq / gigabytes);
    }
}
