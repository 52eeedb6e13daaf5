package org.alagg.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.alagg.api.MacAddress;
import org.junit.jupiter.api.Test;

/** What any user may ask about the loopback interface, and the checks before any call. */
class NetworkInterfacesTest {
    @Test
    void loopback() throws Exception {
        int expected = Integer.parseInt(Files.readString(Path.of("/sys/class/net/lo/ifindex")).trim());
        assertEquals(expected, NetworkInterfaces.index("lo"));
        assertEquals(Integer.parseInt(Files.readString(Path.of("/sys/class/net/lo/mtu")).trim()), NetworkInterfaces.mtu("lo"));
        assertEquals(MacAddress.parse("00:00:00:00:00:00"), NetworkInterfaces.mac("lo"));
        assertTrue(NetworkInterfaces.isUp("lo"));
    }

    @Test
    void namesAreCheckedFirst() {
        assertThrows(IllegalArgumentException.class, () -> NetworkInterfaces.index("much-too-long-name0"));
        assertThrows(IllegalArgumentException.class, () -> NetworkInterfaces.mtu(""));
        assertThrows(IllegalArgumentException.class, () -> NetworkInterfaces.isUp("a/b"));
    }

    @Test
    void aMissingInterfaceIsENODEV() {
        LinuxException e = assertThrows(LinuxException.class, () -> NetworkInterfaces.index("alaggnone0"));
        assertEquals(LinuxException.ENODEV, e.errno());
        assertEquals("ioctl(SIOCGIFINDEX, alaggnone0) failed: No such device (ENODEV, errno 19): no such interface",
                e.getMessage());
    }
}
