package org.alagg.engine;

import org.alagg.api.Alagg;
import org.alagg.api.InterfaceName;
import org.alagg.api.MacAddress;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.Designate;

/**
 * One configured link, made from a factory configuration {@code org.alagg.link~<interface>} (a link of the default
 * peer) or {@code org.alagg.link~<peer>.<interface>} (one with {@code peer.name}). A configuration
 * that names a bad interface or MAC fails here, with the reason in the log, and never reaches the engine.
 */
@Component(configurationPid = "org.alagg.link", configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = LinkDefinition.class)
@Designate(ocd = LinkConfig.class, factory = true)
public final class LinkDefinition {
    private final String interfaceName;
    private final MacAddress peer;
    private final String peerName;
    private final String origin;
    private final int weight;
    private final int tier;

    @Activate
    public LinkDefinition(LinkConfig config) {
        this.interfaceName = InterfaceName.check(config.interface$());
        this.peer = MacAddress.parseUnicast(config.peer());
        String name = config.peer_name();
        this.peerName = name == null || name.isEmpty() ? Alagg.DEFAULT_PEER : Alagg.checkPeerName(name);
        this.origin = config.alagg_origin();
        this.weight = checkRange("weight", config.weight(), Alagg.MAX_LINK_WEIGHT);
        this.tier = checkRange("tier", config.tier(), Alagg.MAX_LINK_TIER);
    }

    private static int checkRange(String name, int value, int max) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException("link " + name + " must be 0 to " + max + ", not " + value);
        }
        return value;
    }

    /** The configured weight; 0: estimated by the scheduler. */
    int weight() {
        return weight;
    }

    int tier() {
        return tier;
    }

    String interfaceName() {
        return interfaceName;
    }

    MacAddress peer() {
        return peer;
    }

    /** The name of the peer the link leads to. */
    String peerName() {
        return peerName;
    }

    String origin() {
        return origin;
    }

    /** What a link's counters are kept under: they come back with a link removed and added again (to the same peer). */
    String countersKey() {
        return peerName + " " + interfaceName + " " + peer;
    }
}
