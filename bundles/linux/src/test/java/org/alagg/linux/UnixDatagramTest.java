package org.alagg.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The datagram socket systemd's notifications travel over: a path, and the abstract namespace. */
class UnixDatagramTest {
    @TempDir
    Path temp;

    @Test
    void sendsDatagramsToABoundPath() throws Exception {
        String path = temp.resolve("notify.sock").toString();
        try (UnixDatagram receiver = UnixDatagram.bind(path); UnixDatagram sender = UnixDatagram.open()) {
            sender.send(path, "READY=1\nSTATUS=forwarding");
            sender.send(path, "WATCHDOG=1");
            assertEquals("READY=1\nSTATUS=forwarding", receiver.receive(1000));
            assertEquals("WATCHDOG=1", receiver.receive(1000));
            assertNull(receiver.receive(50), "nothing more");
        }
    }

    @Test
    void speaksTheAbstractNamespaceAsSystemdWritesIt() throws Exception {
        String name = "@alagg-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        try (UnixDatagram receiver = UnixDatagram.bind(name); UnixDatagram sender = UnixDatagram.open()) {
            sender.send(name, "STOPPING=1");
            assertEquals("STOPPING=1", receiver.receive(1000));
        }
    }

    @Test
    void aSocketNobodyListensOnIsAnErrorNamingIt() throws Exception {
        try (UnixDatagram sender = UnixDatagram.open()) {
            LinuxException e = assertThrows(LinuxException.class, () -> sender.send(temp.resolve("none").toString(), "x"));
            assertEquals(LinuxException.ENOENT, e.errno(), e.getMessage());
        }
    }
}
