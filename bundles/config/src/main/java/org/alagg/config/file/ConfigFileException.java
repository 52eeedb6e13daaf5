package org.alagg.config.file;

import java.util.List;

/** A configuration file that cannot be applied; every problem names the file, the line and what is wrong. */
public final class ConfigFileException extends Exception {
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public ConfigFileException(List<String> problems) {
        super(String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    /** One line per problem: {@code file:line: what is wrong}. */
    public List<String> problems() {
        return problems;
    }
}
