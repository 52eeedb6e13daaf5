package org.alagg.transport.afpacket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import org.alagg.api.MacAddress;
import org.junit.jupiter.api.Test;

/** The table of an interface's links by peer MAC, without a kernel. */
class LinksByMacTest {
    private final InterfaceSocket on = new InterfaceSocket("eth0", 0x88B5, 0);

    private AfPacketLink link(int id, String peer) {
        return new AfPacketLink(null, id, on, MacAddress.parse(peer));
    }

    @Test
    void findsEachLinkByItsPeersMacWhateverTheOrderTheyCameIn() {
        List<AfPacketLink> links = new ArrayList<>();
        for (int id = 0; id < 40; id++) {
            // high bit of the first octet set for some: a MAC is compared as a positive long
            links.add(link(id, String.format("%02x:00:00:00:%02x:01", id % 2 == 0 ? 0x02 : 0xf2, id)));
        }
        Collections.shuffle(links, new Random(13));
        LinksByMac table = LinksByMac.EMPTY;
        for (AfPacketLink l : links) {
            table = table.with(l);
        }
        for (AfPacketLink l : links) {
            assertSame(l, table.find(l.peerMac()), "link " + l.id());
        }
        assertNull(table.find(MacAddress.parse("02:00:00:00:99:99").toLong()));
        assertNull(table.find(0));

        for (AfPacketLink l : links.subList(0, 20)) {
            table = table.without(l);
        }
        for (int k = 0; k < links.size(); k++) {
            AfPacketLink l = links.get(k);
            assertEquals(k < 20 ? null : l, table.find(l.peerMac()), "link " + l.id());
        }
        for (AfPacketLink l : links.subList(20, 40)) {
            table = table.without(l);
        }
        assertTrue(table.isEmpty());
    }

    @Test
    void aPeerMacOnceAndOnlyItsOwnLinkRemoved() {
        AfPacketLink first = link(1, "02:00:00:00:00:01");
        LinksByMac table = LinksByMac.EMPTY.with(first).with(link(2, "02:00:00:00:00:02"));
        assertThrows(IllegalArgumentException.class, () -> table.with(link(3, "02:00:00:00:00:01")));
        assertSame(table, table.without(link(3, "02:00:00:00:00:01")), "another link to the same MAC is not in it");
        assertEquals("1, 2", table.ids());
        assertEquals("2", table.without(first).ids());
    }
}
