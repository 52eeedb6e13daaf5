package org.alagg.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.alagg.api.IpNetwork;
import org.alagg.api.PayloadType;
import org.junit.jupiter.api.Test;

/** Which peer stands behind an address: the longest prefix, or the peer without networks; read from real packets. */
class AllowedNetworksTest {
    private final DataPath path = new DataPath(problem -> { });
    private final Peer hq = peer("hq");
    private final Peer branch1 = peer("branch1");
    private final Peer branch2 = peer("branch2");
    private final Peer rest = peer("rest");

    private Peer peer(String name) {
        return new Peer(name, Reordering.of(new org.alagg.api.ReorderSettings(1, 0), null), path);
    }

    private static Peer lookup(AllowedNetworks n, String address) throws Exception {
        byte[] a = InetAddress.getByName(address).getAddress();
        return n.lookup(java.util.Arrays.copyOf(a, 16), a.length);
    }

    private AllowedNetworks networks(Peer catchAll) {
        Map<Peer, List<IpNetwork>> m = new LinkedHashMap<>();
        m.put(hq, IpNetwork.parseList("10.0.0.0/8, fd00::/8"));
        m.put(branch1, IpNetwork.parseList("10.9.1.0/24, fd09:1::/64"));
        m.put(branch2, IpNetwork.parseList("10.9.2.0/24, 10.9.2.128/32, fd09:2::/64"));
        return new AllowedNetworks(m, catchAll);
    }

    @Test
    void theLongestPrefixWinsInBothFamilies() throws Exception {
        AllowedNetworks n = networks(rest);
        assertSame(branch1, lookup(n, "10.9.1.7"));
        assertSame(branch2, lookup(n, "10.9.2.128"));
        assertSame(branch2, lookup(n, "10.9.2.255"));
        assertSame(hq, lookup(n, "10.9.3.1"), "only the /8 holds it");
        assertSame(hq, lookup(n, "10.255.255.255"));
        assertSame(branch1, lookup(n, "fd09:1::1"));
        assertSame(branch2, lookup(n, "fd09:2:0:0:ffff:ffff:ffff:ffff"));
        assertSame(hq, lookup(n, "fd09:3::1"));
        assertSame(rest, lookup(n, "192.0.2.1"), "no network holds it: the peer without networks");
        assertSame(rest, lookup(n, "2001:db8::1"));
        assertSame(rest, n.lookup(new byte[16], 0), "no address at all (a frame that is not IP)");
        assertNull(lookup(networks(null), "192.0.2.1"), "no peer takes the rest");
        assertSame(rest, lookup(new AllowedNetworks(Map.of(), rest), "10.9.1.7"), "one peer without networks takes all");
    }

    @Test
    void zeroLengthAndHostPrefixesWork() throws Exception {
        AllowedNetworks n = new AllowedNetworks(Map.of(hq, IpNetwork.parseList("0.0.0.0/0"),
                branch1, IpNetwork.parseList("10.9.1.1/32, ::/0")), null);
        assertSame(hq, lookup(n, "203.0.113.9"));
        assertSame(branch1, lookup(n, "10.9.1.1"));
        assertSame(hq, lookup(n, "10.9.1.2"));
        assertSame(branch1, lookup(n, "2001:db8::1"));
    }

    /** The trie against a linear scan for the longest prefix, over random networks and addresses. */
    @Test
    void agreesWithALinearScan() throws Exception {
        Random random = new Random(13);
        Peer[] peers = {hq, branch1, branch2};
        for (int round = 0; round < 50; round++) {
            Map<Peer, List<IpNetwork>> m = new LinkedHashMap<>();
            List<IpNetwork> all = new java.util.ArrayList<>();
            Map<IpNetwork, Peer> owner = new java.util.HashMap<>();
            for (Peer p : peers) {
                List<IpNetwork> list = new java.util.ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    int prefix = random.nextInt(33);
                    int bits = prefix == 0 ? 0 : random.nextInt(4) << 30 | random.nextInt(1 << 30);
                    bits = prefix == 0 ? 0 : bits & -1 << (32 - prefix);
                    IpNetwork net = IpNetwork.parse(InetAddress.getByAddress(ByteBuffer.allocate(4).putInt(bits).array())
                            .getHostAddress() + "/" + prefix);
                    if (owner.putIfAbsent(net, p) == null) {
                        list.add(net);
                        all.add(net);
                    }
                }
                m.put(p, list);
            }
            AllowedNetworks n = new AllowedNetworks(m, rest);
            for (int i = 0; i < 200; i++) {
                byte[] address = ByteBuffer.allocate(16).putInt(random.nextInt()).array();
                Peer expected = rest;
                int best = -1;
                for (IpNetwork net : all) {
                    if (net.contains(address, 0, 4) && net.prefixLength() > best) {
                        best = net.prefixLength();
                        expected = owner.get(net);
                    }
                }
                assertSame(expected, n.lookup(address, 4), "round " + round + " address " + i);
            }
        }
    }

    @Test
    void addressesAreReadFromIpPacketsAndEthernetFrames() {
        byte[] into = new byte[16];
        ByteBuffer v4 = ByteBuffer.allocate(40).put(0, (byte) 0x45).putInt(12, 0x0A090101).putInt(16, 0x0A090202);
        assertEquals(4, InnerAddress.read(v4, 0, 40, PayloadType.IPV4, false, into));
        assertEquals(0x0A090202, ByteBuffer.wrap(into).getInt(0));
        assertEquals(4, InnerAddress.read(v4, 0, 40, PayloadType.IPV4, true, into));
        assertEquals(0x0A090101, ByteBuffer.wrap(into).getInt(0));
        assertEquals(0, InnerAddress.read(v4, 0, 19, PayloadType.IPV4, false, into), "too short for its destination");
        assertEquals(0, InnerAddress.read(v4, 0, 40, PayloadType.IPV6, true, into), "not the version its type says");
        ByteBuffer v6 = ByteBuffer.allocate(60).put(0, (byte) 0x60).putLong(8, 1).putLong(16, 2).putLong(24, 3).putLong(32, 4);
        assertEquals(16, InnerAddress.read(v6, 0, 60, PayloadType.IPV6, false, into));
        assertEquals(3, ByteBuffer.wrap(into).getLong(0));
        // an ARP request in an 802.1Q-tagged frame: sender 10.9.1.1 asks for 10.9.2.2
        ByteBuffer arp = ByteBuffer.allocate(60).putShort(12, (short) 0x8100).putShort(16, (short) 0x0806);
        arp.putShort(18, (short) 1).putShort(20, (short) 0x0800).put(22, (byte) 6).put(23, (byte) 4)
                .putInt(32, 0x0A090101).putInt(42, 0x0A090202);
        assertEquals(4, InnerAddress.read(arp, 0, 60, PayloadType.ETHERNET, false, into));
        assertEquals(0x0A090202, ByteBuffer.wrap(into).getInt(0));
        assertEquals(4, InnerAddress.read(arp, 0, 60, PayloadType.ETHERNET, true, into));
        assertEquals(0x0A090101, ByteBuffer.wrap(into).getInt(0));
        ByteBuffer lldp = ByteBuffer.allocate(60).putShort(12, (short) 0x88CC);
        assertEquals(0, InnerAddress.read(lldp, 0, 60, PayloadType.ETHERNET, false, into), "no address");
    }
}
