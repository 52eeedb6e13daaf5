package org.alagg.testing;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

@RequiresRoot
class TestNetworkRootTest {
    @Test
    void createsNamespacesAndVethAndRemovesThem() throws Exception {
        String a;
        String b;
        try (TestNetwork net = TestNetwork.create()) {
            a = net.namespace("a");
            b = net.namespace("b");
            assertTrue(a.startsWith(TestNetwork.PREFIX + ProcessHandle.current().pid() + "-"), a);
            net.veth(a, "l1a", b, "l1b");
            net.address(a, "l1a", "10.203.0.1/24");
            net.address(b, "l1b", "10.203.0.2/24");
            assertTrue(net.exec(a, "ip", "-o", "link", "show", "l1a").matches("(?s).*<[^>]*\\bUP\\b[^>]*>.*"));
            assertTrue(net.exec(b, "ip", "-o", "addr", "show", "l1b").contains("inet 10.203.0.2/24"));
            assertTrue(net.exec(a, "ip", "-o", "link", "show").contains("l1a@"), "the veth is in a");
            assertFalse(TestNetwork.run("ip", "-o", "link", "show").contains("l1a@"), "and not here");
            assertThrows(IllegalArgumentException.class, () -> net.up("not-mine", "l1a"));
            assertTrue(Files.exists(Path.of("/var/run/netns", a)));
        }
        assertFalse(Files.exists(Path.of("/var/run/netns", a)), a + " was removed");
        assertFalse(Files.exists(Path.of("/var/run/netns", b)), b + " was removed");
    }

    @Test
    void removesEverythingWhenTheTestFails() throws Exception {
        String a = null;
        try (TestNetwork net = TestNetwork.create()) {
            a = net.namespace("a");
            net.exec(a, "false");
        } catch (java.io.IOException expected) {
            assertTrue(expected.getMessage().contains("exit code 1"), expected.getMessage());
        }
        assertFalse(Files.exists(Path.of("/var/run/netns", a)));
    }
}
