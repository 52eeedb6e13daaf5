package org.alagg.e2e;

import java.io.IOException;

/** A host of a bed: a namespace with application addresses, where clients and servers run. */
public interface Host {
    /** Runs a command in the host's namespace and returns its output (fails on a non-zero exit). */
    String exec(String... command) throws IOException;

    /** Starts a command in the host's namespace; it is killed when the bed closes. */
    Process start(String... command) throws IOException;

    /** The application's IPv4 address on this host. */
    String ipv4();

    /** The application's IPv6 address on this host. */
    String ipv6();
}
