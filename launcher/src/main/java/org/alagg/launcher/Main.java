package org.alagg.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.alagg.api.Alagg;
import org.alagg.config.file.ConfigFile;
import org.alagg.config.file.ConfigFileException;

/**
 * The {@code alagg} command line.
 *
 * <pre>
 * alagg run -c FILE [--configadmin DIR]     run an instance in the foreground
 * alagg ctl [--instance NAME] COMMAND...    run a Gogo command in a running instance
 * alagg genkey                              print a new key
 * alagg sdk install [--repo DIR]            the plugin SDK into a Maven local repository
 * alagg show [--instance NAME] [dump]       every peer and link at a glance
 * alagg top [--instance NAME]               the links' rates and the events, redrawn every second
 * </pre>
 */
public final class Main {
    /** Exit status for a command line or configuration file that cannot be used. */
    static final int USAGE = 2;

    private static final String USAGE_TEXT = String.join("\n",
            "usage: alagg run -c FILE [--configadmin DIR]",
            "       alagg ctl [--instance NAME] COMMAND [ARG...]",
            "       alagg genkey",
            "       alagg sdk install [--repo DIR]",
            "       alagg show [--instance NAME] [dump]",
            "       alagg top [--instance NAME]",
            "",
            "run   runs an instance in the foreground: with a terminal it offers the Gogo shell,",
            "      without one it runs until SIGTERM or SIGINT",
            "ctl   runs one Gogo command line (e.g. alagg:status, lb) in a running instance",
            "      (instance name: the config key 'instance', default alagg)",
            "genkey prints a new random key for the config keys key / key.file (the same on both",
            "      peers): umask 077; alagg genkey > /etc/alagg/peer.key",
            "sdk install copies the plugin SDK (API, test kit, BOM, archetype) into a Maven local",
            "      repository, ~/.m2/repository unless --repo DIR says otherwise (docs/plugins.md)",
            "show  every peer and link of a running instance at a glance; dump: tab-separated, for scripts",
            "top   the same as a table of the links with their rates, redrawn every second, and the last events");

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
        switch (args.get(0)) {
            case "run":
                return runInstance(args.subList(1, args.size()), env, err);
            case "ctl":
                return control(args.subList(1, args.size()), env, out, err);
            case "genkey":
                return generateKey(args.subList(1, args.size()), out, err);
            case "sdk":
                return SdkInstall.run(home(), args.subList(1, args.size()), out, err);
            case "show":
            case "top":
                return watch(args.get(0), args.subList(1, args.size()), env, out, err);
            case "-h":
            case "--help":
            case "help":
                out.println(USAGE_TEXT);
                return 0;
            default:
                err.println("alagg: unknown command '" + args.get(0) + "'\n" + USAGE_TEXT);
                return USAGE;
        }
    }

    private static int runInstance(List<String> args, Map<String, String> env, PrintStream err) throws Exception {
        Path home = home();
        Path file = null;
        Path configAdmin = home.resolve("configadmin");
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if ((a.equals("-c") || a.equals("--config") || a.equals("--configadmin")) && i + 1 < args.size()) {
                Path value = Path.of(args.get(++i)).toAbsolutePath().normalize();
                if (a.equals("--configadmin")) {
                    configAdmin = value;
                } else {
                    file = value;
                }
            } else {
                err.println("alagg run: unexpected argument '" + a + "'\n" + USAGE_TEXT);
                return USAGE;
            }
        }
        if (file == null) {
            err.println("alagg run: which configuration? give -c FILE (e.g. -c default_config.cfg)");
            return USAGE;
        }
        ConfigFile config;
        try {
            config = ConfigFile.read(file);
        } catch (ConfigFileException e) {
            e.problems().forEach(p -> err.println("alagg: " + p));
            err.println("alagg: " + e.problems().size() + " problem(s) in " + file + "; nothing was started");
            return USAGE;
        } catch (IOException e) {
            err.println("alagg: cannot read configuration " + file + ": " + e);
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
        Files.createDirectories(home.resolve("plugins"));
        boolean interactive = System.console() != null;
        FrameworkSettings.applyToJvm(interactive);
        Map<String, String> properties = FrameworkSettings.of(home, file, configAdmin, config.instance(), runDir, interactive);
        return new Instance(properties, home.resolve("bundle"), err).run();
    }

    /**
     * Prints a new key: {@link Alagg#KEY_LENGTH} bytes from {@link SecureRandom}, in standard Base64, one line. Starts
     * no framework and reads no configuration.
     */
    private static int generateKey(List<String> args, PrintStream out, PrintStream err) {
        if (!args.isEmpty()) {
            err.println("alagg genkey: unexpected argument '" + args.get(0) + "' (it takes none)\n" + USAGE_TEXT);
            return USAGE;
        }
        byte[] key = new byte[Alagg.KEY_LENGTH];
        new SecureRandom().nextBytes(key);
        out.println(Base64.getEncoder().encodeToString(key));
        out.flush();
        return out.checkError() ? 1 : 0;
    }

    private static int control(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
        String instance = "alagg";
        int i = 0;
        if (i < args.size() && (args.get(i).equals("--instance") || args.get(i).equals("-i"))) {
            if (i + 1 >= args.size()) {
                err.println("alagg ctl: --instance needs a name\n" + USAGE_TEXT);
                return USAGE;
            }
            instance = args.get(i + 1);
            i += 2;
        }
        if (i < args.size() && args.get(i).equals("--")) {
            i++;
        }
        if (i >= args.size()) {
            err.println("alagg ctl: which command? e.g. alagg ctl --instance " + instance + " alagg:status");
            return USAGE;
        }
        // Like ssh: the words are joined and the instance's shell parses them, so pipes and quotes work.
        String commandLine = String.join(" ", args.subList(i, args.size()));
        return ControlClient.run(new RunDirectory(env).socketOf(instance), instance, commandLine, out, err);
    }

    /** {@code alagg show [--instance NAME] [dump]} and {@code alagg top [--instance NAME]}. */
    private static int watch(String command, List<String> args, Map<String, String> env, PrintStream out, PrintStream err)
            throws InterruptedException {
        String instance = "alagg";
        boolean dump = false;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if ((arg.equals("--instance") || arg.equals("-i")) && i + 1 < args.size()) {
                instance = args.get(++i);
            } else if (arg.equals("dump") && command.equals("show")) {
                dump = true;
            } else {
                err.println("alagg " + command + ": unexpected '" + arg + "'\n" + USAGE_TEXT);
                return USAGE;
            }
        }
        Path socket = new RunDirectory(env).socketOf(instance);
        return command.equals("show") ? Top.show(socket, instance, dump, out, err) : Top.top(socket, instance, out, err);
    }

    /** The distribution's directory: where this jar is. */
    private static Path home() throws URISyntaxException {
        return Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getParent();
    }
}
