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

    @AttributeDefinition(description = "Which links each packet leaves by: redundant (every link that is up, the engine's own) or an installed alagg.scheduler plugin's name")
    String scheduler() default "redundant";

    @AttributeDefinition(description = "Link transport: the alagg.transport name of an installed transport")
    String transport() default "afpacket";

    @AttributeDefinition(description = "Most packets a reordering strategy holds while it waits for a gap", min = "1", max = "65536")
    int reorder_window() default 256;

    @AttributeDefinition(description = "Longest a windowed strategy waits for a gap, in milliseconds; -1: sized from the"
            + " links' measured delay spread", min = "-1")
    long reorder_timeout_ms() default -1;

    @AttributeDefinition(description = "Interval between two probes on each link, in milliseconds; a link nothing is heard on for three intervals is DOWN", min = "10", max = "10000")
    long probe_interval_ms() default 100;

    @AttributeDefinition(description = "Forward error correction: off, k:m (m parity frames after every k DATA frames, k and m 1-20) or auto (chosen from the links' loss)")
    String fec_ratio() default "off";

    @AttributeDefinition(description = "How long a FEC group stays open before its parity goes with fewer frames, in milliseconds", min = "1", max = "1000")
    long fec_timeout_ms() default 5;

    @AttributeDefinition(description = "The residual loss fec.ratio = auto aims at: a percentage (0.1%) or a fraction (0.001)")
    String fec_target_loss() default "0.1%";

    @AttributeDefinition(name = "alagg.origin", description = "Where this configuration came from")
    String alagg_origin() default "";
}
