package org.alagg.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * {@code alagg sdk install}: puts the SDK the distribution ships in {@code sdk/} (the API with its sources and Javadoc,
 * the test kit, the BOM, the plugin archetype, and the parent POM they name) into a Maven local repository, where a
 * plugin project finds it offline. {@code sdk/} is laid out as a repository already: installing is copying it.
 */
final class SdkInstall {
    private SdkInstall() {
    }

    /**
     * Runs {@code alagg sdk install [--repo DIR]}: the repository is {@code DIR}, or Maven's default
     * {@code ~/.m2/repository}.
     */
    static int run(Path home, List<String> args, PrintStream out, PrintStream err) throws IOException {
        if (args.isEmpty() || !args.get(0).equals("install")) {
            err.println("usage: alagg sdk install [--repo DIR]\n"
                    + "  copies the plugin SDK into a Maven local repository (default ~/.m2/repository)");
            return Main.USAGE;
        }
        Path repository = Path.of(System.getProperty("user.home"), ".m2", "repository");
        List<String> options = args.subList(1, args.size());
        if (options.size() == 2 && options.get(0).equals("--repo")) {
            repository = Path.of(options.get(1)).toAbsolutePath().normalize();
        } else if (!options.isEmpty()) {
            err.println("alagg sdk install: unexpected argument '" + options.get(0) + "'; usage: alagg sdk install [--repo DIR]");
            return Main.USAGE;
        }
        Path sdk = home.resolve("sdk");
        if (!Files.isDirectory(sdk)) {
            err.println("alagg sdk install: no SDK in " + sdk + "; build the distribution (alagg build)");
            return Main.USAGE;
        }
        String version = version(sdk);
        TreeSet<String> artifacts = copy(sdk, repository, version);
        out.println("Installed the Alagg SDK " + version + " into " + repository + ": " + String.join(", ", artifacts));
        out.println("A new plugin project: mvn archetype:generate -DarchetypeGroupId=org.alagg"
                + " -DarchetypeArtifactId=alagg-plugin-archetype -DarchetypeVersion=" + version
                + " -Dkind=strategy (or scheduler, transport) -DgroupId=... -DartifactId=... (docs/plugins.md)");
        return 0;
    }

    /**
     * Copies every file of {@code sdk} to the same place under {@code repository}, but an artifact's list of versions
     * ({@code <artifact>/maven-metadata-local.xml}) only where there is none yet, so that the versions installed
     * before stay listed; returns the artifacts copied.
     */
    private static TreeSet<String> copy(Path sdk, Path repository, String version) throws IOException {
        TreeSet<String> artifacts = new TreeSet<>();
        try (Stream<Path> files = Files.walk(sdk)) {
            for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                Path relative = sdk.relativize(file);
                Path target = repository.resolve(relative.toString());
                boolean inVersion = relative.getNameCount() >= 4 && relative.getParent().getFileName().toString().equals(version);
                if (!inVersion && Files.exists(target)) {
                    continue;
                }
                Files.createDirectories(target.getParent());
                Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
                if (inVersion) {
                    artifacts.add(relative.getParent().getParent().getFileName().toString()); // group/artifact/version/file
                }
            }
        }
        return artifacts;
    }

    /** The SDK's version: that of the API it holds, the one directory under the API's. */
    private static String version(Path sdk) throws IOException {
        try (Stream<Path> versions = Files.list(sdk.resolve("org/alagg/alagg-api"))) {
            List<String> found = versions.filter(Files::isDirectory).map(p -> p.getFileName().toString()).toList();
            if (found.size() != 1) {
                throw new IOException("expected one version of the API in " + sdk + ", found " + found);
            }
            return found.get(0);
        }
    }
}
