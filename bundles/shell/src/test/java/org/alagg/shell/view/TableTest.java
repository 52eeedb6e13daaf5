package org.alagg.shell.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TableTest {
    @Test
    void columnsAlignToTheWidestCell() {
        String table = new Table("LINK", "STATE").row("eth1", "UP").row("veth-long", null).toString();
        assertEquals("LINK       STATE\neth1       UP\nveth-long  -", table);
    }

    @Test
    void aTableWithoutHeaderHasOnlyItsRows() {
        assertEquals("instance  a\nlinks     2", new Table(2).row("instance", "a").row("links", 2).toString());
        assertEquals("", new Table(2).toString());
    }

    @Test
    void aRowMustFitTheColumns() {
        assertThrows(IllegalArgumentException.class, () -> new Table("A", "B").row("only one"));
    }
}
