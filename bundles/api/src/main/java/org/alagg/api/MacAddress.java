package org.alagg.api;

import java.util.Locale;

/** A 48-bit Ethernet MAC address: a value, parsed from and written as {@code 02:00:00:00:00:01}. */
public final class MacAddress {
    private final long value;

    private MacAddress(long value) {
        this.value = value;
    }

    /**
     * Parses six hexadecimal octets separated by colons.
     *
     * @throws IllegalArgumentException naming what is wrong with the text
     */
    public static MacAddress parse(String text) {
        String[] parts = text.split(":", -1);
        if (parts.length != 6) {
            throw new IllegalArgumentException("malformed MAC address '" + text
                    + "': expected six hexadecimal octets separated by colons, like 02:00:00:00:00:01");
        }
        long value = 0;
        for (String part : parts) {
            if (part.length() != 2 || Character.digit(part.charAt(0), 16) < 0 || Character.digit(part.charAt(1), 16) < 0) {
                throw new IllegalArgumentException("malformed MAC address '" + text + "': '" + part
                        + "' is not a two-digit hexadecimal octet");
            }
            value = value << 8 | Integer.parseInt(part, 16);
        }
        return new MacAddress(value);
    }

    /**
     * Parses the address of a peer, which must be unicast: frames to a group address would reach every host.
     *
     * @throws IllegalArgumentException naming what is wrong with the text
     */
    public static MacAddress parseUnicast(String text) {
        MacAddress mac = parse(text);
        if (mac.isMulticast()) {
            throw new IllegalArgumentException("MAC address " + mac + " is a multicast address; a peer has a unicast address");
        }
        return mac;
    }

    /** The address from six bytes in wire order. */
    public static MacAddress of(byte[] octets) {
        if (octets.length != 6) {
            throw new IllegalArgumentException("a MAC address has 6 octets, not " + octets.length);
        }
        long value = 0;
        for (byte b : octets) {
            value = value << 8 | (b & 0xFF);
        }
        return new MacAddress(value);
    }

    /** The address as the low 48 bits of a long, first octet highest: cheap to compare on the hot path. */
    public long toLong() {
        return value;
    }

    /** The six octets in wire order. */
    public byte[] octets() {
        byte[] octets = new byte[6];
        for (int i = 0; i < 6; i++) {
            octets[i] = (byte) (value >>> (40 - 8 * i));
        }
        return octets;
    }

    /** Group (multicast or broadcast) addresses cannot name a peer. */
    public boolean isMulticast() {
        return (value >>> 40 & 1) != 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MacAddress && ((MacAddress) o).value == value;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(value);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(17);
        for (int i = 0; i < 6; i++) {
            if (i > 0) {
                s.append(':');
            }
            s.append(String.format(Locale.ROOT, "%02x", value >>> (40 - 8 * i) & 0xFF));
        }
        return s.toString();
    }
}
