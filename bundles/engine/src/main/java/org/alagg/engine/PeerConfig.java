package org.alagg.engine;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(id = "org.alagg.peer", name = "Alagg peer",
        description = "One remote peer besides the default one: its allowed networks, and options that replace the engine's for it; its links are org.alagg.link configurations with its name in peer.name")
@interface PeerConfig {
    @AttributeDefinition(description = "The peer's name: 1-32 letters, digits, '_' or '-'")
    String name();

    @AttributeDefinition(description = "Inner networks behind the peer, comma-separated CIDRs; unset: what no other peer claims (one peer at most)", required = false)
    String allowed();

    @AttributeDefinition(description = "Reordering strategy for this peer; unset: the engine's", required = false)
    String strategy();

    @AttributeDefinition(description = "Link scheduler for this peer; unset: the engine's", required = false)
    String scheduler();

    @AttributeDefinition(description = "Reorder window for this peer; unset: the engine's", required = false, min = "1", max = "65536")
    int reorder_window();

    @AttributeDefinition(description = "Reorder timeout in ms for this peer; unset: the engine's", required = false, min = "0")
    long reorder_timeout_ms();

    @AttributeDefinition(description = "Forward error correction for this peer (off, k:m or auto); unset: the engine's", required = false)
    String fec_ratio();

    @AttributeDefinition(description = "FEC group timeout in ms for this peer; unset: the engine's", required = false, min = "1", max = "1000")
    long fec_timeout_ms();

    @AttributeDefinition(description = "Residual loss fec.ratio = auto aims at for this peer; unset: the engine's", required = false)
    String fec_target_loss();

    @AttributeDefinition(name = "alagg.origin", description = "Where this configuration came from")
    String alagg_origin() default "";
}
