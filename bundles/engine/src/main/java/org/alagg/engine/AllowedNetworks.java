package org.alagg.engine;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.alagg.api.IpNetwork;

/**
 * Which peer stands behind an inner address (WireGuard's allowed IPs): the peer whose allowed networks hold it, the
 * longest prefix winning, or else the one peer that configured none (it takes what no other claims). The egress thread
 * asks it for a captured packet's destination, the ingress thread for a received packet's source, which must lead
 * back to the peer it came from.
 *
 * <p>A binary trie per address family, in flat arrays: a lookup walks at most the address's bits, whatever the number
 * of peers, and allocates nothing. Immutable: the engine builds a new one when peers or their networks change.
 */
final class AllowedNetworks {
    static final AllowedNetworks NONE = new AllowedNetworks(Map.of(), null);

    private final Trie v4 = new Trie();
    private final Trie v6 = new Trie();
    private final Peer catchAll;

    /**
     * @param networks each peer's allowed networks; a network given to two peers goes to the later one (the engine
     *                 refuses such a configuration before it builds this)
     * @param catchAll the peer without allowed networks, or null
     */
    AllowedNetworks(Map<Peer, List<IpNetwork>> networks, Peer catchAll) {
        this.catchAll = catchAll;
        networks.forEach((peer, list) -> list.forEach(n -> (n.addressLength() == 4 ? v4 : v6).insert(n, peer)));
        v4.trim();
        v6.trim();
    }

    /** The networks of the peers' trust; the peer with none takes the rest (the engine allows one such peer at most). */
    static AllowedNetworks of(List<Peer> peers) {
        Map<Peer, List<IpNetwork>> networks = new java.util.LinkedHashMap<>();
        Peer catchAll = null;
        for (Peer peer : peers) {
            List<IpNetwork> allowed = peer.trust.allowed();
            if (allowed.isEmpty()) {
                catchAll = catchAll == null ? peer : catchAll;
            } else {
                networks.put(peer, allowed);
            }
        }
        return new AllowedNetworks(networks, catchAll);
    }

    /**
     * The peer for the address of {@code length} bytes (4 or 16; 0: the packet has none) at the start of
     * {@code address}: the longest prefix that holds it, or the catch-all peer (null when there is none).
     */
    Peer lookup(byte[] address, int length) {
        Peer found = length == 4 ? v4.lookup(address, 32) : length == 16 ? v6.lookup(address, 128) : null;
        return found != null ? found : catchAll;
    }

    /** The peer that takes what no network holds, or null. */
    Peer catchAll() {
        return catchAll;
    }

    /** Nodes in arrays: node 0 is the root; a child 0 is none (the root is no one's child). */
    private static final class Trie {
        private int[] zero = new int[16];
        private int[] one = new int[16];
        private Peer[] value = new Peer[16];
        private int nodes = 1;

        void insert(IpNetwork network, Peer peer) {
            byte[] address = network.address();
            int node = 0;
            for (int bit = 0; bit < network.prefixLength(); bit++) {
                boolean set = bitAt(address, bit);
                int child = (set ? one : zero)[node];
                if (child == 0) {
                    child = newNode();
                    (set ? one : zero)[node] = child; // after newNode: the arrays may have grown
                }
                node = child;
            }
            value[node] = peer;
        }

        private int newNode() {
            if (nodes == value.length) {
                zero = Arrays.copyOf(zero, nodes * 2);
                one = Arrays.copyOf(one, nodes * 2);
                value = Arrays.copyOf(value, nodes * 2);
            }
            return nodes++;
        }

        void trim() {
            zero = Arrays.copyOf(zero, nodes);
            one = Arrays.copyOf(one, nodes);
            value = Arrays.copyOf(value, nodes);
        }

        Peer lookup(byte[] address, int bits) {
            Peer found = value[0];
            int node = 0;
            for (int bit = 0; bit < bits; bit++) {
                node = bitAt(address, bit) ? one[node] : zero[node];
                if (node == 0) {
                    break;
                }
                if (value[node] != null) {
                    found = value[node];
                }
            }
            return found;
        }

        private static boolean bitAt(byte[] address, int bit) {
            return (address[bit >>> 3] & 0x80 >>> (bit & 7)) != 0;
        }
    }
}
