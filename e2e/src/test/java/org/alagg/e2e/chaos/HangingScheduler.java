package org.alagg.e2e.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Hashtable;

import org.alagg.api.Alagg;
import org.alagg.api.LinkScheduler;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/**
 * A plugin that hangs: a link scheduler named {@value #NAME} whose {@code choose} does not return while the file
 * {@code <the instance's configuration file>.hang} exists, holding up the egress thread that calls it; removing the
 * file lets it go (and it then sends on every link that is up, as {@code redundant} does).
 */
public final class HangingScheduler implements BundleActivator {
    public static final String NAME = "hang";

    /** The file whose existence holds the egress thread, for an instance's configuration file. */
    public static Path marker(Path config) {
        return config.resolveSibling(config.getFileName() + ".hang");
    }

    @Override
    public void start(BundleContext context) {
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put(Alagg.SCHEDULER, NAME);
        Path marker = marker(Path.of(context.getProperty("alagg.config")));
        context.registerService(LinkScheduler.class, new Scheduler(marker), properties);
    }

    @Override
    public void stop(BundleContext context) {
        // the framework unregisters the service
    }

    /** Waits while the marker exists, then chooses every link that is up. */
    static final class Scheduler implements LinkScheduler {
        private final Path marker;

        Scheduler(Path marker) {
            this.marker = marker;
        }

        @Override
        public int choose(int sequence, int length, int[] up, int upCount, int[] chosen) {
            while (Files.exists(marker)) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return 0;
                }
            }
            System.arraycopy(up, 0, chosen, 0, upCount);
            return upCount;
        }
    }

    /** Writes this plugin as a bundle jar. */
    public static void writeBundle(Path jar) throws IOException {
        PluginJar.write(jar, HangingScheduler.class, "org.alagg.e2e.hang", "Alagg e2e hanging scheduler");
    }
}
