package org.alagg.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.alagg.api.MacAddress;
import org.alagg.testing.RequiresRoot;
import org.alagg.testing.TestNetwork;
import org.junit.jupiter.api.Test;

/** Index, MAC, MTU, transmit queue length and flags of a veth in its own namespace, against what {@code ip} says. */
@RequiresRoot
class NetworkInterfacesRootTest {
    @Test
    void readsAndSetsAVeth() throws Exception {
        try (TestNetwork net = TestNetwork.create()) {
            String a = net.namespace("a");
            String b = net.namespace("b");
            net.veth(a, "l1a", b, "l1b");
            net.exec(a, "ip", "link", "set", "l1a", "address", "02:00:00:00:01:0a");

            String line = net.exec(a, "ip", "-o", "link", "show", "l1a");
            Matcher index = Pattern.compile("^(\\d+): l1a@").matcher(line);
            assertTrue(index.find(), line);
            assertEquals(Integer.parseInt(index.group(1)), (int) NetworkNamespace.call(a, () -> NetworkInterfaces.index("l1a")));
            assertEquals(MacAddress.parse("02:00:00:00:01:0a"), NetworkNamespace.call(a, () -> NetworkInterfaces.mac("l1a")));
            assertEquals(1500, (int) NetworkNamespace.call(a, () -> NetworkInterfaces.mtu("l1a")));
            assertTrue(NetworkNamespace.call(a, () -> NetworkInterfaces.isUp("l1a")));

            NetworkNamespace.call(a, () -> {
                NetworkInterfaces.setMtu("l1a", 1400);
                return null;
            });
            assertTrue(net.exec(a, "ip", "-o", "link", "show", "l1a").contains(" mtu 1400 "));
            assertEquals(1400, (int) NetworkNamespace.call(a, () -> NetworkInterfaces.mtu("l1a")));

            NetworkNamespace.call(a, () -> {
                NetworkInterfaces.setTxQueueLength("l1a", 4321);
                return null;
            });
            assertTrue(net.exec(a, "ip", "-o", "link", "show", "l1a").contains(" qlen 4321"));
            assertEquals(4321, (int) NetworkNamespace.call(a, () -> NetworkInterfaces.txQueueLength("l1a")));

            net.down(a, "l1a");
            assertFalse(NetworkNamespace.call(a, () -> NetworkInterfaces.isUp("l1a")));
            NetworkNamespace.call(a, () -> {
                NetworkInterfaces.setUp("l1a");
                return null;
            });
            assertTrue(NetworkNamespace.call(a, () -> NetworkInterfaces.isUp("l1a")));
            assertTrue(net.exec(a, "ip", "-o", "link", "show", "l1a").matches("(?s).*<[^>]*\\bUP\\b[^>]*>.*"));

            // the namespace's interfaces are not visible from here, nor the other way round
            LinuxException e = assertThrows(LinuxException.class, () -> NetworkInterfaces.index("l1a"));
            assertEquals(LinuxException.ENODEV, e.errno());
            Exception inB = assertThrows(LinuxException.class,
                    () -> NetworkNamespace.call(b, () -> NetworkInterfaces.index("l1a")));
            assertTrue(inB.getMessage().endsWith("no such interface"), inB.getMessage());
        }
    }

    @Test
    void aMissingNamespaceIsNamed() {
        LinuxException e = assertThrows(LinuxException.class,
                () -> NetworkNamespace.call("alagg-t-none", () -> null));
        assertEquals("open(/var/run/netns/alagg-t-none) failed: No such file or directory (ENOENT, errno 2): "
                + "no such network namespace", e.getMessage());
    }
}
