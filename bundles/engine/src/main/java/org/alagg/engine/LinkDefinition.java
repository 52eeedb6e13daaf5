package org.alagg.engine;

import org.alagg.api.InterfaceName;
import org.alagg.api.MacAddress;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.Designate;

/**
 * One configured link, made from a factory configuration {@code org.alagg.link~<interface>}. A configuration
 * that names a bad interface or MAC fails here, with the reason in the log, and never reaches the engine.
 */
@Component(configurationPid = "org.alagg.link", configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = LinkDefinition.class)
@Designate(ocd = LinkConfig.class, factory = true)
public final class LinkDefinition {
    private final String interfaceName;
    private final MacAddress peer;
    private final String origin;

    @Activate
    public LinkDefinition(LinkConfig config) {
        this.interfaceName = InterfaceName.check(config.interface$());
        this.peer = MacAddress.parseUnicast(config.peer());
        this.origin = config.alagg_origin();
    }

    String interfaceName() {
        return interfaceName;
    }

    MacAddress peer() {
        return peer;
    }

    String origin() {
        return origin;
    }

    /** What a link's counters are kept under: they come back with a link removed and added again. */
    String countersKey() {
        return interfaceName + " " + peer;
    }
}
