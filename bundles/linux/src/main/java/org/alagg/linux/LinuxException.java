package org.alagg.linux;

import java.io.IOException;

/**
 * A failed system call: names the call, the errno and, where one is known, what to do about it.
 *
 * <p>{@code sendmmsg(AF_PACKET) failed: Operation not permitted (EPERM, errno 1): needs root or CAP_NET_RAW/CAP_NET_ADMIN}
 *
 * <p>Default hints: EPERM and EACCES name the capabilities, ENODEV says there is no such interface. A caller
 * that knows better passes its own hint, e.g. for EBUSY from an NFQUEUE bind: "another program owns queue 3".
 */
public final class LinuxException extends IOException {
    private static final long serialVersionUID = 1L;

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int ENXIO = 6;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int EMSGSIZE = 90;
    public static final int ENOTSOCK = 88;
    public static final int ENOPROTOOPT = 92;
    public static final int ENETDOWN = 100;
    public static final int ENOBUFS = 105;

    /** The hint for EPERM and EACCES when the caller gives none. */
    public static final String CAPABILITY_HINT = "needs root or CAP_NET_RAW/CAP_NET_ADMIN";
    /** The hint for ENODEV when the caller gives none. */
    public static final String NO_SUCH_INTERFACE_HINT = "no such interface";

    private final String call;
    private final int errno;

    /** A failure of {@code call} with {@code errno}, with the default hint for that errno (if any). */
    public LinuxException(String call, int errno) {
        this(call, errno, null);
    }

    /**
     * @param call what failed, e.g. {@code sendmmsg(AF_PACKET)} or {@code ioctl(SIOCGIFINDEX, eth1)}
     * @param errno the error number
     * @param hint what to do about it; {@code null} for the default hint of the errno
     */
    public LinuxException(String call, int errno, String hint) {
        super(message(call, errno, hint));
        this.call = call;
        this.errno = errno;
    }

    /** The call that failed, as named in the message. */
    public String call() {
        return call;
    }

    /** The error number. */
    public int errno() {
        return errno;
    }

    static String message(String call, int errno, String hint) {
        String name = errnoName(errno);
        String h = hint != null ? hint : defaultHint(errno);
        return call + " failed: " + describe(errno) + " (" + (name != null ? name + ", " : "") + "errno " + errno + ")"
                + (h != null && !h.isEmpty() ? ": " + h : "");
    }

    static String defaultHint(int errno) {
        switch (errno) {
            case EPERM:
            case EACCES:
                return CAPABILITY_HINT;
            case ENODEV:
                return NO_SUCH_INTERFACE_HINT;
            default:
                return null;
        }
    }

    /** The symbolic name of an errno ({@code EPERM}), or {@code null} when this table does not know it. */
    public static String errnoName(int errno) {
        int i = indexOf(errno);
        return i < 0 ? null : (String) ERRNOS[i + 1];
    }

    /** The C library's text for an errno ({@code Operation not permitted}), or {@code Unknown error N}. */
    public static String describe(int errno) {
        int i = indexOf(errno);
        return i < 0 ? "Unknown error " + errno : (String) ERRNOS[i + 2];
    }

    private static int indexOf(int errno) {
        for (int i = 0; i < ERRNOS.length; i += 3) {
            if ((Integer) ERRNOS[i] == errno) {
                return i;
            }
        }
        return -1;
    }

    /** errno, name, glibc's strerror text (asm-generic numbers: x86_64 and aarch64). */
    private static final Object[] ERRNOS = {
        1, "EPERM", "Operation not permitted",
        2, "ENOENT", "No such file or directory",
        3, "ESRCH", "No such process",
        4, "EINTR", "Interrupted system call",
        5, "EIO", "Input/output error",
        6, "ENXIO", "No such device or address",
        7, "E2BIG", "Argument list too long",
        9, "EBADF", "Bad file descriptor",
        11, "EAGAIN", "Resource temporarily unavailable",
        12, "ENOMEM", "Cannot allocate memory",
        13, "EACCES", "Permission denied",
        14, "EFAULT", "Bad address",
        16, "EBUSY", "Device or resource busy",
        17, "EEXIST", "File exists",
        19, "ENODEV", "No such device",
        20, "ENOTDIR", "Not a directory",
        22, "EINVAL", "Invalid argument",
        23, "ENFILE", "Too many open files in system",
        24, "EMFILE", "Too many open files",
        25, "ENOTTY", "Inappropriate ioctl for device",
        28, "ENOSPC", "No space left on device",
        32, "EPIPE", "Broken pipe",
        34, "ERANGE", "Numerical result out of range",
        38, "ENOSYS", "Function not implemented",
        61, "ENODATA", "No data available",
        71, "EPROTO", "Protocol error",
        75, "EOVERFLOW", "Value too large for defined data type",
        88, "ENOTSOCK", "Socket operation on non-socket",
        89, "EDESTADDRREQ", "Destination address required",
        90, "EMSGSIZE", "Message too long",
        91, "EPROTOTYPE", "Protocol wrong type for socket",
        92, "ENOPROTOOPT", "Protocol not available",
        93, "EPROTONOSUPPORT", "Protocol not supported",
        94, "ESOCKTNOSUPPORT", "Socket type not supported",
        95, "EOPNOTSUPP", "Operation not supported",
        97, "EAFNOSUPPORT", "Address family not supported by protocol",
        98, "EADDRINUSE", "Address already in use",
        99, "EADDRNOTAVAIL", "Cannot assign requested address",
        100, "ENETDOWN", "Network is down",
        101, "ENETUNREACH", "Network is unreachable",
        103, "ECONNABORTED", "Software caused connection abort",
        104, "ECONNRESET", "Connection reset by peer",
        105, "ENOBUFS", "No buffer space available",
        110, "ETIMEDOUT", "Connection timed out",
        111, "ECONNREFUSED", "Connection refused",
        113, "EHOSTUNREACH", "No route to host",
    };
}
