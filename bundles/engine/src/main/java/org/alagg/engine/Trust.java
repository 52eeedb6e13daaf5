package org.alagg.engine;

import java.util.Arrays;
import java.util.List;

import org.alagg.api.IpNetwork;

/**
 * What this side trusts of its peer: the keys its frames must be authenticated with, and the inner source networks
 * it may send from. Immutable; the hot threads make their own per-thread state from it when it changes.
 *
 * @param key the key frames are sent with and accepted under; null: no authentication
 * @param acceptKey a second key accepted on receive (a rotation in progress); null: none
 * @param allowed the inner source networks the peer may use; empty: any
 */
record Trust(byte[] key, byte[] acceptKey, List<IpNetwork> allowed) {
    static final Trust NONE = new Trust(null, null, List.of());

    Trust {
        if (acceptKey != null && key == null) {
            throw new IllegalArgumentException("a key to accept (key.accept) needs a key of its own (key) first");
        }
        key = key == null ? null : key.clone();
        acceptKey = acceptKey == null ? null : acceptKey.clone();
        allowed = List.copyOf(allowed);
    }

    boolean authenticates() {
        return key != null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Trust t && Arrays.equals(t.key, key) && Arrays.equals(t.acceptKey, acceptKey)
                && t.allowed.equals(allowed);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(key) * 31 + allowed.hashCode();
    }

    /** Never the keys: they are secrets. */
    @Override
    public String toString() {
        return (key == null ? "no key" : acceptKey == null ? "a key" : "a key and a key to accept") + ", "
                + (allowed.isEmpty() ? "any source" : "sources " + allowed);
    }
}
