package org.alagg.linux.felix;

import java.io.File;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.BundleWiring;

/**
 * Boots Felix with only alagg-api and alagg-linux installed and calls native code through the bundle, by
 * reflection on its class loader. Runs in a JVM of its own whose class path holds nothing but Felix and this
 * class (as a launcher has it): jffi must not be on the system class path, or jffi binds its native stub there.
 *
 * <p>Arguments: framework storage directory, alagg-api jar, alagg-linux jar. Prints {@code CHECK ...} lines;
 * exits 0 when every check passed.
 */
public final class FelixCheck {
    private FelixCheck() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, args[0]);
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        Framework framework = ServiceLoader.load(FrameworkFactory.class).iterator().next().newFramework(config);
        framework.start();
        try {
            Bundle api = framework.getBundleContext().installBundle(new File(args[1]).toURI().toString());
            Bundle linux = framework.getBundleContext().installBundle(new File(args[2]).toURI().toString());
            api.start();
            linux.start();
            check(linux.getState() == Bundle.ACTIVE, "bundle " + linux.getSymbolicName() + " " + linux.getVersion()
                    + " resolved and active");

            BundleWiring wiring = linux.adapt(BundleWiring.class);
            List<String> exported = new ArrayList<>();
            for (BundleCapability c : wiring.getCapabilities(BundleRevision.PACKAGE_NAMESPACE)) {
                exported.add(c.getAttributes().get(BundleRevision.PACKAGE_NAMESPACE) + " "
                        + c.getAttributes().get("version"));
            }
            check(exported.equals(List.of("org.alagg.linux 2.2.0")), "exports " + exported);

            List<String> imported = new ArrayList<>();
            wiring.getRequiredWires(BundleRevision.PACKAGE_NAMESPACE).forEach(w -> imported.add(
                    w.getCapability().getAttributes().get(BundleRevision.PACKAGE_NAMESPACE) + " from "
                            + w.getProvider().getSymbolicName()));
            System.out.println("CHECK info: imports wired " + imported);

            ClassLoader loader = wiring.getClassLoader();
            check(linux.loadClass("jnr.ffi.LibraryLoader").getClassLoader() == loader
                    && linux.loadClass("com.kenai.jffi.Foreign").getClassLoader() == loader,
                    "jnr-ffi and jffi come from inside the bundle");
            check(isHidden(api, "jnr.ffi.LibraryLoader") && isHidden(api, "com.kenai.jffi.Foreign")
                    && isHidden(api, "org.alagg.linux.internal.LibC"),
                    "jnr-ffi, jffi and org.alagg.linux.internal are invisible to other bundles");
            check(isHidden(null, "com.kenai.jffi.Foreign"), "jffi is not on the system class path");

            Class<?> interfaces = linux.loadClass("org.alagg.linux.NetworkInterfaces");
            int index = (Integer) interfaces.getMethod("index", String.class).invoke(null, "lo");
            int expected = Integer.parseInt(Files.readString(Path.of("/sys/class/net/lo/ifindex")).trim());
            check(index == expected, "NetworkInterfaces.index(\"lo\") = " + index + " through the bundle");
            Object mac = interfaces.getMethod("mac", String.class).invoke(null, "lo");
            check(mac.getClass().getClassLoader() == api.adapt(BundleWiring.class).getClassLoader(),
                    "NetworkInterfaces.mac(\"lo\") = " + mac + ", a MacAddress of the api bundle");
            int mtu = (Integer) interfaces.getMethod("mtu", String.class).invoke(null, "lo");
            check(mtu > 0, "NetworkInterfaces.mtu(\"lo\") = " + mtu);

            Class<?> pollerClass = linux.loadClass("org.alagg.linux.Poller");
            Object poller = pollerClass.getConstructor(int[].class).newInstance((Object) new int[0]);
            Method await = pollerClass.getMethod("await", long.class);
            pollerClass.getMethod("wakeup").invoke(poller);
            int ready = (Integer) await.invoke(poller, 1_000_000_000L);
            ((AutoCloseable) poller).close();
            check(ready == 0, "Poller (eventfd, ppoll) woken up");

            if ("0".equals(uid())) {
                Class<?> socketClass = linux.loadClass("org.alagg.linux.PacketSocket");
                try (AutoCloseable socket = (AutoCloseable) socketClass.getMethod("open", int.class, int.class)
                        .invoke(null, 0x88B5, 8)) {
                    check(socket != null, "PacketSocket.open(0x88B5) as root");
                }
            } else {
                System.out.println("CHECK skipped PacketSocket.open: not root");
            }
            linux.stop();
            api.stop();
            System.out.println("CHECK all passed");
        } finally {
            framework.stop();
            framework.waitForStop(10_000);
        }
    }

    private static boolean isHidden(Bundle bundle, String className) {
        try {
            if (bundle == null) {
                Class.forName(className, false, ClassLoader.getSystemClassLoader());
            } else {
                bundle.loadClass(className);
            }
            return false;
        } catch (ClassNotFoundException e) {
            return true;
        }
    }

    private static String uid() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Uid:")) {
                return line.substring(4).trim().split("\\s+")[1];
            }
        }
        return "";
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            System.out.println("CHECK FAILED: " + what);
            System.exit(1);
        }
        System.out.println("CHECK ok: " + what);
    }
}
