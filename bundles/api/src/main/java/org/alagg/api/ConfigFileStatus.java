package org.alagg.api;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/** The state of the configuration file ({@code default_config.cfg}), registered by the config bundle. */
@ProviderType
public interface ConfigFileStatus {
    /** The file being watched. */
    Path file();

    /** When the file's content was last applied to Config Admin. */
    Instant applied();

    /**
     * Why the file's current content is not in force, naming file, line and problem; empty when it is.
     * While an error stands, the last good configuration stays in force.
     */
    Optional<String> error();
}
