package org.alagg.launcher;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The framework properties of an instance: where its files are and how FileInstall watches them. Shared by
 * the launcher and the in-container tests, so the tests boot the distribution as it runs.
 */
final class FrameworkSettings {
    private FrameworkSettings() {
    }

    /**
     * @param home the distribution ({@code bundle/}, {@code service-shell/})
     * @param configFile the file the user edits
     * @param configAdminDir FileInstall's directory of {@code <pid>.cfg} files
     * @param pluginsDir the folder watched for plugin jars
     * @param instance the instance name
     * @param runDir where the control socket and the framework cache go
     * @param interactive whether the Gogo shell reads the terminal
     */
    static Map<String, String> of(Path home, Path configFile, Path configAdminDir, Path pluginsDir, String instance,
                                  Path runDir, boolean interactive) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("org.osgi.framework.storage", RunDirectory.cacheIn(runDir, instance).toString());
        p.put("org.osgi.framework.storage.clean", "onFirstInit");
        // Config Admin keeps configurations in memory only: the engine's key never lands in the (world-readable) cache
        p.put("felix.cm.pm", "memory");
        // The configuration comes from the file and configadmin/ at every start, never from an old run.
        p.put("felix.log.level", "1");
        // Until the log writer applies configadmin/org.alagg.logging.cfg, loggers keep INFO (the default is WARN).
        p.put("org.osgi.service.log.admin.loglevel", "INFO");
        p.put("alagg.home", home.toString());
        p.put("alagg.instance", instance);
        // alagg stop asks for it through the control socket: whoever may control the instance may stop it.
        p.put(InstanceStop.PID_PROPERTY, Long.toString(ProcessHandle.current().pid()));
        p.put("alagg.config", configFile.toString());
        p.put("alagg.control.socket", RunDirectory.socketIn(runDir, instance).toString());
        // FileInstall watches both: configadmin/ for <pid>.cfg files, the plugins folder for bundle jars dropped in.
        p.put("felix.fileinstall.dir", configAdminDir + "," + pluginsDir);
        p.put("felix.fileinstall.poll", "1000");
        // The .cfg files are the operator's input, shared by every instance started from them: never write back.
        p.put("felix.fileinstall.enableConfigSave", "false");
        p.put("felix.fileinstall.noInitialDelay", "true");
        p.put("felix.fileinstall.log.level", "2");
        if (!interactive) {
            // No terminal: the shell must neither read stdin nor stop the framework when its profile ends.
            p.put("gosh.args", "--nointeractive --noshutdown");
            p.put("gosh.home", home.resolve("service-shell").toString());
        }
        return p;
    }

    /** JVM-wide settings that go with the framework properties; call before the framework starts. */
    static void applyToJvm(boolean interactive) {
        if (!interactive) {
            // Without a terminal the Gogo shell gets a dumb one; say so up front instead of warning about it.
            System.setProperty("org.jline.terminal.dumb", "true");
        }
    }
}
