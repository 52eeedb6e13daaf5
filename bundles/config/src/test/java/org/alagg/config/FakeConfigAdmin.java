package org.alagg.config;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.log.Logger;

/**
 * What {@link ConfigFileLoader} talks to, faked for its tests: a Config Admin whose configurations are kept in
 * {@link #store} by PID ({@code pid~name} for factory ones), a bundle context that names the file, and a logger that
 * keeps every call in {@link #logged}.
 */
final class FakeConfigAdmin {
    private static final Duration DEADLINE = Duration.ofSeconds(10);

    final Map<String, Hashtable<String, Object>> store = new ConcurrentHashMap<>();
    /** Everything the loader logged, one entry per call. */
    final List<String> logged = new CopyOnWriteArrayList<>();

    /** A key of its own for each test class and number: 32 bytes in Base64. */
    static String key(String test, int n) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
                    .digest(("alagg loader " + test + " key " + n).getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Writes the configuration file {@code dir/alagg.cfg} at once (a rename), so the loader never reads half of it. */
    static Path write(Path dir, String... lines) throws IOException {
        Path file = dir.resolve("alagg.cfg");
        Path temp = dir.resolve("alagg.cfg.tmp");
        Files.write(temp, List.of(lines));
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return file;
    }

    /** Fails when anything the loader said, in the log or as its status, carries one of {@code keys}. */
    void assertNoKeyLogged(List<String> keys) {
        for (String entry : logged) {
            for (String k : keys) {
                assertFalse(entry.contains(k.substring(0, 40)), "a key was logged: " + entry);
            }
        }
    }

    /** A loader of {@code file}, checking it every 20 ms. */
    ConfigFileLoader loader(Path file) {
        return new ConfigFileLoader(context(file), configAdmin(), logger());
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + DEADLINE.toSeconds() + " s: " + what);
            }
            Thread.sleep(10);
        }
    }

    private BundleContext context(Path file) {
        Map<String, String> properties = Map.of(ConfigFileLoader.FILE_PROPERTY, file.toString(),
                ConfigFileLoader.POLL_PROPERTY, "20");
        return (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {BundleContext.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getProperty")) {
                        return properties.get((String) args[0]);
                    }
                    if (method.getName().equals("addBundleListener") || method.getName().equals("removeBundleListener")) {
                        return null; // no plugin ever starts here
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    private ConfigurationAdmin configAdmin() {
        return (ConfigurationAdmin) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ConfigurationAdmin.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getConfiguration" -> configuration((String) args[0]);
                    case "getFactoryConfiguration" -> configuration(args[0] + "~" + args[1]);
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private Configuration configuration(String pid) {
        return (Configuration) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Configuration.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getProperties" -> {
                        Hashtable<String, Object> p = store.get(pid);
                        yield p == null ? null : new Hashtable<>(p);
                    }
                    case "updateIfDifferent" -> {
                        @SuppressWarnings("unchecked")
                        Dictionary<String, Object> d = (Dictionary<String, Object>) args[0];
                        Hashtable<String, Object> next = new Hashtable<>();
                        Collections.list(d.keys()).forEach(k -> next.put(k, d.get(k)));
                        yield !next.equals(store.put(pid, next));
                    }
                    case "delete" -> {
                        store.remove(pid);
                        yield null;
                    }
                    case "getPid" -> pid;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private Logger logger() {
        return (Logger) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Logger.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getName" -> "config";
                    case "isTraceEnabled", "isDebugEnabled", "isInfoEnabled", "isWarnEnabled", "isErrorEnabled" -> true;
                    default -> {
                        logged.add(method.getName() + " " + Arrays.deepToString(args));
                        yield null;
                    }
                });
    }
}
