package org.alagg.linux;

import java.nio.ByteBuffer;

import org.alagg.linux.internal.LibC;
import org.alagg.linux.internal.Native;

/** Set-up calls shared by the classes of this package: each throws a {@link LinuxException} naming itself. */
final class Sys {
    private Sys() {
    }

    static LibC libc() {
        return Native.libc();
    }

    static int socket(int domain, int type, int protocol, String call) throws LinuxException {
        int fd = libc().socket(domain, type | Linux.SOCK_CLOEXEC, protocol);
        if (fd < 0) {
            throw new LinuxException(call, Native.errno());
        }
        return fd;
    }

    /** setsockopt with an int value in native byte order. */
    static void setInt(int fd, int level, int name, int value, String call) throws LinuxException {
        int errno = trySetInt(fd, level, name, value);
        if (errno != 0) {
            throw new LinuxException(call, errno);
        }
    }

    /** setsockopt with an int value in native byte order; returns 0 or the errno. */
    static int trySetInt(int fd, int level, int name, int value) {
        ByteBuffer b = Structs.allocate(4);
        b.putInt(0, value);
        int r = libc().setsockopt(fd, level, name, Native.address(b), 4);
        return r < 0 ? Native.errno() : 0;
    }

    /** getsockopt of an int value. */
    static int getInt(int fd, int level, int name, String call) throws LinuxException {
        ByteBuffer b = Structs.allocate(8);
        b.putInt(4, 4);
        long address = Native.address(b);
        if (libc().getsockopt(fd, level, name, address, address + 4) < 0) {
            throw new LinuxException(call, Native.errno());
        }
        return b.getInt(0);
    }

    /** Large socket buffers: the FORCE options as root, else the ordinary ones (capped by net.core.*mem_max). */
    static void setBuffers(int fd, int bytes) {
        if (trySetInt(fd, Linux.SOL_SOCKET, Linux.SO_RCVBUFFORCE, bytes) != 0) {
            trySetInt(fd, Linux.SOL_SOCKET, Linux.SO_RCVBUF, bytes);
        }
        if (trySetInt(fd, Linux.SOL_SOCKET, Linux.SO_SNDBUFFORCE, bytes) != 0) {
            trySetInt(fd, Linux.SOL_SOCKET, Linux.SO_SNDBUF, bytes);
        }
    }

    static void close(int fd) {
        if (fd >= 0) {
            libc().close(fd);
        }
    }

    static void checkCapacity(int capacity) {
        if (capacity <= 0 || capacity > 1024) {
            throw new IllegalArgumentException("batch capacity " + capacity + ": 1 to 1024 (UIO_MAXIOV)");
        }
    }

    /**
     * The native address of a batch's memory, looked up once per batch instance: a one-entry cache for the
     * (usually single) batch one thread passes to one call site.
     */
    static final class BatchAddress {
        private Object batchMemory;
        private long address;

        long of(org.alagg.api.PacketBatch batch) {
            ByteBuffer memory = batch.memory();
            if (memory != batchMemory) {
                address = Native.address(memory);
                batchMemory = memory;
            }
            return address;
        }
    }
}
