package org.alagg.launcher;

import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import org.ops4j.pax.exam.Option;
import org.osgi.framework.BundleContext;
import org.osgi.util.tracker.ServiceTracker;

/**
 * What the in-container tests share: the distribution's bundle set booted with the framework properties
 * the launcher sets, in a work directory of its own, and waiting for conditions inside the container.
 */
final class Container {
    /** Framework property: the configuration file the instance reads. */
    static final String FILE = "alagg.config";
    /** Framework property: the instance's home, with plugins/ and configadmin/. */
    static final String HOME = "alagg.home";
    static final long WAIT_MILLIS = 20_000;

    private Container() {
    }

    /**
     * Options for a container running the distribution with this configuration file.
     *
     * @param extra further framework properties
     */
    static Option[] distribution(String instance, List<String> config, Map<String, String> extra) throws IOException {
        Path dist = Path.of(System.getProperty("alagg.dist", "target/alagg")).toAbsolutePath();
        Path work = Files.createTempDirectory(dist.getParent(), instance + "-it");
        Path home = work.resolve("home");
        copyTree(dist.resolve("configadmin"), home.resolve("configadmin"));
        copyTree(dist.resolve("service-shell"), home.resolve("service-shell"));
        Files.createDirectories(home.resolve("plugins"));
        Path file = work.resolve("alagg.cfg");
        Files.write(file, config);

        List<Option> options = new ArrayList<>();
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(dist.resolve("bundle"), "*.jar")) {
            jars.forEach(jar -> options.add(bundle(jar.toUri().toString())));
        }
        FrameworkSettings.applyToJvm(false);
        Map<String, String> properties = FrameworkSettings.of(home, file, home.resolve("configadmin"),
                home.resolve("plugins"), instance, work, false);
        properties.putAll(extra);
        properties.put("alagg.config.poll.ms", "100");
        properties.forEach((key, value) -> {
            if (!key.startsWith("org.osgi.framework.storage")) { // Pax Exam manages its own framework storage
                options.add(frameworkProperty(key).value(value));
            }
        });
        options.add(systemProperty("org.ops4j.pax.logging.DefaultServiceLog.level").value("WARN"));
        options.add(junitBundles());
        options.add(cleanCaches(true));
        return options.toArray(new Option[0]);
    }

    static <T> T service(BundleContext context, Class<T> type) {
        ServiceTracker<T, T> tracker = new ServiceTracker<>(context, type, null);
        tracker.open();
        try {
            T service = tracker.waitForService(WAIT_MILLIS);
            if (service == null) {
                fail("no " + type.getSimpleName() + " service within " + WAIT_MILLIS + " ms");
            }
            return service;
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        } finally {
            tracker.close();
        }
    }

    static void await(String what, BooleanSupplier condition) {
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                fail("not within " + WAIT_MILLIS + " ms: " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path source : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
