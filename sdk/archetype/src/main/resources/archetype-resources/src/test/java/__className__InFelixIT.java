package ${package};

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.apache.felix.framework.FrameworkFactory;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The bundle as built (target/*.jar) in Felix next to the Alagg API, Declarative Services and the Log service, as
 * Alagg runs it: it resolves against the API, starts, and registers its service under its name, reporting too.
 */
class ${className}InFelixIT {
    private static final String KIND_PROPERTY = "alagg.${kind}";
    private static final String CONTRACT = "org.alagg.api.#if( $kind == "strategy" )ReorderStrategyFactory#elseif( $kind == "scheduler" )LinkScheduler#{else}LinkTransport#end";

    @Test
    void startsAndRegistersItsServiceUnderItsName() throws Exception {
        Framework felix = new FrameworkFactory().newFramework(Map.of(
                Constants.FRAMEWORK_STORAGE, System.getProperty("felix.cache", "target/felix-cache"),
                Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT));
        felix.start();
        try {
            BundleContext context = felix.getBundleContext();
            List<Bundle> bundles = new ArrayList<>();
            for (Path jar : bundlesToBoot()) {
                bundles.add(context.installBundle(jar.toUri().toString()));
            }
            for (Bundle bundle : bundles) {
                bundle.start();
            }
            Bundle plugin = bundles.get(bundles.size() - 1);
            assertEquals(Bundle.ACTIVE, plugin.getState(), plugin.getSymbolicName() + " did not start");

            ServiceTracker<Object, Object> tracker = new ServiceTracker<>(context,
                    context.createFilter("(&(objectClass=" + CONTRACT + ")(" + KIND_PROPERTY + "=${pluginName}))"), null);
            tracker.open(true); // all services: the API's classes here are the test class path's, not the bundle's
            try {
                assertNotNull(tracker.waitForService(10_000), "no " + CONTRACT + " named ${pluginName} within 10 s");
                ServiceReference<Object> service = tracker.getServiceReference();
                assertEquals(plugin, service.getBundle());
                List<String> interfaces = Arrays.asList((String[]) service.getProperty(Constants.OBJECTCLASS));
                assertTrue(interfaces.contains("org.alagg.api.PluginReport"), "not reporting: " + interfaces);
            } finally {
                tracker.close();
            }
        } finally {
            felix.stop();
            felix.waitForStop(10_000);
        }
    }

    /** The jars of what Alagg runs a plugin with (from the test class path), then the plugin's own. */
    private static List<Path> bundlesToBoot() throws IOException, URISyntaxException {
        List<Path> jars = new ArrayList<>();
        for (String type : List.of("org.osgi.util.function.Function", "org.osgi.util.promise.Promise",
                "org.osgi.service.component.ComponentContext", "org.apache.felix.scr.impl.Activator",
                "org.apache.felix.log.Activator", "org.alagg.api.Alagg")) {
            jars.add(jarOf(type));
        }
        Path plugin = Path.of(System.getProperty("plugin.jar", "target/${artifactId}-${version}.jar"));
        assertTrue(Files.isRegularFile(plugin), "the plugin is not built: " + plugin + " (run mvn verify)");
        jars.add(plugin);
        return jars;
    }

    private static Path jarOf(String type) throws URISyntaxException {
        try {
            return Path.of(Class.forName(type, false, ${className}InFelixIT.class.getClassLoader())
                    .getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (ClassNotFoundException e) {
            throw new AssertionError(type + " is not on the test class path: a test dependency is missing from pom.xml", e);
        }
    }
}
