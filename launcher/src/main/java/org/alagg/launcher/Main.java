package org.alagg.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import org.alagg.api.Alagg;
import org.alagg.config.file.ConfigFile;
import org.alagg.config.file.ConfigFileException;
import org.alagg.launcher.Arguments.Option;
import org.alagg.launcher.Arguments.UsageException;

/**
 * The {@code alagg} command line.
 *
 * <pre>
 * alagg run -c FILE [--plugins DIR] ...     run an instance in the foreground
 * alagg check -c FILE                       check a configuration, print it with its defaults
 * alagg ctl [--instance NAME] COMMAND...    run a Gogo command in a running instance
 * alagg stop [--instance NAME]              stop a running instance
 * alagg genkey                              print a new key
 * alagg sdk install [--repo DIR]            the plugin SDK into a Maven local repository
 * alagg show [--instance NAME] [dump]       every peer and link at a glance
 * alagg top [--instance NAME]               the links' rates and the events, redrawn every second
 * </pre>
 */
public final class Main {
    /** Exit status for a command line or configuration file that cannot be used. */
    static final int USAGE = 2;
    /** The instance {@code ctl} and {@code stop} talk to when none is named: the config key's default. */
    private static final String DEFAULT_INSTANCE = "alagg";

    /** The option line every command that reaches a running instance shows. */
    private static final String INSTANCE_USAGE = "  -i, --instance NAME   the instance (the config key 'instance'), default alagg";

    /** Each command's usage, as {@code alagg COMMAND --help} prints it. */
    private static final Map<String, String> COMMAND_USAGE = new LinkedHashMap<>();

    static {
        COMMAND_USAGE.put("run", String.join("\n",
                "usage: alagg run -c FILE [--configadmin DIR] [--plugins DIR]",
                "  runs an instance in the foreground: with a terminal it offers the Gogo shell (exit or",
                "  Ctrl-D stops the instance), without one it runs until SIGTERM or SIGINT (Ctrl-C)",
                "  -c, --config FILE     the configuration file (README.md, Configuration)",
                "  --configadmin DIR     FileInstall's directory of <pid>.cfg files",
                "  --plugins DIR         the folder watched for plugin jars; default plugins/<instance> of the",
                "                        distribution, this instance's own; name one DIR to share it"));
        COMMAND_USAGE.put("check", String.join("\n",
                "usage: alagg check -c FILE",
                "  checks a configuration without starting anything: keys and values, the interfaces of its",
                "  links, key files, what the capture mode needs; prints the effective configuration",
                "  (defaults filled in) and every problem as FILE:LINE: ...; exit status 0 or 2",
                "  -c, --config FILE     the configuration file"));
        COMMAND_USAGE.put("ctl", String.join("\n",
                "usage: alagg ctl [-i NAME] COMMAND [ARG...]",
                "  runs one Gogo command line (e.g. alagg:status, lb, help) in a running instance",
                INSTANCE_USAGE));
        COMMAND_USAGE.put("stop", String.join("\n",
                "usage: alagg stop [-i NAME]",
                "  stops a running instance cleanly (as SIGTERM does) and waits until it has stopped",
                INSTANCE_USAGE));
        COMMAND_USAGE.put("genkey", String.join("\n",
                "usage: alagg genkey",
                "  prints a new random key for the config keys key / key.file (the same on both peers):",
                "  umask 077; alagg genkey > /etc/alagg/peer.key"));
        COMMAND_USAGE.put("show", String.join("\n",
                "usage: alagg show [-i NAME] [dump]",
                "  every peer and link of a running instance at a glance, like wg show; dump: one",
                "  tab-separated line per instance, peer, link and event, for scripts",
                INSTANCE_USAGE));
        COMMAND_USAGE.put("top", String.join("\n",
                "usage: alagg top [-i NAME]",
                "  the links of a running instance as a table with their rates, loss and RTT, redrawn",
                "  every second, and the last events; Ctrl-C quits",
                INSTANCE_USAGE));
        COMMAND_USAGE.put("sdk", String.join("\n",
                "usage: alagg sdk install [--repo DIR]",
                "  copies the plugin SDK (API, test kit, BOM, archetype) into a Maven local repository,",
                "  ~/.m2/repository unless --repo DIR says otherwise (docs/plugins.md)"));
    }

    private static final String USAGE_TEXT = COMMAND_USAGE.values().stream()
            .map(usage -> usage.lines().findFirst().orElseThrow().replace("usage: ", "       "))
            .collect(Collectors.joining("\n", "", "\n       alagg --version\n       alagg help [COMMAND]"))
            .replaceFirst("       ", "usage: ");

    private static final Option CONFIG = new Option("c", "config", "FILE");
    private static final Option CONFIG_ADMIN = new Option(null, "configadmin", "DIR");
    private static final Option PLUGINS = new Option(null, "plugins", "DIR");
    private static final Option INSTANCE = new Option("i", "instance", "NAME");

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(Arrays.asList(args), System.getenv(), System.out, System.err));
    }

    static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) throws Exception {
        if (args.isEmpty()) {
            err.println(USAGE_TEXT);
            return USAGE;
        }
        String command = args.get(0);
        List<String> rest = args.subList(1, args.size());
        try {
            switch (command) {
                case "run":
                    return runInstance(parse(command, rest, false, CONFIG, CONFIG_ADMIN, PLUGINS), env, out, err);
                case "check":
                    return check(parse(command, rest, false, CONFIG), out, err);
                case "ctl":
                    return control(parse(command, rest, true, INSTANCE), env, out, err);
                case "stop":
                    return stop(parse(command, rest, false, INSTANCE), env, out, err);
                case "genkey":
                    return generateKey(parse(command, rest, false), out, err);
                case "show":
                case "top":
                    return watch(command, parse(command, rest, true, INSTANCE), env, out, err);
                case "sdk":
                    if (rest.contains("-h") || rest.contains("--help")) {
                        out.println(COMMAND_USAGE.get(command));
                        return 0;
                    }
                    return SdkInstall.run(home(), rest, out, err);
                case "--version":
                case "version":
                    parse(command, rest, false);
                    out.println("alagg " + version());
                    return 0;
                case "-h":
                case "--help":
                case "help":
                    return help(rest, out, err);
                default:
                    err.println("alagg: unknown command '" + command + "'\n" + USAGE_TEXT);
                    return USAGE;
            }
        } catch (UsageException e) {
            err.println("alagg " + command + ": " + e.getMessage() + "\n" + COMMAND_USAGE.getOrDefault(command, USAGE_TEXT));
            return USAGE;
        } catch (HelpShown e) {
            out.println(COMMAND_USAGE.get(command));
            return 0;
        }
    }

    /** {@code alagg help [COMMAND]}. */
    private static int help(List<String> args, PrintStream out, PrintStream err) {
        if (args.isEmpty()) {
            out.println(USAGE_TEXT);
            return 0;
        }
        String usage = COMMAND_USAGE.get(args.get(0));
        if (usage == null || args.size() > 1) {
            err.println("alagg help: " + (usage == null ? "unknown command '" + args.get(0) + "'"
                    : "unexpected argument '" + args.get(1) + "'") + "\n" + USAGE_TEXT);
            return USAGE;
        }
        out.println(usage);
        return 0;
    }

    /** {@code --help} was given: the caller prints the command's usage. */
    private static final class HelpShown extends Exception {
        private static final long serialVersionUID = 1L;

        HelpShown() {
            super(null, null, false, false);
        }
    }

    private static Arguments parse(String command, List<String> args, boolean operandsEndOptions, Option... options)
            throws UsageException, HelpShown {
        Arguments parsed = Arguments.parse(args, List.of(options), operandsEndOptions);
        if (parsed.help()) {
            throw new HelpShown();
        }
        return parsed;
    }

    /** The distribution's version, from the launcher jar's manifest. */
    static String version() {
        String version = Main.class.getPackage().getImplementationVersion();
        return version == null ? "(version unknown: not run from a built distribution)" : version;
    }

    /** The configuration file {@code -c FILE} names, absolute. */
    private static Path configFile(Arguments args) throws UsageException {
        if (!args.has(CONFIG.longName())) {
            throw new UsageException("which configuration? give -c FILE (e.g. -c default_config.cfg)");
        }
        return Path.of(args.value(CONFIG.longName(), null)).toAbsolutePath().normalize();
    }

    private static int runInstance(Arguments args, Map<String, String> env, PrintStream out, PrintStream err)
            throws Exception {
        Path home = home();
        Path file = configFile(args);
        Path configAdmin = args.has(CONFIG_ADMIN.longName())
                ? Path.of(args.value(CONFIG_ADMIN.longName(), null)).toAbsolutePath().normalize()
                : home.resolve("configadmin");
        ConfigFile config;
        try {
            config = ConfigFile.read(file);
        } catch (ConfigFileException e) {
            e.problems().forEach(p -> err.println("alagg: " + p));
            err.println("alagg: " + e.problems().size() + " problem(s) in " + file + "; nothing was started");
            return USAGE;
        } catch (IOException e) {
            err.println("alagg: " + ConfigurationCheck.cannotRead(file, e) + "; nothing was started");
            return USAGE;
        }
        Optional<String> misnamed = ConfigurationCheck.instanceNotFileName(file, config.instance(),
                ConfigurationCheck.PACKAGED_CONFIGURATIONS);
        if (misnamed.isPresent()) {
            err.println("alagg: " + file + ": " + misnamed.get() + "; nothing was started");
            return USAGE;
        }
        if (!Files.isDirectory(configAdmin)) {
            err.println("alagg: configuration directory " + configAdmin + " does not exist");
            return USAGE;
        }
        Path runDir;
        try {
            runDir = new RunDirectory(env).forInstance();
        } catch (IOException e) {
            err.println("alagg: " + e.getMessage() + (e.getCause() == null ? "" : ": " + e.getCause().getMessage()));
            return USAGE;
        }
        Path socket = RunDirectory.socketIn(runDir, config.instance());
        if (Files.exists(socket)) {
            if (ControlClient.answers(socket)) {
                err.println("alagg: instance '" + config.instance() + "' is already running (control socket " + socket
                        + "); give this one another 'instance' name");
                return 1;
            }
            Files.delete(socket);
        }
        // Each instance its own plugins: a jar dropped for one instance of a distribution does not start in the others.
        Path plugins = args.has(PLUGINS.longName())
                ? Path.of(args.value(PLUGINS.longName(), null)).toAbsolutePath().normalize()
                : home.resolve("plugins").resolve(config.instance());
        try {
            Files.createDirectories(plugins);
        } catch (IOException e) {
            // the packaged distribution's own folder is root's: a user names one of theirs
            err.println("alagg: cannot make the plugins folder: " + (e instanceof java.nio.file.AccessDeniedException
                    ? e.getMessage() + ": permission denied" : e.getMessage()) + "; name one this user may write with"
                    + " --plugins DIR");
            return 1;
        }
        boolean interactive = System.console() != null;
        FrameworkSettings.applyToJvm(interactive);
        Map<String, String> properties = FrameworkSettings.of(home, file, configAdmin, plugins, config.instance(), runDir,
                interactive);
        return new Instance(properties, home.resolve("bundle"), err).run();
    }

    /** {@code alagg check -c FILE}. */
    private static int check(Arguments args, PrintStream out, PrintStream err) throws UsageException {
        return new ConfigurationCheck(configFile(args)).run(out, err);
    }

    /**
     * Prints a new key: {@link Alagg#KEY_LENGTH} bytes from {@link SecureRandom}, in standard Base64, one line. Starts
     * no framework and reads no configuration.
     */
    private static int generateKey(Arguments args, PrintStream out, PrintStream err) {
        byte[] key = new byte[Alagg.KEY_LENGTH];
        new SecureRandom().nextBytes(key);
        out.println(Base64.getEncoder().encodeToString(key));
        out.flush();
        return out.checkError() ? 1 : 0;
    }

    private static int control(Arguments args, Map<String, String> env, PrintStream out, PrintStream err) {
        String instance = args.value(INSTANCE.longName(), DEFAULT_INSTANCE);
        if (args.operands().isEmpty()) {
            err.println("alagg ctl: which command? e.g. alagg ctl --instance " + instance + " alagg:status");
            return USAGE;
        }
        // Like ssh: the words are joined and the instance's shell parses them, so pipes and quotes work.
        String commandLine = String.join(" ", args.operands());
        return ControlClient.run(new RunDirectory(env).socketOf(instance), instance, commandLine, out, err);
    }

    /** {@code alagg show [-i NAME] [dump]} and {@code alagg top [-i NAME]}. */
    private static int watch(String command, Arguments args, Map<String, String> env, PrintStream out, PrintStream err)
            throws InterruptedException, UsageException {
        String instance = args.value(INSTANCE.longName(), DEFAULT_INSTANCE);
        List<String> operands = args.operands();
        boolean dump = command.equals("show") && operands.equals(List.of("dump"));
        if (!operands.isEmpty() && !dump) {
            throw new UsageException("unexpected argument '" + operands.get(0) + "'");
        }
        Path socket = new RunDirectory(env).socketOf(instance);
        return command.equals("show") ? Top.show(socket, instance, dump, out, err) : Top.top(socket, instance, out, err);
    }

    /** {@code alagg stop [-i NAME]}: SIGTERM to the instance's process, which the instance itself names. */
    private static int stop(Arguments args, Map<String, String> env, PrintStream out, PrintStream err)
            throws InterruptedException {
        String instance = args.value(INSTANCE.longName(), DEFAULT_INSTANCE);
        return InstanceStop.stop(new RunDirectory(env).socketOf(instance), instance, out, err);
    }

    /** The distribution's directory: where this jar is. */
    private static Path home() throws URISyntaxException {
        return Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getParent();
    }
}
