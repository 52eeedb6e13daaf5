package org.alagg.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.alagg.api.Alagg;
import org.alagg.api.ConfigFileStatus;
import org.alagg.config.file.ConfigFile;
import org.alagg.config.file.ConfigFileException;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * Turns the configuration file into Config Admin configurations, at start and whenever the file changes.
 *
 * <p>Only what changed in the file is written, key by key, so a value a command set since then stays until
 * the file itself changes that key. A file with errors changes nothing: the last good configuration stays
 * in force and the error is logged and reported through {@link ConfigFileStatus}.
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

    // Written only by the watcher thread (and activate, before it starts); read by status callers.
    private volatile ConfigFile applied;
    private volatile Instant appliedAt;
    private volatile String error;
    private FileVersion seen;

    @Activate
    public ConfigFileLoader(BundleContext context, @Reference ConfigurationAdmin configAdmin,
                            @Reference(service = LoggerFactory.class) Logger log) {
        this.configAdmin = configAdmin;
        this.log = log;
        String path = context.getProperty(FILE_PROPERTY);
        if (path == null) {
            throw new IllegalStateException("no configuration file given: framework property " + FILE_PROPERTY + " is not set");
        }
        this.file = Path.of(path).toAbsolutePath();
        long pollMillis = Long.parseLong(Objects.requireNonNullElse(context.getProperty(POLL_PROPERTY), "500"));
        reload();
        watcher = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "alagg-config-watch"));
        watcher.scheduleWithFixedDelay(this::reloadIfChanged, pollMillis, pollMillis, TimeUnit.MILLISECONDS);
    }

    @Deactivate
    void stop() throws InterruptedException {
        watcher.shutdownNow();
        watcher.awaitTermination(5, TimeUnit.SECONDS);
    }

    private void reloadIfChanged() {
        try {
            if (!FileVersion.of(file).equals(seen)) {
                reload();
            }
        } catch (RuntimeException e) {
            // The watcher must outlive any surprise, or later edits would be ignored silently.
            log.error("Applying {} failed", file, e);
        }
    }

    private void reload() {
        seen = FileVersion.of(file);
        ConfigFile next;
        try {
            next = ConfigFile.read(file);
        } catch (ConfigFileException e) {
            reject(e.getMessage());
            return;
        } catch (IOException e) {
            reject("cannot read " + file + ": " + e);
            return;
        }
        ConfigFile previous = applied;
        if (previous != null && !previous.instance().equals(next.instance())) {
            reject(file + ": instance cannot change while Alagg runs (it is '" + previous.instance()
                    + "', the file now says '" + next.instance() + "'); restart to rename the instance");
            return;
        }
        try {
            apply(previous == null ? Map.of() : previous.configurations(), next.configurations());
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

    /** Writes what differs between the previous and the next content of the file. */
    private void apply(Map<String, Map<String, Object>> previous, Map<String, Map<String, Object>> next) throws IOException {
        for (Map.Entry<String, Map<String, Object>> entry : next.entrySet()) {
            Map<String, Object> before = previous.getOrDefault(entry.getKey(), Map.of());
            if (!before.equals(entry.getValue())) {
                write(entry.getKey(), before, entry.getValue());
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

    private void write(String pid, Map<String, Object> before, Map<String, Object> after) throws IOException {
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
        if (configuration.updateIfDifferent(properties)) {
            log.debug("Updated {} from {}", pid, file);
        }
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

    /** What tells that a file may have changed without reading it. */
    private record FileVersion(Instant modified, long size, Object key) {
        static FileVersion of(Path file) {
            try {
                BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
                return new FileVersion(a.lastModifiedTime().toInstant(), a.size(), a.fileKey());
            } catch (IOException e) {
                return new FileVersion(Instant.EPOCH, -1, null);
            }
        }
    }
}
