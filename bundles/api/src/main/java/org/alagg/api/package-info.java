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
 * and imports nothing but this package. It may also report its own counters and status lines
 * ({@link org.alagg.api.PluginReport}) and read its own settings from the configuration PID
 * {@link org.alagg.api.Alagg#pluginPid}.
 *
 * <p>Versions follow OSGi semantic versioning, checked by bnd's baselining in the build: a minor version adds, a
 * major version breaks. A plugin built against 2.x imports {@code [2.x,3)} and runs on every later 2.y.
 */
@Export
@Version("2.6.0")
package org.alagg.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
