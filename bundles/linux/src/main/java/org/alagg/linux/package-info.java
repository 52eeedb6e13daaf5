/**
 * Alagg's native layer: the Linux system calls the data path needs, bound with jnr-ffi and batched.
 *
 * <p>{@link org.alagg.linux.PacketSocket} (AF_PACKET frames, one socket per link or one for all),
 * {@link org.alagg.linux.NetlinkSocket} (NFQUEUE), {@link org.alagg.linux.TunDevice} (TUN/TAP),
 * {@link org.alagg.linux.RawIpSocket} (local delivery keeping the original source),
 * {@link org.alagg.linux.NetworkInterfaces} (index, MAC, MTU, flags), {@link org.alagg.linux.Poller} (a few fixed
 * descriptors), {@link org.alagg.linux.PollSet} (a changing set of sockets) and
 * {@link org.alagg.linux.NetworkNamespace}. Packets move in
 * {@link org.alagg.api.PacketBatch}es: one system call per batch, no allocation per packet. Failures are
 * {@link org.alagg.linux.LinuxException}s naming the call, the errno and what to do about it.
 *
 * <p>jnr-ffi, jffi and asm are embedded in this bundle and stay private to it; see docs/linux.md.
 */
@Export
@Version("2.2.0")
package org.alagg.linux;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
