package org.alagg.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.alagg.api.Alagg;
import org.alagg.api.ConfigFileStatus;
import org.alagg.config.file.ConfigFile;
import org.alagg.config.file.ConfigFileException;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleListener;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * Turns the configuration file into Config Admin configurations, at start and whenever the file changes.
 *
 * <p>Only what changed in the file is written, key by key, so a value a command set since then stays until
 * the file itself changes that key. A file with errors changes nothing: the last good configuration stays
 * in force and the error is logged and reported through {@link ConfigFileStatus}.
 *
 * <p>Each PID is written on its own: a {@code [peer NAME]} section added, changed or removed adds, changes or deletes
 * its peer configuration and its link configurations (they carry the file as their origin), and leaves the others be.
 *
 * <p>The key files the file names ({@code key.file}, {@code key.accept.file}, its sections' included) are watched with
 * it: writing a new key into one, or {@code chmod 600} on one that was refused, applies like an edit of the file. No
 * message here carries a key: the file's own messages never do, and configurations are never logged.
 */
@Component(service = ConfigFileStatus.class, immediate = true)
public final class ConfigFileLoader implements ConfigFileStatus {
    /** Framework property with the path of the file; set by the launcher from {@code alagg run -c FILE}. */
    public static final String FILE_PROPERTY = "alagg.config";
    /** Framework property: how often the file is checked for changes, in milliseconds. */
    public static final String POLL_PROPERTY = "alagg.config.poll.ms";

    private final ConfigurationAdmin configAdmin;
    private final Logger log;
    private final Path file;
    private final ScheduledExecutorService watcher;
    private final BundleContext context;
    private final BundleListener pluginStarts;

    /** Checks plugins' settings against their Metatype, when the service is there. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile MetaTypeService metaType;

    // Written only by the watcher thread (and activate, before it starts); read by status callers.
    private volatile ConfigFile applied;
    private volatile Instant appliedAt;
    private volatile String error;
    private Versions seen;

    @Activate
    public ConfigFileLoader(BundleContext context, @Reference ConfigurationAdmin configAdmin,
                            @Reference(service = LoggerFactory.class) Logger log) {
        this.configAdmin = configAdmin;
        this.log = log;
        this.context = context;
        String path = context.getProperty(FILE_PROPERTY);
        if (path == null) {
            throw new IllegalStateException("no configuration file given: framework property " + FILE_PROPERTY + " is not set");
        }
        this.file = Path.of(path).toAbsolutePath();
        long pollMillis = Long.parseLong(Objects.requireNonNullElse(context.getProperty(POLL_PROPERTY), "500"));
        reload();
        watcher = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "alagg-config-watch"));
        watcher.scheduleWithFixedDelay(this::reloadIfChanged, pollMillis, pollMillis, TimeUnit.MILLISECONDS);
        // The first load ran before the Metatype service was injected, and a plugin may start (dropped into plugins/)
        // after the file was applied: its settings are checked then, on the watcher thread.
        watcher.execute(this::checkAppliedPluginSettings);
        pluginStarts = event -> {
            if (event.getType() == BundleEvent.STARTED) {
                watcher.execute(this::checkAppliedPluginSettings);
            }
        };
        context.addBundleListener(pluginStarts);
    }

    /**
     * Checks the plugin settings of the file in force against the Metatype of the plugins there are now: a setting
     * applied before its plugin (or the Metatype service) was there went to it as written; a wrong one is reported
     * (logged, and in {@link #error()}) so that the operator sees it, and the plugin keeps checking its values itself.
     */
    private void checkAppliedPluginSettings() {
        ConfigFile current = applied;
        if (current == null || error != null) {
            return; // nothing applied, or an error already stands (the next valid edit is checked whole)
        }
        List<String> problems = new PluginSettingsCheck(this::declared).problems(current);
        if (!problems.isEmpty()) {
            String problem = String.join("\n", problems) + "\n(applied before the plugin was installed: it got the"
                    + " value as written; correct the file)";
            log.error("Plugin settings in force that the plugin refuses:\n{}", problem);
            error = problem;
        }
    }

    @Deactivate
    void stop() throws InterruptedException {
        context.removeBundleListener(pluginStarts);
        watcher.shutdownNow();
        watcher.awaitTermination(5, TimeUnit.SECONDS);
    }

    private void reloadIfChanged() {
        try {
            if (seen == null || !seen.equals(Versions.of(file, seen.keyFiles()))) {
                reload();
            }
        } catch (RuntimeException e) {
            // The watcher must outlive any surprise, or later edits would be ignored silently.
            log.error("Applying {} failed", file, e);
        }
    }

    private void reload() {
        // versions first, then contents: a change while reading is seen at the next check
        FileVersion version = FileVersion.of(file);
        ConfigFile next;
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            List<Path> keyFiles = ConfigFile.keyFiles(file, lines);
            seen = new Versions(version, keyFiles, keyFiles.stream().map(FileVersion::of).toList());
            next = ConfigFile.parse(file, lines);
        } catch (ConfigFileException e) {
            reject(e.getMessage());
            return;
        } catch (IOException e) {
            seen = new Versions(version, List.of(), List.of());
            reject("cannot read " + file + ": " + e);
            return;
        }
        List<String> pluginProblems = new PluginSettingsCheck(this::declared).problems(next);
        if (!pluginProblems.isEmpty()) {
            reject(String.join("\n", pluginProblems));
            return;
        }
        ConfigFile previous = applied;
        if (previous != null && !previous.instance().equals(next.instance())) {
            reject(file + ": instance cannot change while Alagg runs (it is '" + previous.instance()
                    + "', the file now says '" + next.instance() + "'); restart to rename the instance");
            return;
        }
        try {
            apply(previous, next);
        } catch (IOException e) {
            reject("Config Admin refused the configuration from " + file + ": " + e);
            return;
        }
        applied = next;
        appliedAt = Instant.now();
        if (error != null) {
            log.info("{} is valid again and applied", file);
        } else {
            log.info("Applied {}", file);
        }
        error = null;
    }

    private void reject(String problem) {
        if (!problem.equals(error)) {
            log.error("Configuration not applied, the last good one stays in force:\n{}", problem);
        }
        error = problem;
    }

    /**
     * Writes what differs between the previous and the next content of the file. A property the file gave before
     * and no longer gives ({@code key.accept} after a rotation) is removed; the first time, every property the file
     * can give but does not is removed, whoever set it.
     */
    private void apply(ConfigFile previousFile, ConfigFile nextFile) throws IOException {
        Map<String, Map<String, Object>> previous = previousFile == null ? Map.of() : previousFile.configurations();
        Map<String, Map<String, Object>> next = nextFile.configurations();
        for (Map.Entry<String, Map<String, Object>> entry : next.entrySet()) {
            Map<String, Object> before = previous.getOrDefault(entry.getKey(), Map.of());
            if (!before.equals(entry.getValue())) {
                write(entry.getKey(), before, entry.getValue(),
                        previousFile == null ? nextFile.unsetProperties(entry.getKey()) : Set.of());
            }
        }
        for (String pid : previous.keySet()) {
            if (!next.containsKey(pid)) {
                Configuration gone = configuration(pid);
                if (file.toString().equals(property(gone, Alagg.ORIGIN))) {
                    gone.delete();
                    log.info("Removed {} (its line left {})", pid, file);
                }
            }
        }
    }

    private void write(String pid, Map<String, Object> before, Map<String, Object> after, Set<String> unset)
            throws IOException {
        Configuration configuration = configuration(pid);
        Dictionary<String, Object> properties = configuration.getProperties();
        if (properties == null) {
            properties = new Hashtable<>();
        }
        for (Map.Entry<String, Object> e : after.entrySet()) {
            if (!e.getValue().equals(before.get(e.getKey()))) {
                properties.put(e.getKey(), e.getValue());
            }
        }
        for (String property : before.keySet()) {
            if (!after.containsKey(property)) {
                properties.remove(property);
            }
        }
        for (String property : unset) {
            properties.remove(property);
        }
        if (configuration.updateIfDifferent(properties)) {
            log.debug("Updated {} from {}", pid, file);
        }
    }

    /** The Metatype object class some installed bundle declares for a PID, or null. */
    private ObjectClassDefinition declared(String pid) {
        MetaTypeService service = metaType;
        if (service == null) {
            return null;
        }
        for (org.osgi.framework.Bundle bundle : context.getBundles()) {
            MetaTypeInformation information = service.getMetaTypeInformation(bundle);
            if (information != null && Arrays.asList(information.getPids()).contains(pid)) {
                return information.getObjectClassDefinition(pid, null);
            }
        }
        return null;
    }

    /** Singleton or named factory configuration, open to every bundle ("?" location). */
    private Configuration configuration(String pid) throws IOException {
        int tilde = pid.indexOf('~');
        return tilde < 0 ? configAdmin.getConfiguration(pid, "?")
                : configAdmin.getFactoryConfiguration(pid.substring(0, tilde), pid.substring(tilde + 1), "?");
    }

    private static Object property(Configuration c, String key) {
        Dictionary<String, Object> p = c.getProperties();
        return p == null ? null : p.get(key);
    }

    @Override
    public Path file() {
        return file;
    }

    @Override
    public Instant applied() {
        return appliedAt;
    }

    @Override
    public Optional<String> error() {
        return Optional.ofNullable(error);
    }

    /**
     * What tells that a file may have changed without reading it. The mode is in it for key files: a {@code chmod 600}
     * makes a refused key file good without changing its time. A symbolic link is followed: its target counts.
     */
    private record FileVersion(Instant modified, long size, Object key, Set<PosixFilePermission> mode) {
        static FileVersion of(Path file) {
            try {
                PosixFileAttributes a = Files.readAttributes(file, PosixFileAttributes.class);
                return new FileVersion(a.lastModifiedTime().toInstant(), a.size(), a.fileKey(), a.permissions());
            } catch (IOException | UnsupportedOperationException e) {
                return new FileVersion(Instant.EPOCH, -1, null, Set.of());
            }
        }
    }

    /** The versions of the file and of the key files it named when it was last read. */
    private record Versions(FileVersion file, List<Path> keyFiles, List<FileVersion> keyFileVersions) {
        static Versions of(Path file, List<Path> keyFiles) {
            return new Versions(FileVersion.of(file), keyFiles, keyFiles.stream().map(FileVersion::of).toList());
        }
    }
}
