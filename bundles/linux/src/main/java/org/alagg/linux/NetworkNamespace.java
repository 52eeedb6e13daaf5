package org.alagg.linux;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

import org.alagg.linux.internal.Native;

/**
 * Runs code in another network namespace: on a fresh thread that joins the namespace with setns(2) (a
 * per-thread operation, so no other thread is affected). Sockets, devices and interface look-ups made there
 * belong to that namespace for good, whichever thread uses them later. Needs CAP_SYS_ADMIN.
 */
public final class NetworkNamespace {
    private NetworkNamespace() {
    }

    /**
     * Calls {@code task} in the namespace and returns its result; its exception is rethrown as it is.
     *
     * @param namespace a name from {@code ip netns} (a file in /var/run/netns), or an absolute path such as
     *        {@code /proc/<pid>/ns/net}
     */
    public static <T> T call(String namespace, Callable<T> task) throws Exception {
        String path = namespace.startsWith("/") ? namespace : "/var/run/netns/" + namespace;
        if (!namespace.startsWith("/") && (namespace.isEmpty() || namespace.contains("/") || namespace.startsWith("."))) {
            throw new IllegalArgumentException("network namespace name '" + namespace + "'");
        }
        FutureTask<T> future = new FutureTask<>(() -> {
            enter(path);
            return task.call();
        });
        Thread thread = new Thread(future, "netns " + namespace);
        thread.setDaemon(true);
        thread.start();
        try {
            return future.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception) {
                throw (Exception) cause;
            }
            if (cause instanceof Error) {
                throw (Error) cause;
            }
            throw e;
        }
    }

    private static void enter(String path) throws LinuxException {
        int fd = Sys.libc().open(path, Linux.O_RDONLY | Linux.O_CLOEXEC);
        if (fd < 0) {
            int errno = Native.errno();
            throw new LinuxException("open(" + path + ")", errno,
                    errno == LinuxException.ENOENT ? "no such network namespace" : null);
        }
        try {
            if (Sys.libc().setns(fd, Linux.CLONE_NEWNET) < 0) {
                int errno = Native.errno();
                throw new LinuxException("setns(" + path + ", CLONE_NEWNET)", errno,
                        errno == LinuxException.EPERM ? "needs root or CAP_SYS_ADMIN" : null);
            }
        } finally {
            Sys.close(fd);
        }
    }
}
