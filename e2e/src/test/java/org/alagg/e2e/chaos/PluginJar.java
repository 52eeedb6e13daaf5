package org.alagg.e2e.chaos;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.osgi.framework.BundleActivator;

/** A test plugin written as a bundle jar: a manifest by hand, the activator's class and the classes nested in it. */
public final class PluginJar {
    private PluginJar() {
    }

    /** Writes the bundle; it imports {@code org.alagg.api} and the framework only, as a third party's plugin would. */
    public static void write(Path jar, Class<? extends BundleActivator> activator, String symbolicName, String name)
            throws IOException {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-SymbolicName", symbolicName);
        main.putValue("Bundle-Name", name);
        main.putValue("Bundle-Version", "1.0.0");
        main.putValue("Bundle-Activator", activator.getName());
        main.putValue("Import-Package", "org.alagg.api;version=\"[2.0,3)\",org.osgi.framework;version=\"[1.8,2)\"");
        List<Class<?>> classes = new ArrayList<>(List.of(activator));
        classes.addAll(List.of(activator.getDeclaredClasses()));
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest)) {
            for (Class<?> c : classes) {
                String entry = c.getName().replace('.', '/') + ".class";
                out.putNextEntry(new JarEntry(entry));
                try (InputStream in = activator.getClassLoader().getResourceAsStream(entry)) {
                    if (in == null) {
                        throw new IOException("class file " + entry + " not found");
                    }
                    in.transferTo(out);
                }
                out.closeEntry();
            }
        }
    }
}
