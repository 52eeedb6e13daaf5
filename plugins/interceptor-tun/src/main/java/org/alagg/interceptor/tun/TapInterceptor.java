package org.alagg.interceptor.tun;

import org.alagg.api.Alagg;
import org.alagg.api.LocalDelivery;
import org.alagg.api.PacketInterceptor;
import org.alagg.linux.TunDevice;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/** Capture mode {@code tap}: whole Ethernet frames through a TAP device (a layer-2 segment across the links). */
@Component(configurationPid = "org.alagg.interceptor.tun", service = {PacketInterceptor.class, LocalDelivery.class},
        property = Alagg.INTERCEPTOR + "=tap")
// The PID is designated once, by TunInterceptor: both modes share the device configuration.
public final class TapInterceptor extends DeviceInterceptor {
    @Activate
    public TapInterceptor(DeviceConfig config, @Reference(service = LoggerFactory.class) Logger log) {
        super(TunDevice.Mode.TAP, config, log);
    }

    @Modified
    void modified(DeviceConfig config) {
        configure(config);
    }

    @Deactivate
    void deactivate() {
        close();
    }
}
