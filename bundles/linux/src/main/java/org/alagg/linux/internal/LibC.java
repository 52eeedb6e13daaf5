package org.alagg.linux.internal;

import jnr.ffi.annotations.IgnoreError;
import jnr.ffi.types.intptr_t;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;
import jnr.ffi.types.u_int64_t;

/**
 * The C library calls Alagg makes, bound by jnr-ffi. Every pointer is a raw address ({@code long}) into direct
 * memory the caller keeps alive; structures are laid out by hand at absolute offsets. errno is saved after each
 * call (read it with {@link Native#errno()}) except where {@link IgnoreError} says it cannot matter.
 *
 * <p>Not exported: only org.alagg.linux uses it.
 */
public interface LibC {
    int socket(int domain, int type, int protocol);

    int bind(int fd, @intptr_t long address, int addressLength);

    int connect(int fd, @intptr_t long address, int addressLength);

    int setsockopt(int fd, int level, int name, @intptr_t long value, int valueLength);

    int getsockopt(int fd, int level, int name, @intptr_t long value, @intptr_t long valueLength);

    int getsockname(int fd, @intptr_t long address, @intptr_t long addressLength);

    int ioctl(int fd, @u_int64_t long request, @intptr_t long argument);

    int open(String path, int flags);

    @IgnoreError
    int close(int fd);

    @ssize_t
    long read(int fd, @intptr_t long buffer, @size_t long count);

    @ssize_t
    long write(int fd, @intptr_t long buffer, @size_t long count);

    @ssize_t
    long send(int fd, @intptr_t long buffer, @size_t long length, int flags);

    int sendmmsg(int fd, @intptr_t long messages, int count, int flags);

    int recvmmsg(int fd, @intptr_t long messages, int count, int flags, @intptr_t long timeout);

    int ppoll(@intptr_t long fds, @u_int64_t long count, @intptr_t long timeout, @intptr_t long signalMask);

    int eventfd(int initialValue, int flags);

    int epoll_create1(int flags);

    int epoll_ctl(int epfd, int op, int fd, @intptr_t long event);

    int epoll_wait(int epfd, @intptr_t long events, int maxEvents, int timeoutMillis);

    int setns(int fd, int namespaceType);
}
