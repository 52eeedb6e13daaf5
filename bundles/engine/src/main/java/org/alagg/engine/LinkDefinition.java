package org.alagg.engine;

import org.alagg.api.Alagg;
import org.alagg.api.InterfaceName;
import org.alagg.api.MacAddress;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;

/**
 * One configured link, made from a factory configuration {@code org.alagg.link~<interface>} (a link of the default
 * peer) or {@code org.alagg.link~<peer>.<interface>} (one with {@code peer.name}). A configuration
 * that names a bad interface or MAC fails here, with the reason in the log, and never reaches the engine. A changed
 * configuration is taken in place ({@link Modified}): the engine keeps the link running when only its weight or tier
 * changed, and reopens it when its interface, peer MAC or peer changed (a bad change is refused here and the link
 * keeps the configuration it has).
 */
@Component(configurationPid = "org.alagg.link", configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = LinkDefinition.class)
@Designate(ocd = LinkConfig.class, factory = true)
public final class LinkDefinition {
    private record Settings(String interfaceName, MacAddress peer, String peerName, String origin, int weight, int tier) {
    }

    private volatile Settings settings;

    @Activate
    public LinkDefinition(LinkConfig config) {
        modified(config);
    }

    @Modified
    void modified(LinkConfig config) {
        String name = config.peer_name();
        settings = new Settings(InterfaceName.check(config.interface$()), MacAddress.parseUnicast(config.peer()),
                name == null || name.isEmpty() ? Alagg.DEFAULT_PEER : Alagg.checkPeerName(name), config.alagg_origin(),
                checkRange("weight", config.weight(), Alagg.MAX_LINK_WEIGHT),
                checkRange("tier", config.tier(), Alagg.MAX_LINK_TIER));
    }

    private static int checkRange(String name, int value, int max) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException("link " + name + " must be 0 to " + max + ", not " + value);
        }
        return value;
    }

    /** The configured weight; 0: estimated by the scheduler. */
    int weight() {
        return settings.weight();
    }

    int tier() {
        return settings.tier();
    }

    String interfaceName() {
        return settings.interfaceName();
    }

    MacAddress peer() {
        return settings.peer();
    }

    /** The name of the peer the link leads to. */
    String peerName() {
        return settings.peerName();
    }

    String origin() {
        return settings.origin();
    }

    /** What a link's counters are kept under: they come back with a link removed and added again (to the same peer). */
    String countersKey() {
        Settings s = settings;
        return s.peerName() + " " + s.interfaceName() + " " + s.peer();
    }
}
