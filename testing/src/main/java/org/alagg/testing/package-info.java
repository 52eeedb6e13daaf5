/**
 * Test support for tests that need root and a real kernel network: {@link org.alagg.testing.RequiresRoot}
 * (skip when not root, fail instead when {@code CI=true}), {@link org.alagg.testing.RootAssumptions}, and
 * {@link org.alagg.testing.TestNetwork}, throw-away network namespaces with veth pairs that are always removed, and
 * {@link org.alagg.testing.SdkWorkspace}, plugin projects generated from the SDK and built outside the project.
 */
@Export
@Version("1.2.0")
package org.alagg.testing;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
