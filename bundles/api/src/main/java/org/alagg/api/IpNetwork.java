package org.alagg.api;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An IPv4 or IPv6 network in CIDR notation ({@code 10.9.1.0/24}, {@code fd09:1::/64}); an address without a
 * prefix length is a single host. Immutable.
 *
 * @since 2.1
 */
public final class IpNetwork {
    private static final java.util.regex.Pattern DOTTED_QUAD =
            java.util.regex.Pattern.compile("((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])");

    private final byte[] address;
    private final int prefixLength;

    private IpNetwork(byte[] address, int prefixLength) {
        this.address = address;
        this.prefixLength = prefixLength;
    }

    /**
     * Parses one network. Only numeric addresses are accepted (no name lookups); host bits must be zero, so that
     * {@code 10.9.1.7/24} (probably meant as {@code 10.9.1.0/24} or {@code 10.9.1.7/32}) is caught.
     *
     * @throws IllegalArgumentException naming what is wrong with it
     */
    public static IpNetwork parse(String text) {
        String t = text.strip();
        int slash = t.indexOf('/');
        String host = slash < 0 ? t : t.substring(0, slash);
        // only literal addresses reach InetAddress, which would look a name up (a dotted name like cafe.beef.dead.face)
        if (host.indexOf(':') < 0 ? !DOTTED_QUAD.matcher(host).matches() : !host.matches("[0-9a-fA-F:.]+")) {
            throw new IllegalArgumentException("'" + t + "' is not an IPv4 or IPv6 network (e.g. 10.9.1.0/24, fd09:1::/64)");
        }
        byte[] address;
        try {
            address = InetAddress.getByName(host).getAddress(); // numeric only: checked above
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + t + "' is not an IPv4 or IPv6 network (e.g. 10.9.1.0/24, fd09:1::/64)");
        }
        int bits = address.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String p = t.substring(slash + 1);
            if (!p.matches("[0-9]{1,3}") || Integer.parseInt(p) > bits) {
                throw new IllegalArgumentException("'" + t + "': prefix length must be 0.." + bits);
            }
            prefix = Integer.parseInt(p);
        }
        for (int bit = prefix; bit < bits; bit++) {
            if ((address[bit >>> 3] & 0x80 >>> (bit & 7)) != 0) {
                throw new IllegalArgumentException("'" + t + "' has host bits set after the /" + prefix
                        + " prefix; write the network address");
            }
        }
        return new IpNetwork(address, prefix);
    }

    /**
     * Parses a comma-separated list (blanks around the commas allowed).
     *
     * @throws IllegalArgumentException naming the first entry that is wrong, or an empty list
     */
    public static List<IpNetwork> parseList(String text) {
        List<IpNetwork> networks = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            if (part.isBlank()) {
                throw new IllegalArgumentException("'" + text.strip() + "' has an empty entry: list networks separated by commas");
            }
            networks.add(parse(part));
        }
        return List.copyOf(networks);
    }

    /** 4 or 16. */
    public int addressLength() {
        return address.length;
    }

    public int prefixLength() {
        return prefixLength;
    }

    /** A copy of the network address. */
    public byte[] address() {
        return address.clone();
    }

    /**
     * Whether the address of {@code length} bytes (4 or 16) at {@code offset} in {@code bytes} is in this network.
     * No allocation: usable per packet.
     */
    public boolean contains(byte[] bytes, int offset, int length) {
        if (length != address.length) {
            return false;
        }
        int whole = prefixLength >>> 3;
        for (int i = 0; i < whole; i++) {
            if (bytes[offset + i] != address[i]) {
                return false;
            }
        }
        int rest = prefixLength & 7;
        return rest == 0 || ((bytes[offset + whole] ^ address[whole]) & 0xFF00 >>> rest & 0xFF) == 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpNetwork n && n.prefixLength == prefixLength && Arrays.equals(n.address, address);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(address) * 31 + prefixLength;
    }

    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(address).getHostAddress() + "/" + prefixLength;
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // 4 or 16 bytes: always an address
        }
    }
}
