package org.alagg.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The {@code alagg} command line as the README has a user run it: {@code alagg run -c FILE} in service mode
 * (stdin not a terminal) and {@code alagg ctl --instance NAME ...} against it, each a child process of this
 * test, in a private run directory ({@code ALAGG_RUN_DIR}) that is deleted afterwards.
 *
 * <p>The cases on one running instance (start-up, queries, commands, live edits) share an instance, in
 * order; stopping, refusing bad files and running several instances each start their own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CommandLineIT {
    /** How long a condition may take to come true: every wait polls, none asserts by sleeping. */
    private static final Duration DEADLINE = Duration.ofSeconds(20);
    private static final Duration START_DEADLINE = Duration.ofSeconds(30);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(100);
    /** Generous on purpose: timed assertions flake on a loaded machine. */
    private static final Duration START_UP_BOUND = Duration.ofSeconds(15);

    private static final Set<PosixFilePermission> OWNER_READ_WRITE = PosixFilePermissions.fromString("rw-------");
    /** A row of {@code lb}: {@code    3|Active     |    1|Alagg engine (0.1.0.SNAPSHOT)|0.1.0.SNAPSHOT}. */
    private static final Pattern BUNDLE_ROW = Pattern.compile("(?m)^\\s*\\d+\\|\\s*(\\w+)\\s*\\|.*$");

    private static final String PEER_1 = "02:00:00:00:01:02";
    private static final String PEER_2 = "02:00:00:00:02:02";
    private static final String PEER_3 = "02:00:00:00:03:02";

    private final Path root = Path.of(System.getProperty("alagg.root", "..")).toAbsolutePath().normalize();
    private final Path dist = Path.of(System.getProperty("alagg.dist", root.resolve("launcher/target/alagg").toString()));
    private final Path alagg = root.resolve("alagg");

    private final List<Sandbox> testSandboxes = new ArrayList<>();
    private Sandbox sharedSandbox;
    private Instance shared;
    private Duration sharedStartUp;
    private Result sharedFirstAnswer;

    @BeforeAll
    void startSharedInstance() throws Exception {
        assertTrue(Files.isRegularFile(dist.resolve("alagg-launcher.jar")),
                "no distribution in " + dist + "; build it first: mvn -B -q install -DskipTests");
        sharedSandbox = new Sandbox();
        shared = sharedSandbox.start(uniqueName(), List.of(
                "# written by CommandLineIT",
                "instance = %s",
                "link.eth1 = " + PEER_1,
                "link.eth2 = " + PEER_2,
                "reorder = windowed"));
        sharedFirstAnswer = shared.awaitAnswering();
        sharedStartUp = shared.startUp();
    }

    @AfterEach
    void stopTestInstances() {
        testSandboxes.forEach(Sandbox::close);
        testSandboxes.clear();
    }

    @AfterAll
    void stopSharedInstance() {
        if (sharedSandbox != null) {
            sharedSandbox.close();
        }
    }

    // ---- one shared instance, cases in order ----

    @Test
    @Order(1)
    void startsInServiceModeWithEveryBundleActiveAndAPrivateSocket() throws Exception {
        System.out.printf("CommandLineIT: alagg start-up (process start to first answered 'alagg ctl lb'): %d ms%n",
                sharedStartUp.toMillis());
        assertTrue(sharedStartUp.compareTo(START_UP_BOUND) < 0,
                "start-up took " + sharedStartUp.toMillis() + " ms, more than " + START_UP_BOUND.toSeconds() + " s");
        List<String> notActiveAtFirstAnswer = bundleStates(sharedFirstAnswer.out()).stream()
                .filter(state -> !state.equals("Active")).toList();
        if (!notActiveAtFirstAnswer.isEmpty()) {
            System.out.println("CommandLineIT: the control socket answered before every bundle was active:\n"
                    + sharedFirstAnswer.out());
        }

        Result lb = shared.ctl("lb");
        assertEquals(0, lb.status(), lb::toString);
        List<String> states = bundleStates(lb.out());
        assertTrue(states.size() >= 15, "expected at least 15 bundles in:\n" + lb.out());
        assertFalse(lb.out().contains("|Resolved") || lb.out().contains("|Installed"), "bundles not active:\n" + lb.out());
        assertTrue(states.stream().allMatch("Active"::equals), "bundles not active:\n" + lb.out());

        assertTrue(Files.exists(shared.socket()), "no control socket " + shared.socket());
        assertEquals(OWNER_READ_WRITE, Files.getPosixFilePermissions(shared.socket()),
                "permissions of " + shared.socket());
    }

    @Test
    @Order(2)
    void answersStatusLinksAndReportsUnknownCommandsAndInstances() throws Exception {
        Result status = shared.awaitCtl("alagg:status names the instance",
                r -> r.status() == 0 && row(r.out(), "instance").filter(row -> row.contains(shared.name())).isPresent(),
                "alagg:status");
        assertTrue(status.out().contains(shared.name()), status::toString);

        Result json = shared.ctl("alagg:status", "--json");
        assertEquals(0, json.status(), json::toString);
        assertTrue(json.out().strip().startsWith("{"), json::toString);
        assertTrue(json.out().contains("\"instance\":\"" + shared.name() + "\""), json::toString);

        Result links = shared.awaitCtl("alagg:links lists eth1 and eth2",
                r -> linkRow(r.out(), "eth1").isPresent() && linkRow(r.out(), "eth2").isPresent(), "alagg:links");
        assertEquals(0, links.status(), links::toString);
        assertLink(links, "eth1", PEER_1, shared.config().toString());
        assertLink(links, "eth2", PEER_2, shared.config().toString());

        Result unknownCommand = shared.ctl("nosuchcommand");
        assertEquals(1, unknownCommand.status(), unknownCommand::toString);
        assertTrue(unknownCommand.err().contains("Command not found"), unknownCommand::toString);

        String unknownInstance = uniqueName();
        Result noInstance = sharedSandbox.ctl("--instance", unknownInstance, "alagg:status");
        assertEquals(3, noInstance.status(), noInstance::toString);
        assertTrue(noInstance.err().contains("no instance"), noInstance::toString);
        assertTrue(noInstance.err().contains(unknownInstance), noInstance::toString);
    }

    @Test
    @Order(3)
    void addsAndRemovesLinksAndSwitchesStrategyByCommand() throws Exception {
        Result added = shared.ctl("alagg:link", "add", "vethx1", "02:00:00:00:0a:01");
        assertEquals(0, added.status(), added::toString);
        Result links = shared.awaitCtl("alagg:links shows vethx1",
                r -> linkRow(r.out(), "vethx1").isPresent(), "alagg:links");
        assertLink(links, "vethx1", "02:00:00:00:0a:01", "command");

        Result again = shared.ctl("alagg:link", "add", "vethx1", "02:00:00:00:0a:01");
        assertEquals(1, again.status(), again::toString);
        assertTrue(again.err().contains("already exists"), again::toString);

        Result multicast = shared.ctl("alagg:link", "add", "vethx2", "01:00:5e:00:00:01");
        assertEquals(1, multicast.status(), multicast::toString);
        assertTrue(multicast.err().contains("multicast"), multicast::toString);
        assertTrue(linkRow(shared.ctl("alagg:links").out(), "vethx2").isEmpty(), "vethx2 was added anyway");

        Result removed = shared.ctl("alagg:link", "remove", "vethx1");
        assertEquals(0, removed.status(), removed::toString);
        shared.awaitCtl("alagg:links no longer shows vethx1",
                r -> r.status() == 0 && linkRow(r.out(), "vethx1").isEmpty(), "alagg:links");

        Result strategy = shared.ctl("alagg:strategy", "none");
        assertEquals(0, strategy.status(), strategy::toString);
        shared.awaitCtl("alagg:status shows strategy none",
                r -> row(r.out(), "strategy").filter(row -> row.matches("strategy\\s+none\\b.*")).isPresent(),
                "alagg:status");
    }

    @Test
    @Order(4)
    void refusesAPluginNameNothingProvidesUnlessToldToWaitForIt() throws Exception {
        Result bogus = shared.ctl("alagg:strategy", "bogus");
        assertEquals(1, bogus.status(), bogus::toString);
        assertTrue(bogus.err().contains("reordering strategy 'bogus' is not installed; installed: "), bogus::toString);
        String installed = bogus.err().replaceAll("(?s).*installed: ([^;]*);.*", "$1").strip();
        assertTrue(List.of(installed.split(", ")).containsAll(List.of("none", "strict", "windowed")), bogus::toString);
        assertTrue(bogus.err().contains("add --wait to select it anyway"), bogus::toString);
        Result unchanged = shared.ctl("alagg:status");
        assertTrue(row(unchanged.out(), "strategy").filter(row -> row.matches("strategy\\s+none\\b.*")).isPresent(),
                unchanged::toString);

        Result malformed = shared.ctl("alagg:interceptor", "Tun");
        assertEquals(1, malformed.status(), malformed::toString);
        assertTrue(malformed.err().contains("interceptor name 'Tun' must be"), malformed::toString);

        Result waiting = shared.ctl("alagg:strategy", "--wait", "bogus");
        assertEquals(0, waiting.status(), waiting::toString);
        shared.awaitCtl("alagg:status shows strategy bogus waiting for its plugin",
                r -> row(r.out(), "strategy").filter(row -> row.matches("strategy\\s+bogus \\(waiting for plugin 'bogus'\\)"))
                        .isPresent(), "alagg:status");
        Result json = shared.ctl("alagg:status", "--json");
        assertEquals(0, json.status(), json::toString);
        assertTrue(json.out().contains("\"configured\":\"bogus\",\"active\":null"), json::toString);
        assertTrue(json.out().contains("\"threads\":["), json::toString);

        Result back = shared.ctl("alagg:strategy", "windowed");
        assertEquals(0, back.status(), back::toString);
    }

    @Test
    @Order(5)
    void appliesLiveEditsOfTheConfigFileAndKeepsTheLastGoodOneOnErrors() throws Exception {
        List<String> good = List.of(
                "instance = " + shared.name(),
                "link.eth1 = " + PEER_1,
                "link.eth2 = " + PEER_2,
                "link.eth3 = " + PEER_3,
                "reorder = strict");
        Files.write(shared.config(), good);
        shared.awaitCtl("alagg:status shows strategy strict",
                r -> row(r.out(), "strategy").filter(row -> row.matches("strategy\\s+strict\\b.*")).isPresent(),
                "alagg:status");
        Result links = shared.awaitCtl("alagg:links shows the new link eth3",
                r -> linkRow(r.out(), "eth3").isPresent(), "alagg:links");
        assertLink(links, "eth3", PEER_3, shared.config().toString());

        List<String> bad = new ArrayList<>(good);
        int badLine = 2;
        bad.set(badLine - 1, "link.eth1 = 02:00:00:00:01");
        Files.write(shared.config(), bad);
        Result status = shared.awaitCtl("alagg:status shows a config error",
                r -> row(r.out(), "config error").isPresent(), "alagg:status");
        String error = row(status.out(), "config error").orElseThrow();
        assertTrue(error.contains(shared.config() + ":" + badLine + ":"), status::toString);
        assertTrue(error.contains("malformed MAC address"), status::toString);
        Result lastGood = shared.ctl("alagg:links");
        assertEquals(0, lastGood.status(), lastGood::toString);
        assertLink(lastGood, "eth1", PEER_1, shared.config().toString());
        assertLink(lastGood, "eth2", PEER_2, shared.config().toString());
        assertLink(lastGood, "eth3", PEER_3, shared.config().toString());

        Files.write(shared.config(), good);
        shared.awaitCtl("the config error goes away once the file is fixed",
                r -> r.status() == 0 && row(r.out(), "config error").isEmpty(), "alagg:status");
    }

    // ---- instances of their own ----

    @Test
    @Order(6)
    void stopsCleanlyOnSigterm() throws Exception {
        Instance instance = newSandbox().start(uniqueName(), twoLinks());
        instance.awaitAnswering();

        instance.process().destroy(); // SIGTERM; the alagg script execs java, so this is the JVM
        assertTrue(instance.process().waitFor(DEADLINE.toMillis(), TimeUnit.MILLISECONDS),
                "alagg run still runs " + DEADLINE.toSeconds() + " s after SIGTERM");
        assertEquals(0, instance.process().exitValue(), instance::log);
        assertTrue(instance.stderr().contains("stopped"), instance::log);
        assertFalse(Files.exists(instance.socket()), "control socket left behind: " + instance.socket());
    }

    static Stream<Arguments> badConfigFiles() {
        return Stream.of(
                Arguments.of("malformed MAC", List.of("instance = %s", "link.eth1 = " + PEER_1, "link.eth2 = 02:00:00:00:02"),
                        3, "malformed MAC address"),
                Arguments.of("duplicate link", List.of("instance = %s", "link.eth1 = " + PEER_1, "link.eth1 = " + PEER_2),
                        3, "duplicate link 'eth1'"),
                Arguments.of("unknown key", List.of("instance = %s", "link.eth1 = " + PEER_1, "reordr = strict"),
                        3, "unknown key 'reordr'"),
                Arguments.of("interface name of 16 characters", List.of("instance = %s", "link.abcdefghijklmnop = " + PEER_1),
                        2, "too long"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badConfigFiles")
    @Order(7)
    void refusesABadConfigFileAndStartsNothing(String what, List<String> lines, int line, String problem) throws Exception {
        Sandbox sandbox = newSandbox();
        String name = uniqueName();
        Path config = sandbox.writeConfig(name, lines);

        Result run = sandbox.runToExit(config, name);

        assertEquals(2, run.status(), run::toString);
        assertTrue(run.err().contains(config + ":" + line + ": "), "no '" + config + ":" + line + ":' in\n" + run);
        assertTrue(run.err().contains(problem), "no '" + problem + "' in\n" + run);
        assertTrue(run.err().contains("nothing was started"), run::toString);
        assertFalse(Files.exists(sandbox.dir().resolve(name + ".sock")), "a control socket was created");
    }

    @Test
    @Order(8)
    void runsInstancesSideBySideRefusesASecondOneOfTheSameNameAndStopsOneByName() throws Exception {
        Sandbox sandbox = newSandbox();
        Instance first = sandbox.start(uniqueName(), twoLinks(), List.of());
        Path firstsPlugins = dist.resolve("plugins").resolve(first.name());
        try {
            Instance second = sandbox.start(uniqueName(), twoLinks());
            first.awaitAnswering();
            second.awaitAnswering();
            // each instance watches its own plugins folder unless told to share one
            assertEquals(root.resolve("configadmin") + "," + firstsPlugins, watched(first));
            assertTrue(Files.isDirectory(firstsPlugins), firstsPlugins + " was not made");
            assertEquals(root.resolve("configadmin") + "," + sandbox.dir().resolve("plugins"), watched(second));
            sideBySide(sandbox, first, second);
        } finally {
            Files.deleteIfExists(firstsPlugins);
        }
    }

    /** The folders an instance's FileInstall watches. */
    private static String watched(Instance instance) throws Exception {
        Result dirs = instance.ctl("($.context getProperty felix.fileinstall.dir)");
        assertEquals(0, dirs.status(), dirs::toString);
        return dirs.out().strip();
    }

    private void sideBySide(Sandbox sandbox, Instance first, Instance second) throws Exception {
        Result sameName = sandbox.runToExit(first.config(), "same-name");
        assertEquals(1, sameName.status(), sameName::toString);
        assertTrue(sameName.err().contains("already running"), sameName::toString);

        for (Instance instance : List.of(first, second)) {
            Result lb = instance.ctl("lb");
            assertEquals(0, lb.status(), () -> instance.name() + ": " + lb);
            assertTrue(instance.process().isAlive(), instance::log);
        }

        // alagg stop: a clean stop of the one named, waited for; the other runs on
        Result stop = sandbox.script("stop", "--instance", second.name());
        assertEquals(0, stop.status(), stop::toString);
        assertEquals("alagg: instance '" + second.name() + "' stopped\n", stop.out());
        assertFalse(second.process().isAlive(), "alagg stop returned before the instance ended");
        assertEquals(0, second.process().exitValue(), second::log);
        assertFalse(Files.exists(second.socket()), "control socket left behind: " + second.socket());
        assertTrue(first.process().isAlive(), first::log);
        Result again = sandbox.script("stop", "-i", second.name());
        assertEquals(3, again.status(), again::toString);
        assertEquals("alagg: no instance '" + second.name() + "' is running (no control socket " + second.socket()
                + ")\n", again.err());
    }

    @Test
    @Order(9)
    void ctlTurnsGogosCoercionErrorsIntoTheCommandsFormsAndNamesTheInstanceEveryWay() throws Exception {
        Result noArguments = shared.ctl("alagg:links", "foo");
        assertEquals(1, noArguments.status(), noArguments::toString);
        assertEquals(String.join("\n",
                "error: alagg:links does not take these arguments (given: 'foo'); it takes:",
                "  links - the links, by peer: state and since when, round-trip time, loss both ways (last 2 s), last"
                        + " heard, frames; a PEER column comes first once a peer other than 'default' has links",
                "'help alagg:links' says more", ""), noArguments.err());
        Result link = shared.ctl("alagg:link");
        assertEquals(1, link.status(), link::toString);
        // its two forms, in the order the JVM lists the methods (not always the same)
        assertTrue(link.err().startsWith("error: alagg:link does not take these arguments (given: none); it takes:\n"),
                link::toString);
        assertTrue(link.err().contains("\n  link - add a link: link add [--peer NAME] <interface> <peer MAC>;"), link::toString);
        assertTrue(link.err().contains("\n  link - remove a link: link remove [--peer NAME] <interface>;"), link::toString);
        assertFalse(link.err().contains("Cannot coerce"), link::toString);

        Result exit = shared.ctl("exit");
        assertEquals(1, exit.status(), exit::toString);
        assertEquals("error: exit leaves the shell of alagg run in a terminal; alagg ctl runs one command and has nothing"
                + " to leave. To stop the instance: alagg stop --instance " + shared.name() + "\n", exit.err());
        assertTrue(shared.process().isAlive(), "ctl exit stopped the instance");

        for (List<String> named : List.of(List.of("-i", shared.name()), List.of("--instance=" + shared.name()))) {
            List<String> args = new ArrayList<>(named);
            args.add("alagg:status");
            Result status = sharedSandbox.ctl(args.toArray(String[]::new));
            assertEquals(0, status.status(), named + ": " + status);
            assertTrue(row(status.out(), "instance").filter(r -> r.contains(shared.name())).isPresent(), status::toString);
        }
        // alagg ctl starts a JVM per call: it must stay well under a second (issue 17, item 6)
        List<Long> millis = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            long start = System.nanoTime();
            assertEquals(0, shared.ctl("alagg:status").status());
            millis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        }
        millis.sort(null);
        System.out.printf("CommandLineIT: alagg ctl alagg:status, 5 calls: %s ms (median %d ms)%n", millis, millis.get(2));
        assertTrue(millis.get(2) < 1000, "alagg ctl took " + millis + " ms");
    }

    @Test
    @Order(11)
    void runWithItsOutputPipedStopsOnCtrlC() throws Exception {
        Sandbox sandbox = newSandbox();
        String name = uniqueName();
        Path config = sandbox.writeConfig(name, twoLinks());
        Path log = sandbox.dir().resolve(name + ".piped");
        // A terminal (script's pseudo-terminal) on stdin, stdout into a pipe: what 'alagg run -c F 2>&1 | tee log' is.
        Process terminal = sandbox.inTerminal(alagg + " run -c " + config + " --plugins plugins 2>&1 | cat > " + log,
                sandbox.dir().resolve(name + ".screen"));
        Instance instance = new Instance(sandbox, name, config, terminal, System.nanoTime());
        instance.awaitAnswering();
        terminal.getOutputStream().write(3); // Ctrl-C: the terminal sends SIGINT to the pipeline
        terminal.getOutputStream().flush();
        // A clean stop removes the control socket (a killed JVM would leave it); cat, killed by the same Ctrl-C, no
        // longer shows the last lines.
        await("the instance's control socket goes once Ctrl-C is pressed", DEADLINE,
                () -> Files.exists(instance.socket()), exists -> !exists);
        assertTrue(terminal.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS), "the pipeline still runs after Ctrl-C");
        assertFalse(Files.readString(log).contains("Exception"), Files.readString(log));
    }

    @Test
    @Order(12)
    void exitInTheTerminalsShellStopsTheInstance() throws Exception {
        Sandbox sandbox = newSandbox();
        String name = uniqueName();
        Path config = sandbox.writeConfig(name, twoLinks());
        Path log = sandbox.dir().resolve(name + ".terminal");
        // jline needs the terminal's size, which script's pseudo-terminal does not have without a terminal of its own
        Process terminal = sandbox.inTerminal("stty cols 120 rows 40; " + alagg + " run -c " + config + " --plugins plugins",
                log);
        Instance instance = new Instance(sandbox, name, config, terminal, System.nanoTime());
        instance.awaitAnswering();
        await("the shell's prompt", DEADLINE, () -> Files.readString(log), text -> text.contains("g! "));
        terminal.getOutputStream().write("exit\r".getBytes(StandardCharsets.US_ASCII));
        terminal.getOutputStream().flush();
        assertTrue(terminal.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS), "alagg run still runs after exit:\n"
                + Files.readString(log));
        String text = Files.readString(log);
        assertTrue(text.contains("stopping instance '" + name + "'"), text);
        assertTrue(text.contains("alagg: instance '" + name + "' stopped"), text);
        assertFalse(text.contains("Cannot coerce"), text);
        assertFalse(Files.exists(instance.socket()), "control socket left behind: " + instance.socket());
    }

    @Test
    @Order(13)
    void theScriptsOwnCommandsTakeHelpAndRefuseWhatTheyDoNotKnow() throws Exception {
        Sandbox sandbox = newSandbox();
        Result version = sandbox.script("--version");
        assertEquals(0, version.status(), version::toString);
        assertEquals("alagg " + System.getProperty("alagg.version", "0.1.0-SNAPSHOT") + "\n", version.out());

        Result demo = sandbox.script("demo", "--help");
        assertEquals(0, demo.status(), demo::toString);
        assertEquals("usage:\n  alagg demo                  two namespaces, two links, live traffic: what Alagg does"
                + " (root)\n", demo.out());

        Result build = sandbox.script("build", "--bogus");
        assertEquals(2, build.status(), build::toString);
        assertEquals("alagg build: unknown option '--bogus'\nusage:\n  alagg build                 (re)build the"
                + " distribution in launcher/target/alagg\n", build.err());

        Result runHelp = sandbox.script("run", "--help");
        assertEquals(0, runHelp.status(), runHelp::toString);
        assertTrue(runHelp.out().startsWith("usage: alagg run -c FILE [--configadmin DIR] [--plugins DIR]\n"),
                runHelp::toString);
        assertEquals("", runHelp.err());

        Result ctlHelp = sandbox.script("ctl", "--help");
        assertEquals(0, ctlHelp.status(), ctlHelp::toString);
        assertTrue(ctlHelp.out().startsWith("usage: alagg ctl [-i NAME] COMMAND [ARG...]\n"), ctlHelp::toString);

        Result missing = sandbox.script("run", "-c", sandbox.dir().resolve("none.cfg").toString());
        assertEquals(2, missing.status(), missing::toString);
        assertEquals("alagg: configuration file " + sandbox.dir().resolve("none.cfg") + " does not exist; nothing was"
                + " started\n", missing.err());
    }

    @Test
    @Order(14)
    void checkShowsTheEffectiveConfigurationAndEveryProblemByLine() throws Exception {
        Sandbox sandbox = newSandbox();
        Path config = sandbox.writeConfig("check", List.of("instance = east", "link.lo = " + PEER_1,
                "link.nosuch0 = " + PEER_2, "reorder = strict", "reorder.windwo = 64"));
        Result check = sandbox.script("check", "-c", config.toString());
        assertEquals(2, check.status(), check::toString);
        assertEquals(String.join("\n",
                "# the effective configuration of " + config + " (defaults filled in)",
                "instance = east",
                "link.lo = " + PEER_1,
                "link.nosuch0 = " + PEER_2,
                "reorder = strict",
                "reorder.windwo = 64",
                "interceptor = nfqueue   # default",
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
                "tun.offload = on   # default", ""), check.out());
        List<String> problems = check.err().lines().filter(line -> line.startsWith(config + ":")).toList();
        assertEquals(List.of(
                config + ":3: warning: interface 'nosuch0' does not exist in this network namespace (ip link lists those"
                        + " that do); the link stays DOWN until it does",
                config + ":5: unknown key 'reorder.windwo' (did you mean 'reorder.window'?); known keys: instance,"
                        + " interceptor, reorder, ethertype, scheduler, transport, reorder.window, reorder.timeout.ms,"
                        + " fec.ratio, fec.timeout.ms, fec.target.loss, probe.interval.ms, nfqueue.num,"
                        + " capture.destinations, capture.forward, tun.name, tun.address, tun.route, tun.offload, key,"
                        + " key.file, key.accept, key.accept.file, peer.allowed, metrics.listen, metrics.token,"
                        + " link.<interface>, plugin.<plugin>.<setting>"), problems);
        assertTrue(check.err().endsWith(" problem(s) in " + config + ", 1 warning(s)\n"), check::toString);
        assertTrue(Files.list(sandbox.dir()).noneMatch(f -> f.toString().endsWith(".sock")), "check started something");
    }

    // ---- helpers ----

    private static List<String> twoLinks() {
        return List.of("instance = %s", "link.eth1 = " + PEER_1, "link.eth2 = " + PEER_2);
    }

    private static String uniqueName() {
        return String.format("it-%08x", ThreadLocalRandom.current().nextInt());
    }

    private Sandbox newSandbox() throws IOException {
        Sandbox sandbox = new Sandbox();
        testSandboxes.add(sandbox);
        return sandbox;
    }

    /** The states of the bundle rows of {@code lb} output. */
    private static List<String> bundleStates(String lb) {
        List<String> states = new ArrayList<>();
        Matcher m = BUNDLE_ROW.matcher(lb);
        while (m.find()) {
            states.add(m.group(1));
        }
        return states;
    }

    /** The row of a two-column {@code alagg:status} table whose label is {@code label}. */
    private static Optional<String> row(String table, String label) {
        return table.lines().filter(line -> line.matches(Pattern.quote(label) + "\\s{2,}.*")).findFirst();
    }

    /** The row of {@code alagg:links} output for a link. */
    private static Optional<String> linkRow(String links, String link) {
        return links.lines().filter(line -> line.startsWith(link + " ")).findFirst();
    }

    private static void assertLink(Result links, String link, String peer, String origin) {
        String row = linkRow(links.out(), link).orElseGet(() -> fail("no link " + link + " in\n" + links));
        List<String> columns = List.of(row.split("\\s{2,}"));
        assertEquals(peer, columns.get(1), "peer of " + link + " in\n" + links);
        assertEquals(origin, columns.get(columns.size() - 1), "origin of " + link + " in\n" + links);
    }

    @FunctionalInterface
    private interface Probe<T> {
        T get() throws Exception;
    }

    /** Polls until {@code done} holds for what {@code probe} returns, and returns that; fails after the deadline. */
    private static <T> T await(String what, Duration deadline, Probe<T> probe, Predicate<T> done) throws Exception {
        long end = System.nanoTime() + deadline.toNanos();
        while (true) {
            T value = probe.get();
            if (done.test(value)) {
                return value;
            }
            if (System.nanoTime() - end > 0) {
                return fail("not within " + deadline.toSeconds() + " s: " + what + "; last seen:\n" + value);
            }
            Thread.sleep(POLL_INTERVAL.toMillis());
        }
    }

    /** What a finished process printed. */
    private record Result(int status, String out, String err) {
        @Override
        public String toString() {
            return "exit status " + status + "\n--- stdout:\n" + out + "--- stderr:\n" + err;
        }
    }

    /**
     * A fresh run directory ({@code ALAGG_RUN_DIR}) that also holds the config files and the output of the
     * instances started in it. Closing it stops every process started in it and deletes it.
     */
    private final class Sandbox implements AutoCloseable {
        private final Path dir;
        private final List<Process> processes = new ArrayList<>();

        Sandbox() throws IOException {
            dir = Files.createTempDirectory("alagg-it-");
        }

        Path dir() {
            return dir;
        }

        /** Writes {@code <name>.cfg}; a {@code %s} in the lines stands for the instance name. */
        Path writeConfig(String name, List<String> lines) throws IOException {
            Path config = dir.resolve(name + ".cfg");
            Files.write(config, lines.stream().map(line -> line.replace("%s", name)).toList());
            return config;
        }

        /**
         * Writes the config file and runs {@code alagg run -c} on it in the background, watching this sandbox's
         * {@code plugins/} (the distribution's own default would leave a folder per instance behind).
         */
        Instance start(String name, List<String> configLines) throws IOException {
            return start(name, configLines, List.of("--plugins", dir.resolve("plugins").toString()));
        }

        /** Writes the config file and runs {@code alagg run -c CONFIG OPTIONS...} on it in the background. */
        Instance start(String name, List<String> configLines, List<String> options) throws IOException {
            Path config = writeConfig(name, configLines);
            long startedNanos = System.nanoTime();
            List<String> command = new ArrayList<>(List.of("run", "-c", config.toString()));
            command.addAll(options);
            Process process = launch(command, output(name, "stdout"), output(name, "stderr"));
            return new Instance(this, name, config, process, startedNanos);
        }

        /** Runs {@code alagg run -c CONFIG} that is expected to give up, and waits for its exit. */
        Result runToExit(Path config, String logName) throws Exception {
            Path out = output(logName, "stdout");
            Path err = output(logName, "stderr");
            Process process = launch(List.of("run", "-c", config.toString()), out, err);
            return awaitExit(process, "alagg run -c " + config, out, err);
        }

        /** Runs {@code alagg ctl ARGS...} and waits for its exit. */
        Result ctl(String... args) throws Exception {
            List<String> command = new ArrayList<>(List.of("ctl"));
            command.addAll(List.of(args));
            return script(command.toArray(String[]::new));
        }

        /**
         * Runs a shell command line in a terminal of its own ({@code script}'s pseudo-terminal, whose input is the
         * returned process's output stream and whose screen goes to {@code output}), here, with this sandbox's run
         * directory.
         */
        Process inTerminal(String commandLine, Path output) throws IOException {
            ProcessBuilder builder = new ProcessBuilder("script", "-qefc", commandLine, "/dev/null")
                    .directory(dir.toFile())
                    .redirectOutput(output.toFile())
                    .redirectErrorStream(true);
            builder.environment().put(RunDirectory.ENV, dir.toString());
            builder.environment().put("TERM", "xterm");
            Process process = builder.start();
            processes.add(process);
            return process;
        }

        /** Runs {@code alagg ARGS...} and waits for its exit. */
        Result script(String... args) throws Exception {
            List<String> command = List.of(args);
            Path out = Files.createTempFile(dir, "alagg-", ".stdout");
            Path err = Files.createTempFile(dir, "alagg-", ".stderr");
            try {
                return awaitExit(launch(command, out, err), "alagg " + String.join(" ", command), out, err);
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        }

        private Path output(String name, String stream) {
            return dir.resolve(name + "." + stream);
        }

        /** Starts {@code alagg ARGS...} here: stdin /dev/null (service mode), output into files. */
        private Process launch(List<String> args, Path out, Path err) throws IOException {
            List<String> command = new ArrayList<>(List.of(alagg.toString()));
            command.addAll(args);
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            builder.environment().put(RunDirectory.ENV, dir.toString());
            Process process = builder.start();
            processes.add(process);
            return process;
        }

        private Result awaitExit(Process process, String what, Path out, Path err) throws Exception {
            if (!process.waitFor(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                fail(what + " did not exit within " + DEADLINE.toSeconds() + " s; stderr:\n" + Files.readString(err));
            }
            return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
        }

        /** SIGTERM to whatever still runs, SIGKILL to what ignores it, then the directory goes. */
        @Override
        public void close() {
            processes.stream().filter(Process::isAlive).forEach(Process::destroy);
            for (Process process : processes) {
                try {
                    if (!process.waitFor(10, TimeUnit.SECONDS)) {
                        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                    }
                } catch (InterruptedException e) {
                    process.destroyForcibly();
                    Thread.currentThread().interrupt();
                }
            }
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            } catch (IOException e) {
                System.err.println("CommandLineIT: could not delete " + dir + ": " + e);
            }
        }
    }

    /** An {@code alagg run} child process and what belongs to it. */
    private final class Instance {
        private final Sandbox sandbox;
        private final String name;
        private final Path config;
        private final Process process;
        private final long startedNanos;
        private long answeredNanos;

        Instance(Sandbox sandbox, String name, Path config, Process process, long startedNanos) {
            this.sandbox = sandbox;
            this.name = name;
            this.config = config;
            this.process = process;
            this.startedNanos = startedNanos;
        }

        String name() {
            return name;
        }

        Path config() {
            return config;
        }

        Process process() {
            return process;
        }

        Path socket() {
            return sandbox.dir().resolve(name + ".sock");
        }

        /** Runs {@code alagg ctl --instance NAME COMMAND...}. */
        Result ctl(String... command) throws Exception {
            List<String> args = new ArrayList<>(List.of("--instance", name));
            args.addAll(List.of(command));
            return sandbox.ctl(args.toArray(String[]::new));
        }

        /** Polls {@code alagg ctl --instance NAME COMMAND...} until the condition holds. */
        Result awaitCtl(String what, Predicate<Result> condition, String... command) throws Exception {
            return await(what + " (instance " + name + ")", DEADLINE, () -> ctl(command), condition);
        }

        /** Waits until {@code alagg ctl lb} succeeds, and returns that first answer. */
        Result awaitAnswering() throws Exception {
            Result first;
            try {
                first = await("instance " + name + " answers 'alagg ctl lb'", START_DEADLINE, () -> {
                    if (!process.isAlive()) {
                        fail("alagg run exited with status " + process.exitValue() + " before answering");
                    }
                    return ctl("lb");
                }, r -> r.status() == 0);
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "\n" + log(), e);
            }
            answeredNanos = System.nanoTime();
            return first;
        }

        /** From the process start to the first answered {@code alagg ctl lb}. */
        Duration startUp() {
            return Duration.ofNanos(answeredNanos - startedNanos);
        }

        String stderr() {
            try {
                return Files.readString(sandbox.output(name, "stderr"));
            } catch (IOException e) {
                return "(no stderr: " + e + ")";
            }
        }

        String log() {
            return "alagg run -c " + config + " (instance " + name + "), stderr:\n" + stderr();
        }
    }
}
