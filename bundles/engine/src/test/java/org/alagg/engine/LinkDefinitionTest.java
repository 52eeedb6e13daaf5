package org.alagg.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.Map;

import org.alagg.api.MacAddress;
import org.junit.jupiter.api.Test;

/** A link configuration set directly in Config Admin gets the same checks as a line of the file. */
class LinkDefinitionTest {
    static LinkConfig config(String ifname, String peer) {
        Map<String, Object> values = Map.of("interface$", ifname, "peer", peer, "alagg_origin", "test", "weight", 0, "tier", 0);
        return (LinkConfig) Proxy.newProxyInstance(LinkConfig.class.getClassLoader(), new Class<?>[] {LinkConfig.class},
                (proxy, method, args) -> values.get(method.getName()));
    }

    @Test
    void aGoodConfigurationMakesALink() {
        LinkDefinition link = new LinkDefinition(config("eth1", "02:00:00:00:01:02"));
        assertEquals("eth1", link.interfaceName());
        assertEquals(MacAddress.parse("02:00:00:00:01:02"), link.peer());
        assertEquals("test", link.origin());
    }

    @Test
    void badValuesAreRefusedWithTheReason() {
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                () -> new LinkDefinition(config("a-very-long-ifname", "02:00:00:00:01:02")));
        assertTrue(tooLong.getMessage().contains("too long"), tooLong.getMessage());
        IllegalArgumentException multicast = assertThrows(IllegalArgumentException.class,
                () -> new LinkDefinition(config("eth1", "ff:ff:ff:ff:ff:ff")));
        assertTrue(multicast.getMessage().contains("multicast"), multicast.getMessage());
    }
}
