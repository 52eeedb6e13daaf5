/**
 * The contracts Alagg's bundles and plugins meet through.
 *
 * <p>Data flows capture &rarr; engine &rarr; links &rarr; engine &rarr; delivery:
 * a {@link org.alagg.api.PacketInterceptor} captures packets bound for the peer, the engine
 * wraps each in an Alagg frame and sends it on every {@link org.alagg.api.Link} of a
 * {@link org.alagg.api.LinkTransport}; on the other side the engine discards duplicates, lets a
 * {@link org.alagg.api.ReorderStrategy} put packets back in sequence and hands them to a
 * {@link org.alagg.api.LocalDelivery}. Packets travel in reusable {@link org.alagg.api.PacketBatch}es.
 *
 * <p>A plugin registers one of these services with the naming property given in {@link org.alagg.api.Alagg}
 * and imports nothing but this package.
 */
@Export
@Version("2.3.0")
package org.alagg.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
