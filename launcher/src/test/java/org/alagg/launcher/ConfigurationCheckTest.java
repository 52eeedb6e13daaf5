package org.alagg.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code alagg check}: its exact output for a good file and for each kind of problem, on a machine it is told about. */
class ConfigurationCheckTest {
    private static final long BOTH_CAPABILITIES = (1L << 12) | (1L << 13);

    @TempDir
    Path temp;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    /** A machine with these interfaces and tools, /dev/net/tun when {@code tun}, and these capabilities. */
    private record FakeMachine(Set<String> interfaces, Set<String> tools, boolean tun, long capabilities)
            implements ConfigurationCheck.Machine {
        @Override
        public boolean hasInterface(String name) {
            return interfaces.contains(name);
        }

        @Override
        public boolean hasTool(String name) {
            return tools.contains(name);
        }

        @Override
        public boolean hasFile(Path path) {
            return tun && path.equals(Path.of("/dev/net/tun"));
        }
    }

    private static final FakeMachine GOOD_MACHINE = new FakeMachine(Set.of("eth1", "eth2"), Set.of("iptables"), true,
            BOTH_CAPABILITIES);

    private int check(FakeMachine machine, String... lines) throws Exception {
        Path file = temp.resolve("east.cfg");
        Files.write(file, List.of(lines));
        return new ConfigurationCheck(file, machine, ConfigurationCheck.PACKAGED_CONFIGURATIONS).run(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String file() {
        return temp.resolve("east.cfg").toString();
    }

    private String output() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String errors() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aGoodFileIsShownWithItsDefaultsAndExitsZero() throws Exception {
        assertEquals(0, check(GOOD_MACHINE, "instance = east", "link.eth1 = 02:00:00:00:01:02  # link 1",
                "link.eth2 = 02:00:00:00:02:02", "interceptor = tun", "tun.address = 10.9.0.1/24"));
        assertEquals(String.join("\n",
                "# the effective configuration of " + file() + " (defaults filled in)",
                "instance = east",
                "link.eth1 = 02:00:00:00:01:02",
                "link.eth2 = 02:00:00:00:02:02",
                "interceptor = tun",
                "tun.address = 10.9.0.1/24",
                "reorder = windowed   # default",
                "ethertype = 0x88B5   # default",
                "scheduler = redundant   # default",
                "transport = afpacket   # default",
                "reorder.window = 256   # default",
                "reorder.timeout.ms = auto   # default",
                "fec.ratio = off   # default",
                "fec.timeout.ms = 5   # default",
                "fec.target.loss = 0.1%   # default",
                "probe.interval.ms = 100   # default",
                "nfqueue.num = 0   # default",
                "capture.forward = off   # default",
                "tun.name = alagg0   # default",
                "tun.offload = on   # default", ""), output());
        assertEquals("alagg check: " + file() + " is good: alagg run -c " + file() + " would start\n", errors());
    }

    @Test
    void everyKindOfProblemIsReportedByLineAtOnce() throws Exception {
        Path key = temp.resolve("peer.key");
        Files.writeString(key, "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I=\n");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        FakeMachine machine = new FakeMachine(Set.of("eth1"), Set.of(), true, 1L << 13);
        assertEquals(Main.USAGE, check(machine,
                "instance = east",
                "link.eth1 = 02:00:00:00:01:02",
                "link.eth9 = 02:00:00:00:09:02",
                "reordr = strict",
                "reorder.window = 0",
                "key.file = peer.key",
                "ethertype = 0x0800"));
        assertEquals(String.join("\n",
                file() + ": interceptor nfqueue (the default): iptables is not installed (Debian package iptables): its"
                        + " rules send packets to the queue (docs/nfqueue.md)",
                file() + ": warning: alagg run needs CAP_NET_ADMIN and CAP_NET_RAW (root, or the capabilities the alagg@"
                        + " service gives its user); this process has CAP_NET_ADMIN missing",
                file() + ":3: warning: interface 'eth9' does not exist in this network namespace (ip link lists those"
                        + " that do); the link stays DOWN until it does",
                file() + ":4: unknown key 'reordr' (did you mean 'reorder'?); known keys: instance, interceptor, reorder,"
                        + " ethertype, scheduler, transport, reorder.window, reorder.timeout.ms, fec.ratio, fec.timeout.ms,"
                        + " fec.target.loss, probe.interval.ms,"
                        + " nfqueue.num,"
                        + " capture.destinations, capture.forward, tun.name, tun.address, tun.route, tun.offload, key,"
                        + " key.file, key.accept, key.accept.file, peer.allowed, metrics.listen, metrics.token, link.<interface>,"
                        + " plugin.<plugin>.<setting>",
                file() + ":5: reorder window 0 is out of range 1..65536",
                file() + ":6: key file " + key + " is readable by others (mode 0644): chmod 600 it",
                file() + ":7: EtherType 0x0800 belongs to IPv4, IPv6 or ARP; use a free one such as 0x88b5",
                "alagg check: 5 problem(s) in " + file() + ", 2 warning(s)", ""), errors());
    }

    /**
     * A missing interface (a modem that comes later) and missing capabilities (a check as another user) are warnings:
     * a good file is not refused for them.
     */
    @Test
    void whatTheMachineMayHaveWhenItRunsIsOnlyAWarning() throws Exception {
        FakeMachine machine = new FakeMachine(Set.of("eth1"), Set.of("iptables"), true, 0);
        assertEquals(0, check(machine, "link.eth1 = 02:00:00:00:01:02", "link.wwan0 = 02:00:00:00:09:02"));
        assertEquals(String.join("\n",
                file() + ": warning: alagg run needs CAP_NET_ADMIN and CAP_NET_RAW (root, or the capabilities the alagg@"
                        + " service gives its user); this process has CAP_NET_ADMIN and CAP_NET_RAW missing",
                file() + ":2: warning: interface 'wwan0' does not exist in this network namespace (ip link lists those"
                        + " that do); the link stays DOWN until it does",
                "alagg check: " + file() + " is good: alagg run -c " + file() + " would start, 2 warning(s)", ""),
                errors());
    }

    /** In the packaged layout, NAME.cfg is the unit alagg@NAME: an instance of another name is refused. */
    @Test
    void aPackagedFileMustNameItsInstanceAfterItself() throws Exception {
        Path file = temp.resolve("east.cfg");
        Files.write(file, List.of("instance = NAME", "link.eth1 = 02:00:00:00:01:02"));
        assertEquals(Main.USAGE, new ConfigurationCheck(file, GOOD_MACHINE, temp).run(
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertEquals(file + ":1: instance 'NAME' is not the file's name 'east' (unit alagg@east): its control socket,"
                + " chain and state file would be NAME's, which alagg ctl -i east does not reach and another file may"
                + " name too; write instance = east\nalagg check: 1 problem(s) in " + file + "\n", errors());
        assertEquals(java.util.Optional.empty(), ConfigurationCheck.instanceNotFileName(file, "east", temp));
        assertEquals(java.util.Optional.empty(), ConfigurationCheck.instanceNotFileName(file, "NAME", temp.resolve("x")),
                "a file elsewhere names its instance as it likes");
    }

    @Test
    void theTunModeNeedsItsDevice() throws Exception {
        FakeMachine noTun = new FakeMachine(Set.of("eth1"), Set.of("iptables"), false, BOTH_CAPABILITIES);
        assertEquals(Main.USAGE, check(noTun, "link.eth1 = 02:00:00:00:01:02", "interceptor = tap"));
        assertEquals(file() + ":2: interceptor tap: /dev/net/tun does not exist: the kernel's TUN/TAP driver is missing"
                + " (modprobe tun)\nalagg check: 1 problem(s) in " + file() + "\n", errors());
    }

    @Test
    void managedCaptureNeedsIpAndTheFirewallToolsOfItsFamilies() throws Exception {
        FakeMachine noTools = new FakeMachine(Set.of("eth1"), Set.of("iptables"), true, BOTH_CAPABILITIES);
        assertEquals(Main.USAGE, check(noTools, "link.eth1 = 02:00:00:00:01:02",
                "capture.destinations = 10.9.1.0/24, fd09:1::/64"));
        assertEquals(String.join("\n",
                file() + ":2: capture.destinations: ip is not installed (Debian package iproute2): Alagg runs it to make"
                        + " the rules and routes",
                file() + ":2: capture.destinations: ip6tables is not installed (Debian package iptables): Alagg runs it to"
                        + " make the rules and routes",
                "alagg check: 2 problem(s) in " + file(), ""), errors());
    }

    @Test
    void aFileThatCannotBeReadIsNamedWithoutAJavaExceptionName() throws Exception {
        Path missing = temp.resolve("none.cfg");
        assertEquals(Main.USAGE, new ConfigurationCheck(missing, GOOD_MACHINE, ConfigurationCheck.PACKAGED_CONFIGURATIONS).run(
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertEquals("alagg check: configuration file " + missing + " does not exist\n", errors());
        assertEquals("", output());
        err.reset();
        assertEquals(Main.USAGE, new ConfigurationCheck(temp, GOOD_MACHINE, ConfigurationCheck.PACKAGED_CONFIGURATIONS).run(
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertEquals("alagg check: configuration file " + temp + " is a directory\n", errors());
    }
}
