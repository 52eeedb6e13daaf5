package org.alagg.linux.internal;

import java.nio.Buffer;

import com.kenai.jffi.MemoryIO;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/**
 * The loaded C library and what goes with it: errno, addresses of direct buffers. Loaded on first use; a
 * failure names the likely cause (jffi extracts its native stub into {@code java.io.tmpdir}).
 */
public final class Native {
    private Native() {
    }

    private static final class Holder {
        static final LibC LIBC;
        static final Runtime RUNTIME;
        static final MemoryIO MEMORY;

        static {
            try {
                LIBC = LibraryLoader.create(LibC.class).failImmediately().load("c");
                RUNTIME = Runtime.getRuntime(LIBC);
                MEMORY = MemoryIO.getInstance();
            } catch (RuntimeException | LinkageError e) {
                throw new IllegalStateException("cannot bind the C library through jnr-ffi: " + e
                        + " (jffi extracts its native stub into java.io.tmpdir="
                        + System.getProperty("java.io.tmpdir") + ", which must be writable and not mounted noexec)", e);
            }
        }
    }

    /** The C library. */
    public static LibC libc() {
        return Holder.LIBC;
    }

    /** The errno saved by the last call of this thread into {@link #libc()}. */
    public static int errno() {
        return Holder.RUNTIME.getLastError();
    }

    /** The native address of a direct buffer's first byte (not its position). */
    public static long address(Buffer direct) {
        if (!direct.isDirect()) {
            throw new IllegalArgumentException("not a direct buffer");
        }
        return Holder.MEMORY.getDirectBufferAddress(direct);
    }
}
