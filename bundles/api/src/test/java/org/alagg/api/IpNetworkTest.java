package org.alagg.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.Permission;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpNetworkTest {
    /** An address as 4 or 16 bytes, written out here byte by byte rather than by the class under test. */
    private static byte[] v4(int a, int b, int c, int d) {
        return new byte[] {(byte) a, (byte) b, (byte) c, (byte) d};
    }

    /** An IPv6 address from its eight 16-bit groups. */
    private static byte[] v6(int... groups) {
        byte[] bytes = new byte[16];
        for (int i = 0; i < 8; i++) {
            bytes[2 * i] = (byte) (groups[i] >>> 8);
            bytes[2 * i + 1] = (byte) groups[i];
        }
        return bytes;
    }

    private static boolean contains(String network, byte[] address) {
        return IpNetwork.parse(network).contains(address, 0, address.length);
    }

    // ---- parsing ----

    @Test
    void parsesIpv4() {
        IpNetwork n = IpNetwork.parse("10.9.1.0/24");
        assertEquals(4, n.addressLength());
        assertEquals(24, n.prefixLength());
        assertArrayEquals(v4(10, 9, 1, 0), n.address());
        assertEquals("10.9.1.0/24", n.toString());
    }

    @Test
    void parsesIpv6() {
        IpNetwork n = IpNetwork.parse("fd09:1::/64");
        assertEquals(16, n.addressLength());
        assertEquals(64, n.prefixLength());
        assertArrayEquals(v6(0xfd09, 1, 0, 0, 0, 0, 0, 0), n.address());
        assertEquals(n, IpNetwork.parse(n.toString()), "toString parses back to the same network");
        assertEquals(n, IpNetwork.parse("FD09:0001:0:0::/64"), "upper case and leading zeros are the same network");
    }

    @Test
    void anAddressWithoutAPrefixLengthIsOneHost() {
        assertEquals(32, IpNetwork.parse("10.9.1.7").prefixLength());
        assertEquals(128, IpNetwork.parse("fd09:1::7").prefixLength());
        assertEquals(IpNetwork.parse("10.9.1.7/32"), IpNetwork.parse("10.9.1.7"));
        assertEquals(IpNetwork.parse("::1/128"), IpNetwork.parse("::1"));
    }

    @ParameterizedTest
    @CsvSource({
        "0.0.0.0/0,               0",
        "10.9.1.7/32,             32",
        "255.255.255.255/32,      32",
        "::/0,                    0",
        "fd09:1::7/128,           128",
        "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128, 128",
        "10.8.0.0/13,             13",
        "2001:db8:0:8::/61,       61",
    })
    void prefixLengthsAtTheLimitsAndBetween(String text, int prefix) {
        assertEquals(prefix, IpNetwork.parse(text).prefixLength());
    }

    @Test
    void blanksAroundAreIgnored() {
        assertEquals(IpNetwork.parse("10.9.1.0/24"), IpNetwork.parse("  10.9.1.0/24\t"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "10.9.1.7/24      | has host bits set after the /24 prefix",
        "10.9.1.64/25     | has host bits set after the /25 prefix",
        "0.0.0.1/0        | has host bits set after the /0 prefix",
        "10.8.0.0/12      | has host bits set after the /12 prefix",
        "fd09:1::1/64     | has host bits set after the /64 prefix",
        "2001:db8:0:c::/61 | has host bits set after the /61 prefix",
        "::1/127          | has host bits set after the /127 prefix",
    })
    void hostBitsSetAreRefused(String text, String problem) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IpNetwork.parse(text));
        assertTrue(e.getMessage().contains(problem), e.getMessage());
        assertTrue(e.getMessage().contains(text), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "10.0.0.0/33      | prefix length must be 0..32",
        "::/129           | prefix length must be 0..128",
        "10.0.0.0/-1      | prefix length must be 0..32",
        "10.0.0.0/        | prefix length must be 0..32",
        "10.0.0.0/8/8     | prefix length must be 0..32",
        "10.0.0.0/eight   | prefix length must be 0..32",
        "10.0.0.0/0008    | prefix length must be 0..32",
    })
    void badPrefixLengthsAreRefused(String text, String problem) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IpNetwork.parse(text));
        assertTrue(e.getMessage().contains(problem), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "/24", "10.0.0", "10.0.0.0.0", "1.2.3.4.",
        "10.0.0.0 /24", "::g", ":::", "1:2:3:4:5:6:7:8:9", "fd09::1::2", "-1.0.0.0", "10.0.0.0,10.0.0.1",
        "fe80::1%eth0", "[::1]", "0x0a.0.0.0", "10 .0.0.0"})
    void garbageIsRefused(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IpNetwork.parse(text));
        assertTrue(e.getMessage().contains("'" + text.strip() + "'"), "names the text: " + e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "localhost/32", "example.com", "example.com/24", "peer", "ip6-localhost",
        "www.example.org/0"})
    void namesAreRefused(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IpNetwork.parse(text));
        assertTrue(e.getMessage().contains("is not an IPv4 or IPv6 network"), e.getMessage());
    }

    /**
     * Names are refused before any name service is asked, even the ones written only with hexadecimal letters and
     * dots or colons (which look like addresses at first sight): a name that resolved would otherwise be accepted
     * as its address, and a lookup can hang start-up.
     */
    @ParameterizedTest
    @ValueSource(strings = {"dead.beef", "face", "bad.cafe.be", "dead:beef", "feed::cafe::1", "cafe::beef::1/64"})
    void namesAreRefusedWithoutALookup(String text) {
        refusedWithoutALookup(text);
    }

    /**
     * Four dot-separated parts that are not a dotted quad: a name of hexadecimal letters, a part above 255, an
     * empty part. {@code InetAddress.getByName} asks the name service for each of these.
     */
    @ParameterizedTest
    @ValueSource(strings = {"cafe.beef.dead.face", "ab.cd.ef.01", "ab.cd.ef.01/32", "c0.a8.1.1", "00a.0.0.0",
        "256.0.0.0", "10.9.1.300/24", "1..2.3", ".1.2.3", "1.2.3."})
    void dottedTextThatIsNoAddressIsRefusedWithoutALookup(String text) {
        refusedWithoutALookup(text);
    }

    /**
     * Asserts the text is refused as not being an address, with no name lookup. A security manager that fails every
     * lookup tells whether one was made; JDKs after 17 allow one only with -Djava.security.manager=allow, else the
     * test is skipped.
     */
    @SuppressWarnings("removal")
    private static void refusedWithoutALookup(String text) {
        List<String> lookups = new ArrayList<>();
        SecurityManager noLookups = new SecurityManager() {
            @Override
            public void checkConnect(String host, int port) {
                if (port == -1) { // a name lookup (InetAddress asks with port -1)
                    lookups.add(host);
                    throw new SecurityException("name lookup of " + host);
                }
            }

            @Override
            public void checkPermission(Permission perm) {
                // everything else stays allowed, removing this manager again included
            }
        };
        try {
            System.setSecurityManager(noLookups);
        } catch (UnsupportedOperationException e) {
            Assumptions.abort("this JDK allows no security manager (run with -Djava.security.manager=allow)");
        }
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IpNetwork.parse(text));
            assertTrue(e.getMessage().contains("is not an IPv4 or IPv6 network"), e.getMessage());
        } finally {
            System.setSecurityManager(null);
        }
        assertEquals(List.of(), lookups, "names looked up");
    }

    @Test
    void equalsAndHashCodeByAddressAndPrefix() {
        assertEquals(IpNetwork.parse("10.9.0.0/16"), IpNetwork.parse("10.9.0.0/16"));
        assertEquals(IpNetwork.parse("10.9.0.0/16").hashCode(), IpNetwork.parse("10.9.0.0/16").hashCode());
        assertNotEquals(IpNetwork.parse("10.9.0.0/16"), IpNetwork.parse("10.9.0.0/17"));
        assertNotEquals(IpNetwork.parse("0.0.0.0/0"), IpNetwork.parse("::/0"));
    }

    @Test
    void theAddressIsACopy() {
        IpNetwork n = IpNetwork.parse("10.9.1.0/24");
        n.address()[0] = 99;
        assertArrayEquals(v4(10, 9, 1, 0), n.address());
    }

    // ---- lists ----

    @Test
    void parsesAList() {
        assertEquals(List.of(IpNetwork.parse("10.9.1.0/24"), IpNetwork.parse("fd09:1::/64")),
                IpNetwork.parseList("10.9.1.0/24, fd09:1::/64"));
        assertEquals(List.of(IpNetwork.parse("10.9.1.1/32")), IpNetwork.parseList(" 10.9.1.1 "));
        assertEquals(3, IpNetwork.parseList("10.0.0.0/8,192.168.0.0/16 ,\t::/0").size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "10.9.1.0/24,", ",10.9.1.0/24", "10.9.1.0/24,,10.9.2.0/24", "10.9.1.0/24, ,::/0"})
    void aListWithAnEmptyEntryIsRefused(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IpNetwork.parseList(text));
        assertTrue(e.getMessage().contains("empty entry"), e.getMessage());
    }

    @Test
    void aListNamesItsBadEntry() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> IpNetwork.parseList("10.9.1.0/24, 10.9.2.7/24, fd09::/64"));
        assertTrue(e.getMessage().contains("'10.9.2.7/24' has host bits set"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> IpNetwork.parseList("10.9.1.0/24, example.com"));
        assertTrue(e.getMessage().contains("'example.com' is not an IPv4 or IPv6 network"), e.getMessage());
    }

    @Test
    void theListIsImmutable() {
        List<IpNetwork> list = IpNetwork.parseList("10.9.1.0/24");
        assertThrows(UnsupportedOperationException.class, () -> list.add(IpNetwork.parse("::/0")));
    }

    // ---- contains ----

    @Test
    void containsAtSlash21() {
        String n = "10.9.0.0/21"; // 10.9.0.0 - 10.9.7.255
        assertTrue(contains(n, v4(10, 9, 0, 0)));
        assertTrue(contains(n, v4(10, 9, 3, 77)));
        assertTrue(contains(n, v4(10, 9, 7, 255)));
        assertFalse(contains(n, v4(10, 9, 8, 0)));
        assertFalse(contains(n, v4(10, 9, 15, 255)));
        assertFalse(contains(n, v4(10, 8, 255, 255)));
        assertFalse(contains(n, v4(11, 9, 0, 0)));
        assertFalse(contains(n, v4(10 | 0x80, 9, 0, 0)), "a difference in a high bit of the first byte");
    }

    @Test
    void containsAtSlash61() {
        String n = "2001:db8:0:8::/61"; // fourth group 0x0008 - 0x000f
        assertTrue(contains(n, v6(0x2001, 0xdb8, 0, 8, 0, 0, 0, 0)));
        assertTrue(contains(n, v6(0x2001, 0xdb8, 0, 0xc, 1, 2, 3, 4)));
        assertTrue(contains(n, v6(0x2001, 0xdb8, 0, 0xf, 0xffff, 0xffff, 0xffff, 0xffff)));
        assertFalse(contains(n, v6(0x2001, 0xdb8, 0, 7, 0xffff, 0xffff, 0xffff, 0xffff)));
        assertFalse(contains(n, v6(0x2001, 0xdb8, 0, 0x10, 0, 0, 0, 0)));
        assertFalse(contains(n, v6(0x2001, 0xdb8, 0, 0x8008, 0, 0, 0, 0)));
        assertFalse(contains(n, v6(0x2001, 0xdb9, 0, 8, 0, 0, 0, 0)));
    }

    @Test
    void containsAtTheLimits() {
        assertTrue(contains("0.0.0.0/0", v4(0, 0, 0, 0)));
        assertTrue(contains("0.0.0.0/0", v4(255, 255, 255, 255)));
        assertTrue(contains("::/0", v6(0, 0, 0, 0, 0, 0, 0, 0)));
        assertTrue(contains("::/0", v6(0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff)));
        assertTrue(contains("10.9.1.7/32", v4(10, 9, 1, 7)));
        assertFalse(contains("10.9.1.7/32", v4(10, 9, 1, 6)));
        assertFalse(contains("10.9.1.7/32", v4(10, 9, 1, 7 | 0x80)));
        assertTrue(contains("fd09:1::7/128", v6(0xfd09, 1, 0, 0, 0, 0, 0, 7)));
        assertFalse(contains("fd09:1::7/128", v6(0xfd09, 1, 0, 0, 0, 0, 0, 6)));
        assertFalse(contains("fd09:1::7/128", v6(0xfd09, 1, 0, 0, 0, 0, 0, 0x8007)));
    }

    @Test
    void ipv4AndIpv6NeverMatch() {
        // the same leading bytes, and the IPv4-mapped form of the address: still the other family
        byte[] mapped = v6(0, 0, 0, 0, 0, 0xffff, 0x0a09, 0x0107);
        assertFalse(contains("10.9.1.0/24", mapped));
        assertFalse(contains("0.0.0.0/0", mapped));
        assertFalse(contains("0.0.0.0/0", v6(0x0a09, 0x0107, 0, 0, 0, 0, 0, 0)));
        assertFalse(contains("::/0", v4(10, 9, 1, 7)));
        assertFalse(contains("::/96", v4(10, 9, 1, 7)));
        assertFalse(contains("a09:100::/24", v4(10, 9, 1, 7)));
    }

    @Test
    void containsReadsTheAddressAtItsOffsetOnly() {
        // an IPv4 header: the source address at offset 12, the destination at 16
        byte[] header = new byte[20];
        System.arraycopy(v4(10, 9, 1, 7), 0, header, 12, 4);
        System.arraycopy(v4(192, 168, 0, 1), 0, header, 16, 4);
        IpNetwork n = IpNetwork.parse("10.9.1.0/24");
        assertTrue(n.contains(header, 12, 4));
        assertFalse(n.contains(header, 16, 4));
        assertFalse(IpNetwork.parse("0.0.0.0/0").contains(header, 0, 16), "a length of 16 is IPv6");
    }

    /** Every prefix length of both families against an independent computation with big integers. */
    @Test
    void containsAgreesWithMaskArithmeticAtEveryPrefixLength() {
        Random random = new Random(11);
        for (int bytes : new int[] {4, 16}) {
            int bits = bytes * 8;
            for (int prefix = 0; prefix <= bits; prefix++) {
                BigInteger all = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE);
                BigInteger mask = all.shiftRight(prefix).xor(all); // the top prefix bits
                BigInteger network = new BigInteger(bits, random).and(mask);
                IpNetwork n = IpNetwork.parse(text(network, bytes) + "/" + prefix);
                for (int i = 0; i < 64; i++) {
                    BigInteger address = i % 2 == 0 ? new BigInteger(bits, random)
                            : network.or(new BigInteger(bits, random).and(mask.not()).and(all)) // inside
                                    .flipBit(random.nextInt(bits)); // then one bit changed: inside or just outside
                    boolean expected = address.and(mask).equals(network);
                    assertEquals(expected, n.contains(bytes(address, bytes), 0, bytes),
                            () -> text(address, bytes) + " in " + n);
                }
            }
        }
    }

    private static byte[] bytes(BigInteger value, int length) {
        byte[] raw = value.toByteArray(); // big-endian, perhaps with a leading sign byte or shorter
        byte[] out = new byte[length];
        int copy = Math.min(raw.length, length);
        System.arraycopy(raw, raw.length - copy, out, length - copy, copy);
        return out;
    }

    private static String text(BigInteger value, int length) {
        byte[] b = bytes(value, length);
        StringBuilder s = new StringBuilder();
        if (length == 4) {
            for (int i = 0; i < 4; i++) {
                s.append(i == 0 ? "" : ".").append(b[i] & 0xff);
            }
        } else {
            for (int i = 0; i < 16; i += 2) {
                s.append(i == 0 ? "" : ":").append(Integer.toHexString((b[i] & 0xff) << 8 | b[i + 1] & 0xff));
            }
        }
        return s.toString();
    }
}
