/**
 * The Alagg wire format: the fixed frame header that follows the Ethernet header, the probe
 * body, and 32-bit serial-number arithmetic for sequence numbers.
 *
 * <p>Pure Java, no I/O. Encoding and decoding work on {@link java.nio.ByteBuffer}s (direct
 * buffers are the norm) at absolute indexes and create no objects per frame, so the hot
 * paths can use them in steady state without feeding the garbage collector. The exact
 * layout is specified in {@code docs/protocol.md}.
 */
@Export
@Version("1.3.0")
package org.alagg.protocol;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
