package org.alagg.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Where tests do what a plugin author does, outside the project: a temporary directory, a Maven local repository of
 * its own into which {@code alagg sdk install --repo} put the SDK, {@code mvn archetype:generate} from the SDK's
 * archetype and {@code mvn verify} of what it generated. Nothing of Alagg is found but the SDK: the repository of the
 * build that runs the test serves only released third-party artifacts (Maven's plugins, bnd, Felix, JUnit, ...) that
 * the build itself resolved, and Maven Central what it lacks. {@link #close()} removes the directory.
 */
public final class SdkWorkspace implements AutoCloseable {
    /** The archetype plugin the docs tell authors to use, by its full name (no plugin prefix resolution needed). */
    public static final String ARCHETYPE_PLUGIN = "org.apache.maven.plugins:maven-archetype-plugin:3.2.1";
    private static final Duration MAVEN_DEADLINE = Duration.ofMinutes(5);
    private static final String AGGREGATOR = "all-plugins";
    private static final String VERIFIED = "launcher/target/sdk-it/verified";
    private static final String SDK_DIGEST = "sdk.sha256";

    private final Path directory;
    private final Path repository;
    private final Path settings;
    private final String mvn;
    private final String version;
    /** Removes the directory should the JVM be stopped (SIGTERM, SIGINT) before {@link #close()}. */
    private final Thread removeOnExit;

    private SdkWorkspace(Path directory, Path repository, Path settings, String mvn, String version) {
        this.directory = directory;
        this.repository = repository;
        this.settings = settings;
        this.mvn = mvn;
        this.version = version;
        this.removeOnExit = new Thread(() -> {
            try {
                delete(directory);
            } catch (IOException e) {
                System.err.println("could not remove " + directory + ": " + e);
            }
        }, "alagg-sdk-workspace-cleanup");
        Runtime.getRuntime().addShutdownHook(removeOnExit);
    }

    /**
     * Installs the SDK with {@code <root>/alagg sdk install --repo <state>/repository} (the repository emptied first)
     * and makes the temporary directory.
     *
     * @param root the project, where the {@code alagg} script is and the distribution is built
     * @param state a directory under the build's target/ for the repository and the Maven settings
     * @param buildRepository the local repository of the build running the test (third-party artifacts only)
     * @param mavenHome Maven's home, or null for {@code mvn} on the PATH
     * @param version the SDK's version
     */
    public static SdkWorkspace create(Path root, Path state, Path buildRepository, String mavenHome, String version)
            throws IOException, InterruptedException {
        Path repository = state.resolve("repository");
        delete(repository);
        Files.createDirectories(repository);
        Path settings = state.resolve("settings.xml");
        Files.writeString(settings, settings(buildRepository));
        run(root, List.of(root.resolve("alagg").toString(), "sdk", "install", "--repo", repository.toString()), "alagg sdk install");
        String mvn = mavenHome == null || mavenHome.isBlank() ? "mvn" : Path.of(mavenHome, "bin", "mvn").toString();
        return new SdkWorkspace(Files.createTempDirectory("alagg-plugin-"), repository, settings, mvn, version);
    }

    /** The temporary directory projects are generated in. */
    public Path directory() {
        return directory;
    }

    /**
     * {@code mvn archetype:generate} of a plugin project of {@code kind} ({@code strategy}, {@code scheduler}) in the
     * temporary directory, as docs/plugins.md says; returns its directory.
     */
    public Path generate(String kind, String artifactId, String className) throws IOException, InterruptedException {
        maven(directory, "archetype:generate", ARCHETYPE_PLUGIN + ":generate",
                "-DarchetypeGroupId=org.alagg", "-DarchetypeArtifactId=alagg-plugin-archetype",
                "-DarchetypeVersion=" + version, "-Dkind=" + kind, "-DgroupId=org.example",
                "-DartifactId=" + artifactId, "-Dversion=1.0.0", "-Dpackage=org.example." + artifactId.replace("-", ""),
                "-DclassName=" + className);
        return directory.resolve(artifactId);
    }

    /**
     * Runs Maven in {@code project} with this workspace's repository and settings, in batch mode.
     *
     * @return Maven's output
     * @throws AssertionError with the end of the output when Maven fails
     */
    public String maven(Path project, String what, String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(mvn, "-B", "-s", settings.toString(),
                "-Dmaven.repo.local=" + repository));
        command.addAll(List.of(arguments));
        return run(project, command, what);
    }

    /**
     * Runs Maven once over every project generated so far, through an aggregator POM that lists them as modules (each
     * stays a project of its own: the aggregator is no parent): what running it in each would do, with one Maven
     * start. The aggregator is in a directory of its own, so that a project generated later is not made its module.
     */
    public String mavenAll(String what, String... arguments) throws IOException, InterruptedException {
        Path aggregator = directory.resolve(AGGREGATOR);
        StringBuilder modules = new StringBuilder();
        try (Stream<Path> projects = Files.list(directory)) {
            projects.filter(p -> !p.equals(aggregator) && Files.isRegularFile(p.resolve("pom.xml"))).sorted()
                    .forEach(p -> modules.append("<module>../").append(p.getFileName()).append("</module>"));
        }
        Files.createDirectories(aggregator);
        Files.writeString(aggregator.resolve("pom.xml"), "<project><modelVersion>4.0.0</modelVersion>"
                + "<groupId>org.example</groupId><artifactId>generated-plugins</artifactId><version>1</version>"
                + "<packaging>pom</packaging><modules>" + modules + "</modules></project>\n");
        return maven(aggregator, what, arguments);
    }

    /**
     * Keeps a plugin jar that a test generated and verified (PluginArchetypeIT, in the launcher's build) in
     * {@code launcher/target/sdk-it/verified}, with the digest of the SDK it was built against, so that a later test
     * of the same build (SdkPluginBedIT) drops that jar into its bed instead of generating and building it again.
     */
    public static void keepVerified(Path root, Path jar) throws IOException {
        Path kept = root.resolve(VERIFIED);
        Files.createDirectories(kept);
        Files.copy(jar, kept.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(kept.resolve(SDK_DIGEST), sdkDigest(root));
    }

    /**
     * A jar {@link #keepVerified} kept, if the distribution's SDK is still the one it was built against (the same
     * digest of every file under {@code launcher/target/alagg/sdk}); otherwise (none kept, or the SDK changed since)
     * null: build it again.
     */
    public static Path verified(Path root, String fileName) throws IOException {
        Path kept = root.resolve(VERIFIED);
        Path jar = kept.resolve(fileName);
        Path digest = kept.resolve(SDK_DIGEST);
        return Files.isRegularFile(jar) && Files.isRegularFile(digest)
                && Files.readString(digest).equals(sdkDigest(root)) ? jar : null;
    }

    /** The name {@code mvn package} gives a generated plugin's jar (the archetype's version 1.0.0). */
    public static String jarName(String artifactId) {
        return artifactId + "-1.0.0.jar";
    }

    /** SHA-256 over the relative path and the bytes of every file of the distribution's SDK, in path order. */
    private static String sdkDigest(Path root) throws IOException {
        Path sdk = root.resolve("launcher/target/alagg/sdk");
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        try (Stream<Path> files = Files.walk(sdk)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                digest.update(sdk.relativize(file).toString().getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
                digest.update(Files.readAllBytes(file));
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    @Override
    public void close() throws IOException {
        try {
            Runtime.getRuntime().removeShutdownHook(removeOnExit);
        } catch (IllegalStateException shuttingDown) {
            return; // the hook removes it
        }
        delete(directory);
    }

    private static String run(Path in, List<String> command, String what) throws IOException, InterruptedException {
        Path log = Files.createTempFile("alagg-sdk-", ".log");
        try {
            Process process = new ProcessBuilder(command).directory(in.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            if (!process.waitFor(MAVEN_DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor();
                throw new AssertionError(what + " did not end within " + MAVEN_DEADLINE.toMinutes() + " min:\n" + tail(log));
            }
            if (process.exitValue() != 0) {
                throw new AssertionError(what + " failed (exit " + process.exitValue() + ", " + String.join(" ", command)
                        + "):\n" + tail(log));
            }
            return Files.readString(log, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }

    /** Settings that add the build's repository before Central, for releases only: no stale Alagg snapshot from it. */
    private static String settings(Path buildRepository) {
        String url = buildRepository.toUri().toString();
        String repository = "<id>build</id><url>" + url + "</url><releases><enabled>true</enabled></releases>"
                + "<snapshots><enabled>false</enabled></snapshots>";
        return "<settings><profiles><profile><id>build-repository</id>"
                + "<repositories><repository>" + repository + "</repository></repositories>"
                + "<pluginRepositories><pluginRepository>" + repository + "</pluginRepository></pluginRepositories>"
                + "</profile></profiles><activeProfiles><activeProfile>build-repository</activeProfile></activeProfiles>"
                + "</settings>\n";
    }

    private static void delete(Path tree) throws IOException {
        if (tree == null || !Files.exists(tree)) {
            return;
        }
        try (Stream<Path> files = Files.walk(tree)) {
            for (Path file : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(file);
            }
        }
    }
}
