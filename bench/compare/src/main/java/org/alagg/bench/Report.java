package org.alagg.bench;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import org.alagg.e2e.Traffic;

/** docs/benchmarks.md: the machine, the command, the tables, how to read them and every raw figure of the run. */
final class Report {
    private final Machine machine;
    private final Plan plan;
    private final String command;
    private final Results results;
    private final List<Target> targets;

    Report(Machine machine, Plan plan, String command, Results results, List<Target> targets) {
        this.machine = machine;
        this.plan = plan;
        this.command = command;
        this.results = results;
        this.targets = targets;
    }

    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# Benchmarks: Alagg against wireguard-go and direct veth\n\n");
        md.append("_Written by `org.alagg.bench.Compare` (module `bench/compare`) at each run: edits here are ")
                .append("overwritten._\n\n");
        md.append("- date: ").append(machine.date()).append('\n');
        md.append("- machine: ").append(machine.cores()).append(" cores (`nproc`), ").append(machine.cpu())
                .append(", kernel ").append(machine.kernel()).append(", ").append(machine.java()).append('\n');
        md.append("- load average when the run started: ").append(machine.loadAverage()).append('\n');
        md.append("- wireguard-go: Debian package ").append(machine.wireguardGo())
                .append(" (`alagg bench` installs it from the release's backports suite when the release's own is older)\n");
        md.append("- plan: ").append(plan.quick() ? "**quick** (a check that everything works; rough figures)" : "full")
                .append(String.format(Locale.ROOT,
                        ": TCP %d x %d s, %d pings after %d not counted, UDP rate search of up to %d runs of %d s per size%n",
                        plan.tcpRuns(), plan.tcpSeconds(), plan.pings(), plan.warmUpPings(), plan.udpSteps(),
                        plan.udpSeconds()));
        md.append("\nThe command, as root in the project directory (it installs wireguard-go and the bed's tools when ")
                .append("missing, builds what it runs, and runs `org.alagg.bench.Compare` from `bench/compare/target`):")
                .append("\n\n```sh\n").append(command).append("\n```\n\n");
        md.append("## Results\n\n![TCP goodput and ping RTT per setup](benchmarks.png)\n\n");
        md.append(Summary.figures(results).markdown());
        md.append("\nThe TCP runs again with the veth links' offloads on (the kernel's defaults, as on real hosts):\n\n");
        md.append(Summary.offloaded(results).markdown());
        Summary.failures(results).forEach(line -> md.append('\n').append(line).append('\n'));
        md.append("\n## Targets\n\n").append(Summary.targets(targets).markdown());
        md.append(howToRead());
        md.append(rawFigures());
        md.append("\n## See also\n\nWhat the per-packet code costs, without the kernel around it: JMH microbenchmarks in ")
                .append("[microbenchmarks.md](microbenchmarks.md).\n");
        return md.toString();
    }

    private static String howToRead() {
        return "\n## How to read it\n\n" + """
                - Every setup runs on the same topology, built afresh and torn down before the next: two network
                  namespaces A and B joined by two veth links, offloads off (`ethtool -K IF tso off gso off gro off`),
                  so every packet is a frame of its own. All traffic goes from A to B. Then every setup is built
                  once more with the veth links' offloads left as the kernel sets them (TSO and GSO on), as real
                  hosts have them, for the TCP runs only: offloads change what a bulk TCP transfer costs, the
                  per-packet figures (UDP, ping) are those with offloads off. Alagg's TUN device takes the kernel's
                  TSO either way (`tun.offload = on`, the default), and so does wireguard-go's.
                - **direct veth**: the application addresses on link 1, the kernel alone: the limit of the machine.
                  **wireguard-go** (the Debian package named above): one encrypted tunnel over link 1, the user-space tunnel to
                  compare with. **Alagg NFQUEUE** and **Alagg TUN**: the real distribution (`alagg run`) on both
                  hosts, both links, every packet sent on each (`scheduler = redundant`), `reorder = windowed`,
                  no key. **Alagg NFQUEUE + auth**: Alagg NFQUEUE with the same key on both sides (`key = ...`,
                  32 bytes from `SecureRandom`, new at each run), so every frame carries an HMAC-SHA-256 tag of
                  17 bytes that the receiver checks ([protocol.md](protocol.md), section 7). Alagg does twice
                  wireguard-go's link work (two copies of each packet); it authenticates frames with a key but
                  never encrypts them, wireguard-go encrypts and authenticates every packet.
                - TCP goodput: what the iperf3 receiver got from one TCP stream (iperf3's default), median of the
                  runs, with the slowest and fastest run; retransmits as the sender counted them.
                - UDP: the highest offered rate with less than 1 % loss, found with short iperf3 runs (the first
                  above what iperf3 can send; while none has passed, 10 % under what arrived; then up by at most
                  25 % a step until one fails, then bisection to within 3 %); the table gives the packets per
                  second that arrived at that rate and its loss. "sender-limited" means iperf3 sent less
                  than 90 % of what was asked: either one iperf3 cannot send more (about 200-250 kpps on this kind
                  of machine, shared with the receiver and the forwarders), or the setup held the sender back (in
                  NFQUEUE mode a queued packet stays charged to the sending socket until Alagg's verdict, so a busy
                  queue slows the sender down instead of dropping). With direct veth the limit is iperf3's own: one
                  sender and one receiver on the machine's cores, the receiver dropping datagrams when it is not
                  scheduled in time; the kernel path carries more, so direct's UDP figures are a floor. Every run is
                  listed under "Raw figures".
                - ping: round-trip times of echo requests at 100 per second from A to B, before the bulk tests, after
                  as many of the same pings not counted (10 s in the full plan): at 100 packets a second a fresh JVM
                  runs its forwarding path interpreted or half-compiled for seconds (measured on the bed: ping p50
                  through Alagg 0.66-0.71 ms in the first 10 s, 0.49-0.57 ms in the next 10), and a host in service
                  has long since compiled it; wireguard-go and the kernel are measured the same way.
                - CPU s per GB: user and system time of the forwarding processes of both hosts (Alagg instances,
                  wireguard-go daemons; `/proc/PID/stat`) during the TCP runs, divided by the gigabytes (10^9 bytes)
                  received. The kernel's own work (veth, TCP, softirq) is not in it, so direct veth has none.
                - machine CPU s per GB: the whole machine's time (`/proc/stat`) during the same runs: user (iperf3 and
                  the forwarders), kernel (system calls: every frame a forwarder sends or receives, TUN reads and
                  writes) and softirq (the network stack); other load on the machine and failed attempts count too.
                  Both hosts share the cores, so goodput is bounded by the cores' time over this sum.
                - RSS: resident memory of each forwarding process (`VmRSS`) when the setup began forwarding and after
                  its last run, and the peak (`VmHWM`). 1 MB = 10^6 bytes.
                - Start to forwarding: from starting both Alagg instances (`alagg run`, a JVM each) until a ping is
                  answered from A to B and from B to A (polled with pings that wait 50 ms each: exact to about
                  0.1 s).
                - The targets compare Alagg with the other setups of the same run, so the machine's speed cancels
                  out as far as it can. What authentication costs is measured against Alagg NFQUEUE without a key,
                  which runs right before it, so that the two see the same machine as nearly as a run allows. The
                  machine may be shared with other work while the benchmark runs: the load average above says how
                  busy it was at the start; figures from a busy machine are lower and noisier, the ratios less so.
                  An iperf3 run that fails (another user's clean-up can end it from outside) is repeated, at most
                  three attempts in all; the console output shows each repetition.
                """;
    }

    private String rawFigures() {
        StringBuilder md = new StringBuilder("\n## Raw figures\n");
        for (Outcome outcome : results.all()) {
            md.append("\n### ").append(outcome.setup()).append("\n\n");
            if (outcome instanceof Outcome.Failed failed) {
                md.append("failed: ").append(failed.reason()).append('\n');
                continue;
            }
            Outcome.Measured m = (Outcome.Measured) outcome;
            m.startup().ifPresent(d -> md.append(line("start to forwarding: %.2f s", d.toNanos() / 1e9)));
            md.append(line("ping: %s", m.ping()));
            md.append("- TCP runs: ").append(m.tcp().runs().stream().map(Traffic.Iperf::toString)
                    .collect(Collectors.joining("; "))).append('\n');
            if (!m.tcp().cpuSeconds().isEmpty()) {
                md.append("- CPU during the TCP runs: ").append(m.tcp().cpuSeconds().entrySet().stream()
                        .map(e -> String.format(Locale.ROOT, "%s %.2f s", e.getKey(), e.getValue()))
                        .collect(Collectors.joining(", "))).append('\n');
            }
            results.offloaded(m).tcp().ifPresent(t -> md.append("- TCP runs with veth offloads on: ")
                    .append(t.runs().stream().map(Traffic.Iperf::toString).collect(Collectors.joining("; ")))
                    .append(t.cpuSeconds().isEmpty() ? "" : t.cpuSeconds().entrySet().stream()
                            .map(e -> String.format(Locale.ROOT, "%s %.2f s", e.getKey(), e.getValue()))
                            .collect(Collectors.joining(", ", "; CPU ", "")))
                    .append('\n'));
            for (UdpResult udp : List.of(m.smallUdp(), m.largeUdp())) {
                md.append("- UDP ").append(udp.payloadBytes()).append(" B: ").append(udp.steps().stream()
                        .map(s -> String.format(Locale.ROOT,
                                "%,.0f pps offered -> %,.0f sent, %,.0f received, %.2f %% lost",
                                s.offeredPps(), s.sentPps(), s.receivedPps(), s.lossPercent()))
                        .collect(Collectors.joining("; "))).append('\n');
            }
            for (MemoryUse use : m.memory()) {
                md.append(line("memory of %s: RSS %d kB at start, %d kB at the end, peak %d kB", use.forwarder(),
                        use.startKilobytes(), use.endKilobytes(), use.peakKilobytes()));
            }
        }
        return md.toString();
    }

    private static String line(String format, Object... args) {
        return "- " + String.format(Locale.ROOT, format, args) + "\n";
    }
}
