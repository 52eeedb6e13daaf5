package org.alagg.shell.view;

import java.util.ArrayList;
import java.util.List;

/**
 * A plain text table with aligned columns, for people; scripts use {@code --json}. Shared by the commands and
 * {@code alagg top}, which embeds this package.
 */
public final class Table {
    private final List<String[]> rows = new ArrayList<>();
    private final int columns;

    /** A table with a header line. */
    public Table(String... header) {
        columns = header.length;
        rows.add(header);
    }

    /** A table without a header line, e.g. name/value pairs. */
    public Table(int columns) {
        this.columns = columns;
    }

    public Table row(Object... cells) {
        if (cells.length != columns) {
            throw new IllegalArgumentException("a row of " + cells.length + " cells in a table of " + columns + " columns");
        }
        String[] text = new String[columns];
        for (int i = 0; i < columns; i++) {
            text[i] = cells[i] == null ? "-" : cells[i].toString();
        }
        rows.add(text);
        return this;
    }

    @Override
    public String toString() {
        int[] width = new int[columns];
        for (String[] row : rows) {
            for (int i = 0; i < columns; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        StringBuilder s = new StringBuilder();
        for (String[] row : rows) {
            for (int i = 0; i < columns; i++) {
                s.append(row[i]);
                if (i < columns - 1) {
                    s.append(" ".repeat(width[i] - row[i].length() + 2));
                }
            }
            s.append('\n');
        }
        s.setLength(Math.max(0, s.length() - 1));
        return s.toString();
    }
}
