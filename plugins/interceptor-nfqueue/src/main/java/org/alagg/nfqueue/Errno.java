package org.alagg.nfqueue;

/** The Linux errno values nfnetlink_queue answers with (asm-generic/errno-base.h, errno.h, linux/errno.h). */
final class Errno {
    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int ESRCH = 3;
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int ENOMEM = 12;
    static final int EACCES = 13;
    static final int EBUSY = 16;
    static final int EEXIST = 17;
    static final int ENODEV = 19;
    static final int EINVAL = 22;
    static final int ENOSPC = 28;
    static final int ERANGE = 34;
    static final int EMSGSIZE = 90;
    static final int EPROTONOSUPPORT = 93;
    static final int EOPNOTSUPP = 95;
    static final int ENOBUFS = 105;
    /** Kernel-internal "not supported" that leaks to user space from nfqnl_recv_config for unknown commands. */
    static final int ENOTSUPP = 524;

    private Errno() {
    }

    /** The symbolic name of an errno, negative or positive, e.g. "EBUSY"; "errno N" when unknown. */
    static String name(int errno) {
        int e = Math.abs(errno);
        switch (e) {
            case EPERM: return "EPERM";
            case ENOENT: return "ENOENT";
            case ESRCH: return "ESRCH";
            case EINTR: return "EINTR";
            case EAGAIN: return "EAGAIN";
            case ENOMEM: return "ENOMEM";
            case EACCES: return "EACCES";
            case EBUSY: return "EBUSY";
            case EEXIST: return "EEXIST";
            case ENODEV: return "ENODEV";
            case EINVAL: return "EINVAL";
            case ENOSPC: return "ENOSPC";
            case ERANGE: return "ERANGE";
            case EMSGSIZE: return "EMSGSIZE";
            case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
            case EOPNOTSUPP: return "EOPNOTSUPP";
            case ENOBUFS: return "ENOBUFS";
            case ENOTSUPP: return "ENOTSUPP";
            default: return "errno " + e;
        }
    }
}
