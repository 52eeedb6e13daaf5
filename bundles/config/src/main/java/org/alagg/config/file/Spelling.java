package org.alagg.config.file;

import java.util.Collection;
import java.util.Optional;

/** "Did you mean ...": the known word a mistyped one most likely stands for. */
final class Spelling {
    private Spelling() {
    }

    /**
     * The candidate nearest to {@code written} in edits (a letter added, left out, changed, or two swapped), when it
     * is near enough to be a typo of it: 1 edit for a word of up to 4 letters, 2 for a longer one. Ties go to the first.
     */
    static Optional<String> closest(String written, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int d = distance(written, candidate);
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        int allowed = written.length() <= 4 ? 1 : 2;
        return bestDistance <= allowed && bestDistance > 0 ? Optional.of(best) : Optional.empty();
    }

    /** Optimal string alignment distance: Levenshtein's, with a swap of two neighbours as one edit. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
