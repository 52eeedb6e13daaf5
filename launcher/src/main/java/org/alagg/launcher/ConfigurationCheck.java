package org.alagg.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.alagg.api.InterfaceName;
import org.alagg.config.file.ConfigFile;
import org.alagg.config.file.ConfigFileException;
import org.alagg.config.file.EffectiveConfiguration;
import org.alagg.config.file.EffectiveConfiguration.Entry;

/**
 * {@code alagg check -c FILE}, like {@code nginx -t}: the file checked as {@code alagg run} checks it, and what this
 * machine must give the file that {@code alagg run} would only find out while running (the links' interfaces, the
 * capture mode's tool or device, the capabilities). Starts nothing. The effective configuration goes to standard output,
 * the problems, each {@code FILE:LINE: ...} ({@code FILE: ...} for what no line says), and a summary to standard error.
 */
final class ConfigurationCheck {
    /** CAP_NET_ADMIN and CAP_NET_RAW, the bits of the capability sets in /proc/self/status. */
    private static final long CAP_NET_ADMIN = 1L << 12;
    private static final long CAP_NET_RAW = 1L << 13;
    /** Where Debian puts the tools; a service's PATH often lacks the sbin directories. */
    private static final List<String> SYSTEM_DIRECTORIES = List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin");

    /** What the check asks of the machine: replaced in tests. */
    interface Machine {
        boolean hasInterface(String name);

        boolean hasTool(String name);

        boolean hasFile(Path path);

        /** The effective capabilities, as /proc/self/status gives them; -1 when unknown. */
        long capabilities();
    }

    private final Path file;
    private final Machine machine;
    private final Path directory;

    ConfigurationCheck(Path file) {
        this(file, new ThisMachine(), PACKAGED_CONFIGURATIONS);
    }

    /** @param directory where the packaged units' files are ({@link #PACKAGED_CONFIGURATIONS}; tests: their own) */
    ConfigurationCheck(Path file, Machine machine, Path directory) {
        this.file = file;
        this.machine = machine;
        this.directory = directory;
    }

    int run(PrintStream out, PrintStream err) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            err.println("alagg check: " + cannotRead(file, e));
            return Main.USAGE;
        }
        List<String> problems = new ArrayList<>();
        try {
            ConfigFile.parse(file, lines);
        } catch (ConfigFileException e) {
            problems.addAll(e.problems());
        }
        List<Entry> entries = EffectiveConfiguration.entries(lines);
        problems.addAll(machineProblems(entries));
        List<String> warnings = machineWarnings(entries);
        List<String> findings = new ArrayList<>(problems);
        findings.addAll(warnings);
        findings.sort(Comparator.comparingInt(this::lineOf)); // stable: the file's own order within a line
        EffectiveConfiguration.of(file, lines).forEach(out::println);
        findings.forEach(err::println);
        String warned = warnings.isEmpty() ? "" : ", " + warnings.size() + " warning(s)";
        if (problems.isEmpty()) {
            err.println("alagg check: " + file + " is good: alagg run -c " + file + " would start" + warned);
            return 0;
        }
        err.println("alagg check: " + problems.size() + " problem(s) in " + file + warned);
        return Main.USAGE;
    }

    /**
     * What the machine lacks now but may have when the instance runs, so not a reason to refuse the file: an interface
     * that comes later (a modem, a VLAN; its link stays DOWN until then), capabilities that the service gives (a
     * check as another user, or as root before the unit drops to its user).
     */
    private List<String> machineWarnings(List<Entry> entries) {
        List<String> warnings = new ArrayList<>();
        for (Entry e : entries) {
            if (e.key().startsWith("link.") && validInterfaceName(e.key().substring("link.".length()))
                    && !machine.hasInterface(e.key().substring("link.".length()))) {
                warnings.add(at(e.line(), "warning: interface '" + e.key().substring("link.".length()) + "' does not"
                        + " exist in this network namespace (ip link lists those that do); the link stays DOWN until"
                        + " it does"));
            }
        }
        long capabilities = machine.capabilities();
        if (capabilities >= 0 && (capabilities & (CAP_NET_ADMIN | CAP_NET_RAW)) != (CAP_NET_ADMIN | CAP_NET_RAW)) {
            warnings.add(file + ": warning: alagg run needs CAP_NET_ADMIN and CAP_NET_RAW (root, or the capabilities the"
                    + " alagg@ service gives its user); this process has " + missing(capabilities) + " missing");
        }
        return warnings;
    }

    /** What this machine lacks for the file, for good: tools and devices the capture mode needs. */
    private List<String> machineProblems(List<Entry> entries) {
        List<String> problems = new ArrayList<>();
        Entry instance = entries.stream().filter(topLevel("instance")).findFirst().orElse(null);
        instanceNotFileName(file, instance == null ? "alagg" : instance.value(), directory).ifPresent(why ->
                problems.add(instance == null ? file + ": no instance line, so the " + why : at(instance.line(), why)));
        Entry interceptor = entries.stream().filter(topLevel("interceptor")).findFirst().orElse(null);
        String mode = interceptor == null ? "nfqueue" : interceptor.value();
        String where = interceptor == null ? file + ": interceptor nfqueue (the default)" : at(interceptor.line(), "interceptor " + mode);
        if (mode.equals("nfqueue") && !machine.hasTool("iptables")) {
            problems.add(where + ": iptables is not installed (Debian package iptables): its rules send packets to"
                    + " the queue (docs/nfqueue.md)");
        }
        Entry managed = entries.stream().filter(topLevel("capture.destinations")).findFirst().orElse(null);
        if (managed != null && mode.equals("nfqueue")) {
            List<String> tools = managed.value().contains(":") ? List.of("ip", "iptables", "ip6tables")
                    : List.of("ip", "iptables");
            for (String tool : tools) {
                if (!machine.hasTool(tool)) {
                    problems.add(at(managed.line(), "capture.destinations: " + tool + " is not installed (Debian package "
                            + (tool.equals("ip") ? "iproute2" : "iptables") + "): Alagg runs it to make the rules and"
                            + " routes"));
                }
            }
        }
        if ((mode.equals("tun") || mode.equals("tap")) && !machine.hasFile(Path.of("/dev/net/tun"))) {
            problems.add(where + ": /dev/net/tun does not exist: the kernel's TUN/TAP driver is missing (modprobe tun)");
        }
        return problems;
    }

    /** Where the package's units find their files: {@code /etc/alagg/NAME.cfg} is the unit {@code alagg@NAME}. */
    static final Path PACKAGED_CONFIGURATIONS = Path.of("/etc/alagg");

    /**
     * For a file of the packaged layout ({@code NAME.cfg} in {@code directory}) whose instance is not NAME, why that
     * cannot run: its control socket, chain and state file are named after the instance, so {@code alagg ctl -i NAME}
     * would not reach it, and two files naming one instance would share them (the second start removing the first's
     * rules). Empty for any other file.
     */
    static Optional<String> instanceNotFileName(Path file, String instance, Path directory) {
        Path name = file.toAbsolutePath().normalize();
        String fileName = name.getFileName().toString();
        if (!directory.equals(name.getParent()) || !fileName.endsWith(".cfg")) {
            return Optional.empty();
        }
        String unit = fileName.substring(0, fileName.length() - ".cfg".length());
        if (instance.equals(unit)) {
            return Optional.empty();
        }
        return Optional.of("instance '" + instance + "' is not the file's name '" + unit + "' (unit alagg@" + unit
                + "): its control socket, chain and state file would be " + instance + "'s, which alagg ctl -i " + unit
                + " does not reach and another file may name too; write instance = " + unit);
    }

    private static String missing(long capabilities) {
        List<String> missing = new ArrayList<>();
        if ((capabilities & CAP_NET_ADMIN) == 0) {
            missing.add("CAP_NET_ADMIN");
        }
        if ((capabilities & CAP_NET_RAW) == 0) {
            missing.add("CAP_NET_RAW");
        }
        return String.join(" and ", missing);
    }

    private static Predicate<Entry> topLevel(String key) {
        return e -> e.section() == null && e.key().equals(key);
    }

    private static boolean validInterfaceName(String name) {
        try {
            InterfaceName.check(name);
            return true;
        } catch (IllegalArgumentException e) {
            return false; // the file's own check says what is wrong with it
        }
    }

    private String at(int line, String text) {
        return file + ":" + line + ": " + text;
    }

    /** The line a problem names; 0 for the file as a whole, which comes first. */
    private int lineOf(String problem) {
        Matcher m = Pattern.compile(Pattern.quote(file.toString()) + ":(\\d+): ").matcher(problem);
        return m.lookingAt() ? Integer.parseInt(m.group(1)) : 0;
    }

    /** Why a configuration file cannot be read, in words, for {@code alagg run} and {@code alagg check}. */
    static String cannotRead(Path file, IOException e) {
        if (e instanceof NoSuchFileException) {
            return "configuration file " + file + " does not exist";
        }
        if (e instanceof AccessDeniedException) {
            return "cannot read configuration file " + file + ": permission denied";
        }
        if (Files.isDirectory(file)) {
            return "configuration file " + file + " is a directory";
        }
        return "cannot read configuration file " + file + ": " + (e.getMessage() == null ? "input/output error" : e.getMessage());
    }

    /** The machine this runs on, in this network namespace. */
    static final class ThisMachine implements Machine {
        @Override
        public boolean hasInterface(String name) {
            return Files.exists(Path.of("/sys/class/net", name));
        }

        @Override
        public boolean hasTool(String name) {
            List<String> directories = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
            directories.addAll(SYSTEM_DIRECTORIES);
            return directories.stream().filter(d -> !d.isEmpty()).map(d -> Path.of(d, name)).anyMatch(Files::isExecutable);
        }

        @Override
        public boolean hasFile(Path path) {
            return Files.exists(path);
        }

        @Override
        public long capabilities() {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                    if (line.startsWith("CapEff:")) {
                        return Long.parseUnsignedLong(line.substring("CapEff:".length()).strip(), 16);
                    }
                }
            } catch (IOException | NumberFormatException e) {
                // not Linux, or no /proc: nothing to say
            }
            return -1;
        }
    }
}
