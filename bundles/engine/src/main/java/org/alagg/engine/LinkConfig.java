package org.alagg.engine;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(id = "org.alagg.link", name = "Alagg link",
        description = "One link: a local interface and the peer's MAC address on it")
@interface LinkConfig {
    @AttributeDefinition(description = "Local network interface, e.g. eth1")
    String interface$();

    @AttributeDefinition(description = "The peer's MAC address on that interface, e.g. 02:00:00:00:01:02")
    String peer();

    @AttributeDefinition(description = "The name of the peer the link leads to; unset: the default peer", required = false)
    String peer_name() default "";

    @AttributeDefinition(description = "The link's capacity in Mbit/s (or any unit the peer's other links share), for"
            + " schedulers that spread traffic; 0: estimated from what the link delivers", required = false, min = "0",
            max = "1000000")
    int weight() default 0;

    @AttributeDefinition(description = "The link's tier: 0 is the first choice, 1 is used when no link of tier 0 is up, ...",
            required = false, min = "0", max = "15")
    int tier() default 0;

    @AttributeDefinition(name = "alagg.origin", description = "Where this configuration came from")
    String alagg_origin() default "";
}
