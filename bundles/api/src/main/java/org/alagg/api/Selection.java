package org.alagg.api;

import java.util.List;

/**
 * Which implementation of a pluggable part is configured, which one runs, and which are installed.
 *
 * @param configured the name the configuration asks for
 * @param active the name of the implementation in use, or {@code null} when none is (the engine then
 *        uses its built-in fallback, or does without)
 * @param available the names of every installed implementation, sorted
 */
public record Selection(String configured, String active, List<String> available) {
    public Selection {
        available = List.copyOf(available);
    }
}
