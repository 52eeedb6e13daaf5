package org.alagg.metrics;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(id = "org.alagg.metrics", name = "Alagg metrics endpoint",
        description = "Prometheus metrics and the live page over HTTP (docs/observability.md)")
@interface MetricsConfig {
    @AttributeDefinition(description = "ADDRESS:PORT to listen on, like 127.0.0.1:9464; empty: no endpoint."
            + " Beyond the loopback only with a token")
    String listen() default "";

    /** {@code .token}: private, never shown. */
    @AttributeDefinition(name = ".token", required = false, description = "Bearer token scrapers must send (16 characters"
            + " or more); needed to listen beyond the loopback")
    String _token() default "";
}
