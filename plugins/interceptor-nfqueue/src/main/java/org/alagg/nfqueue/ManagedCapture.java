package org.alagg.nfqueue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32;

import org.alagg.api.IpNetwork;

/**
 * {@code capture.destinations}: what the {@code nfqueue} mode needs in the kernel, made by Alagg itself, in its network
 * namespace, as wg-quick does for WireGuard. Per address family with destinations: a chain of this instance's
 * ({@code ALAGG-<instance>}) holding one rule per destination (with the mark exclusion) that sends it to the queue, a
 * jump to it from {@code OUTPUT} (and {@code FORWARD} when asked); and per destination a route through {@code lo}, so
 * that no link going down takes the route away (the kernel routes a packet before {@code OUTPUT} sees it; a route
 * through link 1 dies with link 1, and the application gets "Network is unreachable" although link 2 is fine), with
 * the MTU of the links' packet limit, so that TCP's first segments already fit.
 *
 * <p>{@link #apply} changes only what differs from what is in place; {@link #remove} takes everything away. A route is
 * added, never replaced: a destination that already has a route this instance did not make (the operator's of any
 * metric or table, another instance's) is left out, its rule too, and named; only routes of this protocol through
 * {@code lo} are ever deleted. The routes made are
 * written to a state file, so that a start after a crash removes the previous run's first (the chain is found by its
 * name); the file stays while something could not be removed. Not thread-safe: the interceptor calls it under its
 * control lock.
 */
final class ManagedCapture {
    /** The protocol number of the routes made here, so that {@code ip route show proto 161} lists them. */
    static final String ROUTE_PROTOCOL = "161";
    private static final int MAX_CHAIN_NAME = 28;
    /** How long iptables waits for the xtables lock another program holds, in seconds ({@code -w}): not for ever. */
    static final String LOCK_WAIT_SECONDS = "5";

    /** What to make: empty destinations, nothing. A destination listed twice is made once. */
    record Settings(List<IpNetwork> destinations, boolean forward, int queue, int mark, int mtu) {
        static final Settings NONE = new Settings(List.of(), false, 0, 0, 0);

        Settings {
            destinations = destinations.stream().distinct().toList();
        }

        List<IpNetwork> family(boolean ipv6) {
            return destinations.stream().filter(d -> (d.addressLength() == 16) == ipv6).toList();
        }
    }

    /** Runs a tool; a failure says why in the exception. */
    interface Runner {
        String run(String tool, List<String> args) throws IOException;
    }

    private final String chain;
    private final Path stateFile;
    private final Runner runner;
    /** The routes this instance made and has not deleted: what the state file lists. */
    private final Set<IpNetwork> routes = new LinkedHashSet<>();
    /** What is in place; null: not known (before the first apply, after a failed one): a previous run may have left some. */
    private Settings current;

    /**
     * @param stateFile where the routes made are listed; null: nowhere (a crash leaves them, the next start replaces
     *        those it makes again)
     */
    ManagedCapture(String instance, Path stateFile, Runner runner) {
        this.chain = chainName(instance);
        this.stateFile = stateFile;
        this.runner = runner;
    }

    /** {@code ALAGG-<instance>}, shortened with a checksum of the name to the 28 characters iptables takes. */
    static String chainName(String instance) {
        String name = "ALAGG-" + instance;
        if (name.length() <= MAX_CHAIN_NAME) {
            return name;
        }
        CRC32 crc = new CRC32();
        crc.update(instance.getBytes(StandardCharsets.UTF_8));
        return name.substring(0, MAX_CHAIN_NAME - 9) + "-" + String.format("%08x", crc.getValue());
    }

    String chain() {
        return chain;
    }

    /**
     * Refuses a destination that would take over the host's routing: a prefix of length 0 is the default route (its
     * route through {@code lo} would blackhole everything the links do not carry, Alagg's own control traffic included).
     */
    static void checkDestinations(List<IpNetwork> destinations) {
        for (IpNetwork d : destinations) {
            if (d.prefixLength() == 0) {
                throw new IllegalArgumentException(d + " is every address: a route for it through lo would take over the"
                        + " default route; list the peer's networks");
            }
        }
    }

    /** Whether a previous run may have left something: its state file is there (written before anything is made). */
    boolean leftovers() {
        return stateFile != null && Files.exists(stateFile);
    }

    /**
     * Makes what {@code next} asks for, changing only what differs from what is in place; the first time, what a
     * previous run left is removed first. A destination that already has a route this instance did not make is left
     * out (no rule, no route) and named in the answer; the others are made. A tool failing half-way leaves the state
     * unknown: the next call starts from scratch.
     *
     * @return why destinations were left out, one sentence; empty when every one was made
     */
    String apply(Settings next) throws IOException {
        if (current == null) {
            removeLeftovers();
            current = Settings.NONE;
        }
        Settings before = current;
        List<IpNetwork> made = new ArrayList<>();
        List<String> taken = new ArrayList<>();
        for (IpNetwork d : next.destinations()) {
            // a route of ours there already is one a crashed run left and its state file lost: in the way too
            String other = before.destinations().contains(d) ? "" : routesTo(d);
            if (other.isEmpty()) {
                made.add(d);
            } else {
                taken.add(d + " (" + other + ")");
            }
        }
        Settings possible = new Settings(made, next.forward(), next.queue(), next.mark(), next.mtu());
        current = null;
        writeState(); // the chain is found by its name: a crash before any route is made leaves the file to say so
        for (boolean ipv6 : new boolean[] {false, true}) {
            applyRules(ipv6, before, possible);
            applyRoutes(ipv6, before, possible);
        }
        current = possible;
        return taken.isEmpty() ? "" : "a route to " + String.join(", to ", taken) + " is there already, not made by"
                + " this instance: Alagg does not take over a route it did not make (whatever its metric or table), so"
                + " it captures nothing for it; remove that route, or leave the destination out of capture.destinations";
    }

    /**
     * What of the rules and routes in place is missing now (someone else took it away: a firewall reload that flushed
     * the tables, a route deleted by hand), one phrase; empty when all is there or nothing is in place. When something
     * is missing, the next {@link #apply} starts from scratch and makes it all again.
     */
    String missing() throws IOException {
        Settings s = current;
        if (s == null || s.destinations().isEmpty()) {
            return "";
        }
        List<String> missing = new ArrayList<>();
        for (boolean ipv6 : new boolean[] {false, true}) {
            List<IpNetwork> family = s.family(ipv6);
            if (family.isEmpty()) {
                continue;
            }
            String tool = ipv6 ? "ip6tables" : "iptables";
            if (!output(tool, "-w", LOCK_WAIT_SECONDS, "-S", "OUTPUT").contains("-j " + chain)) {
                missing.add(tool + " OUTPUT jump to " + chain);
            }
            String rules = output(tool, "-w", LOCK_WAIT_SECONDS, "-S", chain);
            String shown = output("ip", ipv6 ? "-6" : "-4", "route", "show", "dev", "lo", "proto", ROUTE_PROTOCOL);
            for (IpNetwork d : family) {
                if (rules.lines().noneMatch(l -> l.contains("NFQUEUE") && covers(l, d))) {
                    missing.add(tool + " rule for " + d);
                }
                if (shown.lines().noneMatch(l -> covers(l, d))) {
                    missing.add("route to " + d);
                }
            }
        }
        if (!missing.isEmpty()) {
            current = null;
        }
        return String.join(", ", missing);
    }

    /**
     * Whether a line of iptables -S or ip route show names the destination: iptables writes a host as ADDRESS/32
     * (/128), ip as the bare address, both in their own IPv6 spelling, so the parsed forms are compared.
     */
    private static boolean covers(String line, IpNetwork d) {
        for (String word : line.strip().split("\\s+")) {
            try {
                IpNetwork shown = IpNetwork.parse(word.contains("/") ? word
                        : word + (d.addressLength() == 16 ? "/128" : "/32"));
                if (shown.equals(d)) {
                    return true;
                }
            } catch (IllegalArgumentException e) {
                // not an address
            }
        }
        return false;
    }

    /**
     * Removes everything made; also after a failed {@link #apply}, as far as it can: the state file stays while a route
     * it lists is still there, so that the next start tries again.
     */
    void remove() throws IOException {
        if (current == null) {
            removeLeftovers();
            current = Settings.NONE;
            return;
        }
        try {
            apply(Settings.NONE);
            deleteState();
        } catch (IOException e) {
            current = null;
            try {
                removeLeftovers(); // as far as it can: when it takes everything away, the failure is mended
            } catch (IOException remaining) {
                remaining.addSuppressed(e);
                throw remaining;
            }
            current = Settings.NONE;
        }
    }

    private void applyRules(boolean ipv6, Settings before, Settings next) throws IOException {
        String tool = ipv6 ? "ip6tables" : "iptables";
        List<IpNetwork> had = before.family(ipv6);
        List<IpNetwork> wants = next.family(ipv6);
        if (had.isEmpty() && wants.isEmpty()) {
            return;
        }
        if (wants.isEmpty()) {
            if (!removeChain(tool)) {
                throw new IOException(tool + " chain " + chain + " could not be removed");
            }
            return;
        }
        if (had.isEmpty()) {
            iptables(tool, "-N", chain);
        }
        boolean sameTarget = !had.isEmpty() && before.queue() == next.queue() && before.mark() == next.mark();
        for (IpNetwork d : had) {
            if (!sameTarget || !wants.contains(d)) {
                iptables(tool, rule("-D", d, before));
            }
        }
        for (IpNetwork d : wants) {
            if (!sameTarget || !had.contains(d)) {
                iptables(tool, rule("-A", d, next));
            }
        }
        if (had.isEmpty()) {
            iptables(tool, "-I", "OUTPUT", "1", "-j", chain);
        }
        boolean forwarded = !had.isEmpty() && before.forward();
        if (next.forward() && !forwarded) {
            iptables(tool, "-I", "FORWARD", "1", "-j", chain);
        } else if (!next.forward() && forwarded) {
            iptables(tool, "-D", "FORWARD", "-j", chain);
        }
    }

    private String[] rule(String action, IpNetwork destination, Settings s) {
        return new String[] {action, chain, "-d", destination.toString(), "-m", "mark", "!", "--mark",
                "0x" + Integer.toHexString(s.mark()), "-j", "NFQUEUE", "--queue-num", Integer.toString(s.queue())};
    }

    private void applyRoutes(boolean ipv6, Settings before, Settings next) throws IOException {
        List<IpNetwork> had = before.family(ipv6);
        List<IpNetwork> wants = next.family(ipv6);
        for (IpNetwork d : had) {
            if (!wants.contains(d)) {
                deleteRoute(ipv6, d);
            }
        }
        for (IpNetwork d : wants) {
            if (!had.contains(d)) {
                addRoute(ipv6, d, next.mtu());
            } else if (before.mtu() != next.mtu()) {
                changeMtu(ipv6, d, next.mtu());
            }
        }
    }

    /**
     * The route of ours stays while its MTU changes (ip route change keeps its key: prefix, metric, table, and no other
     * route has that key while ours is there). Ours gone (deleted by hand), it is made again only where nothing else
     * routes the destination now: ip route change would take over whatever route has the key.
     */
    private void changeMtu(boolean ipv6, IpNetwork d, int mtu) throws IOException {
        String family = ipv6 ? "-6" : "-4";
        if (!runner.run("ip", List.of(family, "route", "show", "exact", d.toString(), "dev", "lo", "proto",
                ROUTE_PROTOCOL)).isBlank()) {
            ip(ipv6, "route", "change", d.toString(), "dev", "lo", "mtu", Integer.toString(mtu), "proto", ROUTE_PROTOCOL);
            return;
        }
        String other = routesTo(d);
        if (!other.isEmpty()) {
            routes.remove(d);
            writeState();
            throw new IOException("the route to " + d + " this instance made is gone, and another is there (" + other
                    + "): Alagg does not take it over");
        }
        addRoute(ipv6, d, mtu);
    }

    /**
     * The routes to exactly {@code d} in any table, as ip shows them, one line each joined by "; "; empty when there are
     * none. ip route add alone would let a route of ours win over an operator's of another metric, so the look comes
     * first.
     */
    private String routesTo(IpNetwork d) throws IOException {
        String shown = runner.run("ip", List.of(d.addressLength() == 16 ? "-6" : "-4", "route", "show", "exact",
                d.toString(), "table", "all"));
        return String.join("; ", shown.lines().map(String::strip).filter(l -> !l.isEmpty()).toList());
    }

    /**
     * Deletes a route this instance made: the selector names this protocol and lo, so no other route matches. One that
     * is gone already (ip says "No such process") is deleted as far as this instance is concerned.
     */
    private void deleteRoute(boolean ipv6, IpNetwork d) throws IOException {
        try {
            ip(ipv6, "route", "del", d.toString(), "dev", "lo", "proto", ROUTE_PROTOCOL);
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("No such process")) {
                throw e;
            }
        }
        routes.remove(d);
        writeState();
    }

    /**
     * Adds the route (after {@link #routesTo} found none in its way). The state file lists it from just before it is
     * made until it is deleted, and never when it could not be made.
     */
    private void addRoute(boolean ipv6, IpNetwork d, int mtu) throws IOException {
        boolean listed = !routes.add(d);
        writeState();
        try {
            ip(ipv6, "route", "add", d.toString(), "dev", "lo", "mtu", Integer.toString(mtu), "proto", ROUTE_PROTOCOL);
        } catch (IOException e) {
            if (!listed) {
                routes.remove(d);
                writeState();
            }
            throw e;
        }
    }

    /**
     * The jumps to the chain, its rules, the chain: each as far as it exists.
     *
     * @return whether the chain is gone (iptables -S no longer finds it), or the tool is not there to ask
     */
    private boolean removeChain(String tool) {
        for (String hook : List.of("OUTPUT", "FORWARD")) {
            for (int i = 0; i < 16; i++) { // a jump added twice (by hand, say) goes too; a bound, not a loop forever
                if (!quietly(tool, "-w", LOCK_WAIT_SECONDS, "-D", hook, "-j", chain)) {
                    break;
                }
            }
        }
        quietly(tool, "-w", LOCK_WAIT_SECONDS, "-F", chain);
        return quietly(tool, "-w", LOCK_WAIT_SECONDS, "-X", chain)
                || !quietly(tool, "-w", LOCK_WAIT_SECONDS, "-S", chain);
    }

    /** What a run that did not stop cleanly left: the chains (found by name) and the routes its state file lists. */
    private void removeLeftovers() throws IOException {
        List<String> remaining = new ArrayList<>();
        for (String tool : List.of("iptables", "ip6tables")) {
            if (!removeChain(tool)) {
                remaining.add(tool + " chain " + chain);
            }
        }
        routes.clear();
        for (String line : readState()) {
            IpNetwork d;
            try {
                d = IpNetwork.parse(line);
            } catch (IllegalArgumentException e) {
                continue; // not a line this class wrote
            }
            String family = d.addressLength() == 16 ? "-6" : "-4";
            if (!quietly("ip", family, "route", "del", d.toString(), "dev", "lo", "proto", ROUTE_PROTOCOL)
                    // gone already, or it could not be deleted: only a look tells
                    && !output("ip", family, "route", "show", d.toString(), "dev", "lo", "proto", ROUTE_PROTOCOL)
                            .isBlank()) {
                routes.add(d); // still this instance's: listed until it is gone
                remaining.add("route " + d);
            }
        }
        if (remaining.isEmpty()) {
            deleteState();
            return;
        }
        writeState();
        throw new IOException("could not remove " + String.join(", ", remaining) + " (the next start tries again)");
    }

    private void iptables(String tool, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("-w", LOCK_WAIT_SECONDS));
        command.addAll(List.of(args));
        runner.run(tool, command);
    }

    private void ip(boolean ipv6, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(ipv6 ? "-6" : "-4"));
        command.addAll(List.of(args));
        runner.run("ip", command);
    }

    /** A tool's output; empty when it fails. */
    private String output(String tool, String... args) {
        try {
            return runner.run(tool, List.of(args));
        } catch (IOException e) {
            return "";
        }
    }

    private boolean quietly(String tool, String... args) {
        try {
            runner.run(tool, List.of(args));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private List<String> readState() {
        if (stateFile == null) {
            return List.of();
        }
        try {
            return Files.readAllLines(stateFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return List.of(); // none: nothing was left
        }
    }

    private void writeState() throws IOException {
        if (stateFile == null) {
            return;
        }
        Set<String> lines = new LinkedHashSet<>();
        routes.forEach(r -> lines.add(r.toString()));
        Path temporary = stateFile.resolveSibling(stateFile.getFileName() + ".new");
        Files.write(temporary, lines, StandardCharsets.UTF_8);
        Files.move(temporary, stateFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private void deleteState() {
        if (stateFile == null) {
            return;
        }
        try {
            Files.deleteIfExists(stateFile);
        } catch (IOException e) {
            // the next start reads it and finds nothing to remove
        }
    }
}
