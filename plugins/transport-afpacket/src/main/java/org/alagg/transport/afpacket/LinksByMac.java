package org.alagg.transport.afpacket;

import java.util.Arrays;
import java.util.StringJoiner;

/**
 * The links of one interface by their peer's MAC: which link a received frame belongs to. Immutable: a link that
 * opens or closes makes a new table (under the transport's lock), which the ingress thread reads without a lock.
 * {@link #find} is a binary search over the MACs, sorted as {@link org.alagg.api.MacAddress#toLong()}: a few
 * comparisons for dozens of links, no allocation.
 */
final class LinksByMac {
    static final LinksByMac EMPTY = new LinksByMac(new long[0], new AfPacketLink[0]);

    /** The peers' MACs in ascending order; {@code links[k]} is the link to {@code macs[k]}. */
    private final long[] macs;
    private final AfPacketLink[] links;

    private LinksByMac(long[] macs, AfPacketLink[] links) {
        this.macs = macs;
        this.links = links;
    }

    /** The link whose peer has {@code mac} ({@link org.alagg.api.MacAddress#toLong()}), or null. */
    AfPacketLink find(long mac) {
        int k = Arrays.binarySearch(macs, mac);
        return k >= 0 ? links[k] : null;
    }

    /** This table and {@code link}, whose peer's MAC must not be in it yet. */
    LinksByMac with(AfPacketLink link) {
        int k = Arrays.binarySearch(macs, link.peerMac());
        if (k >= 0) {
            throw new IllegalArgumentException("peer " + link.peer() + " is link " + links[k].id() + "'s already");
        }
        int at = -k - 1;
        long[] moreMacs = new long[macs.length + 1];
        AfPacketLink[] moreLinks = new AfPacketLink[links.length + 1];
        System.arraycopy(macs, 0, moreMacs, 0, at);
        System.arraycopy(links, 0, moreLinks, 0, at);
        moreMacs[at] = link.peerMac();
        moreLinks[at] = link;
        System.arraycopy(macs, at, moreMacs, at + 1, macs.length - at);
        System.arraycopy(links, at, moreLinks, at + 1, links.length - at);
        return new LinksByMac(moreMacs, moreLinks);
    }

    /** This table without {@code link}; this table when it does not hold it. */
    LinksByMac without(AfPacketLink link) {
        int k = Arrays.binarySearch(macs, link.peerMac());
        if (k < 0 || links[k] != link) {
            return this;
        }
        long[] fewerMacs = new long[macs.length - 1];
        AfPacketLink[] fewerLinks = new AfPacketLink[links.length - 1];
        System.arraycopy(macs, 0, fewerMacs, 0, k);
        System.arraycopy(links, 0, fewerLinks, 0, k);
        System.arraycopy(macs, k + 1, fewerMacs, k, macs.length - k - 1);
        System.arraycopy(links, k + 1, fewerLinks, k, links.length - k - 1);
        return new LinksByMac(fewerMacs, fewerLinks);
    }

    boolean isEmpty() {
        return macs.length == 0;
    }

    /** The links' ids, in the order of their peers' MACs: "0, 3". */
    String ids() {
        StringJoiner ids = new StringJoiner(", ");
        for (AfPacketLink link : links) {
            ids.add(Integer.toString(link.id()));
        }
        return ids.toString();
    }
}
