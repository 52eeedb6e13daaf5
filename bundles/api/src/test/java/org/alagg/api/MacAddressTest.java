package org.alagg.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MacAddressTest {
    @Test
    void parsesAndWritesBack() {
        MacAddress mac = MacAddress.parse("02:AB:cd:00:10:ff");
        assertEquals("02:ab:cd:00:10:ff", mac.toString());
        assertEquals(0x02abcd0010ffL, mac.toLong());
        assertArrayEquals(new byte[] {2, (byte) 0xab, (byte) 0xcd, 0, 0x10, (byte) 0xff}, mac.octets());
        assertEquals(mac, MacAddress.of(mac.octets()));
        assertFalse(mac.isMulticast());
        assertTrue(MacAddress.parse("01:00:5e:00:00:01").isMulticast());
        assertTrue(MacAddress.parse("ff:ff:ff:ff:ff:ff").isMulticast());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "02:00:00:00:00       | expected six hexadecimal octets",
        "02:00:00:00:00:00:01 | expected six hexadecimal octets",
        "02-00-00-00-00-01    | expected six hexadecimal octets",
        "02:00:00:00:00:0g    | '0g' is not a two-digit hexadecimal octet",
        "02:00:00:00:00:1     | '1' is not a two-digit hexadecimal octet",
        "02:00:00:00::01      | '' is not a two-digit hexadecimal octet",
    })
    void rejectsMalformedText(String text, String problem) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MacAddress.parse(text));
        assertTrue(e.getMessage().contains(problem), e.getMessage());
        assertTrue(e.getMessage().contains(text), e.getMessage());
    }
}
