package org.alagg.engine;

import java.util.HashMap;
import java.util.Map;

import org.alagg.api.Alagg;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.Designate;

/**
 * One configured peer besides the {@link Alagg#DEFAULT_PEER}, made from a factory configuration
 * {@code org.alagg.peer~<name>}. Its values are checked by the engine against the engine configuration they complete
 * ({@link EngineSettings#forPeer}); a configuration that is wrong is refused there, with the reason in status, and the
 * others go on.
 */
@Component(configurationPid = Alagg.PEER_FACTORY_PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = PeerDefinition.class)
@Designate(ocd = PeerConfig.class, factory = true)
public final class PeerDefinition {
    private final String name;
    private final String origin;
    /** The configuration's properties, private ones (the keys) included. */
    private final Map<String, Object> properties;

    @Activate
    public PeerDefinition(Map<String, Object> properties) {
        this.properties = new HashMap<>(properties);
        Object n = properties.get(Alagg.PEER_NAME);
        this.name = n == null ? "" : n.toString();
        Object o = properties.get(Alagg.ORIGIN);
        this.origin = o == null ? "" : o.toString();
    }

    /** The name as configured (the engine checks it). */
    String name() {
        return name;
    }

    String origin() {
        return origin;
    }

    Map<String, Object> properties() {
        return properties;
    }
}
