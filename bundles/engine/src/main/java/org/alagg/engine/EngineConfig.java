package org.alagg.engine;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(id = "org.alagg.engine", name = "Alagg engine",
        description = "What the engine wires together: the capture mode, the reordering strategy and the frame EtherType")
@interface EngineConfig {
    @AttributeDefinition(description = "Name of this instance: names the control socket and the logs; fixed while it runs")
    String instance() default "alagg";

    @AttributeDefinition(description = "Capture mode: the alagg.interceptor name of an installed interceptor (nfqueue, tun, tap)")
    String interceptor() default "nfqueue";

    @AttributeDefinition(description = "Reordering strategy: the alagg.strategy name of an installed strategy (strict, windowed, none)")
    String strategy() default "windowed";

    @AttributeDefinition(description = "EtherType of Alagg frames on the links", min = "1536", max = "65535")
    int ethertype() default 0x88B5;

    @AttributeDefinition(name = "alagg.origin", description = "Where this configuration came from")
    String alagg_origin() default "";
}
