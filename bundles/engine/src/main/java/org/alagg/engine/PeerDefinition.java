package org.alagg.engine;

import java.util.Map;

import org.alagg.api.Alagg;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Modified;
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
    /** The configuration's properties, private ones (the keys) included; replaced whole on a change. */
    private volatile Map<String, Object> properties;
    /** Told when the configuration changed (the engine's, once it took the peer). */
    private volatile Runnable changed = () -> { };

    @Activate
    public PeerDefinition(Map<String, Object> properties) {
        this.properties = Map.copyOf(properties);
    }

    /**
     * A changed configuration is taken here, not by a new component: the peer runs on (its epoch, its links, what its
     * strategy holds), and a change the engine refuses leaves it on its last good settings.
     */
    @Modified
    void modified(Map<String, Object> properties) {
        this.properties = Map.copyOf(properties);
        changed.run();
    }

    /** Has {@code listener} told of every change from now on. */
    void onChange(Runnable listener) {
        changed = listener;
    }

    /** The name as configured (the engine checks it). */
    String name() {
        Object n = properties.get(Alagg.PEER_NAME);
        return n == null ? "" : n.toString();
    }

    String origin() {
        Object o = properties.get(Alagg.ORIGIN);
        return o == null ? "" : o.toString();
    }

    Map<String, Object> properties() {
        return properties;
    }
}
