package org.alagg.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class InterfaceNameTest {
    @Test
    void acceptsWhatTheKernelAccepts() {
        assertEquals("eth0", InterfaceName.check("eth0"));
        assertEquals("veth-a.100", InterfaceName.check("veth-a.100"));
        assertEquals("abcdefghijklmno", InterfaceName.check("abcdefghijklmno"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "abcdefghijklmnop | too long: 16 characters, Linux allows at most 15",
        "eth0:1           | contains ':'",
        "a/b              | contains '/'",
        "..               | is not allowed",
    })
    void rejectsWhatTheKernelRejects(String name, String problem) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> InterfaceName.check(name));
        assertTrue(e.getMessage().contains(problem), e.getMessage());
    }

    @Test
    void rejectsEmptyAndSpaces() {
        assertThrows(IllegalArgumentException.class, () -> InterfaceName.check(""));
        assertThrows(IllegalArgumentException.class, () -> InterfaceName.check("eth 0"));
    }
}
