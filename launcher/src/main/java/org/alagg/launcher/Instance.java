package org.alagg.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

import sun.misc.Signal;

/**
 * {@code alagg run}: one instance in the foreground. Felix starts with every bundle of the distribution;
 * SIGTERM or SIGINT stop it cleanly. Anything that fails before all bundles are active stops everything
 * again, so nothing runs half-started.
 */
final class Instance {
    private final Map<String, String> properties;
    private final Path bundleDir;
    private final PrintStream err;
    private volatile boolean stopRequested;

    Instance(Map<String, String> properties, Path bundleDir, PrintStream err) {
        this.properties = properties;
        this.bundleDir = bundleDir;
        this.err = err;
    }

    /** Runs until the framework stops; returns the process exit status. */
    int run() throws IOException, InterruptedException {
        long start = System.nanoTime();
        Framework framework = ServiceLoader.load(FrameworkFactory.class).findFirst()
                .orElseThrow(() -> new IllegalStateException("no OSGi framework on the class path"))
                .newFramework(properties);
        // Handlers first: a SIGTERM while bundles start must stop cleanly too, not kill the JVM mid-start.
        Signal.handle(new Signal("TERM"), s -> stopInBackground(framework));
        Signal.handle(new Signal("INT"), s -> stopInBackground(framework));
        // The JVM would stop on SIGHUP; a service manager's reload sends it, and the file applies on every change anyway.
        Signal.handle(new Signal("HUP"), s -> err.println("alagg: SIGHUP: nothing to do, the configuration file applies"
                + " whenever it changes (alagg check -c FILE reports its problems)"));
        try {
            framework.init();
            List<Bundle> bundles = install(framework);
            framework.start();
            for (Bundle b : bundles) {
                if (b.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                    b.start();
                }
            }
        } catch (BundleException | RuntimeException e) {
            if (stopRequested) {
                framework.waitForStop(TimeUnit.SECONDS.toMillis(20));
                err.println("alagg: stopped while starting");
                return 0;
            }
            err.println("alagg: start failed: " + e.getMessage());
            stop(framework);
            return 1;
        }
        if (stopRequested) {
            stopInBackground(framework); // a signal came before the framework could stop: stop it now
        }
        err.printf("alagg: instance '%s' running, %d bundles, started in %d ms; control socket %s%n",
                properties.get("alagg.instance"), framework.getBundleContext().getBundles().length,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), properties.get("alagg.control.socket"));
        FrameworkEvent stopped = framework.waitForStop(0);
        err.println("alagg: instance '" + properties.get("alagg.instance") + "' stopped");
        return stopped.getType() == FrameworkEvent.ERROR ? 1 : 0;
    }

    private List<Bundle> install(Framework framework) throws IOException, BundleException {
        List<Path> jars = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(bundleDir, "*.jar")) {
            dir.forEach(jars::add);
        }
        jars.sort(null);
        List<Bundle> bundles = new ArrayList<>();
        for (Path jar : jars) {
            // reference: installs in place, without copying every jar into the cache.
            bundles.add(framework.getBundleContext().installBundle("reference:" + jar.toUri()));
        }
        return bundles;
    }

    private void stopInBackground(Framework framework) {
        stopRequested = true;
        Thread stopper = new Thread(() -> stop(framework), "alagg-stop");
        stopper.start();
    }

    private void stop(Framework framework) {
        try {
            framework.stop();
            if (framework.waitForStop(TimeUnit.SECONDS.toMillis(20)).getType() == FrameworkEvent.WAIT_TIMEDOUT) {
                err.println("alagg: the framework did not stop within 20 s; exiting anyway");
                System.exit(1);
            }
        } catch (BundleException | InterruptedException e) {
            err.println("alagg: stopping failed: " + e.getMessage());
        }
    }
}
