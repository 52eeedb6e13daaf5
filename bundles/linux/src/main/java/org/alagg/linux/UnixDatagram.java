package org.alagg.linux;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.alagg.linux.internal.Native;

/**
 * A UNIX-domain datagram socket ({@code AF_UNIX}, {@code SOCK_DGRAM}), which Java's channels do not offer: what
 * systemd's notification protocol ({@code sd_notify}, the socket in {@code NOTIFY_SOCKET}) is spoken over. A path
 * starting with {@code @} is in the abstract namespace, as systemd writes it.
 *
 * @since 2.2
 */
public final class UnixDatagram implements AutoCloseable {
    /** {@code sun_path}'s size in {@code struct sockaddr_un}. */
    private static final int MAX_PATH = 108;

    private final Descriptor fd;

    private UnixDatagram(Descriptor fd) {
        this.fd = fd;
    }

    /** An unbound socket, to send from. */
    public static UnixDatagram open() throws LinuxException {
        return new UnixDatagram(new Descriptor(Sys.socket(Linux.AF_UNIX, Linux.SOCK_DGRAM, 0, "socket(AF_UNIX, SOCK_DGRAM)")));
    }

    /** A socket bound to {@code path}, to receive on; the caller removes a path's file when done. */
    public static UnixDatagram bind(String path) throws LinuxException {
        UnixDatagram socket = open();
        ByteBuffer address = address(path);
        if (Sys.libc().bind(socket.fd.fd(), Native.address(address), address.limit()) < 0) {
            int errno = Native.errno();
            socket.close();
            throw new LinuxException("bind(AF_UNIX, " + path + ")", errno);
        }
        return socket;
    }

    /** Sends one datagram to the socket at {@code path}. */
    public void send(String path, String message) throws LinuxException {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        ByteBuffer data = Structs.allocate(Math.max(1, bytes.length));
        data.put(bytes).flip();
        ByteBuffer address = address(path);
        // connect, then send: a datagram socket may be connected again for each message
        if (Sys.libc().connect(fd.fd(), Native.address(address), address.limit()) < 0) {
            throw new LinuxException("connect(AF_UNIX, " + path + ")", Native.errno());
        }
        if (Sys.libc().send(fd.fd(), Native.address(data), bytes.length, 0) < 0) {
            throw new LinuxException("send(AF_UNIX, " + path + ")", Native.errno());
        }
    }

    /**
     * Receives one datagram, waiting at most {@code timeoutMillis} (at least 1).
     *
     * @return the datagram as UTF-8 text, or null when none came in time
     */
    public String receive(long timeoutMillis) throws LinuxException {
        ByteBuffer timeout = Structs.allocate(16); // struct timeval
        timeout.putLong(0, Math.max(1, timeoutMillis) / 1000).putLong(8, Math.max(1, timeoutMillis) % 1000 * 1000);
        if (Sys.libc().setsockopt(fd.fd(), Linux.SOL_SOCKET, Linux.SO_RCVTIMEO, Native.address(timeout), 16) < 0) {
            throw new LinuxException("setsockopt(SO_RCVTIMEO)", Native.errno());
        }
        ByteBuffer data = Structs.allocate(4096);
        long n = Sys.libc().read(fd.fd(), Native.address(data), data.capacity());
        if (n < 0) {
            int errno = Native.errno();
            if (errno == LinuxException.EAGAIN || errno == LinuxException.EINTR) {
                return null;
            }
            throw new LinuxException("read(AF_UNIX datagram)", errno);
        }
        byte[] bytes = new byte[(int) n];
        data.get(0, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** {@code struct sockaddr_un} for a path; {@code @name}: the abstract namespace (a leading NUL, no trailing one). */
    private static ByteBuffer address(String path) throws LinuxException {
        byte[] name = path.getBytes(StandardCharsets.UTF_8);
        boolean abstractName = path.startsWith("@");
        if (name.length == 0 || name.length >= MAX_PATH) {
            throw new LinuxException("sockaddr_un '" + path + "': 1 to " + (MAX_PATH - 1) + " bytes", LinuxException.EINVAL);
        }
        ByteBuffer address = Structs.allocate(2 + MAX_PATH);
        address.putShort(0, (short) Linux.AF_UNIX);
        address.put(2, name);
        if (abstractName) {
            address.put(2, (byte) 0);
        }
        address.limit(2 + name.length + (abstractName ? 0 : 1));
        return address;
    }

    @Override
    public void close() {
        fd.close();
    }
}
