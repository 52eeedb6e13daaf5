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
import org.osgi.service.metatype.annotations.Designate;

/** Capture mode {@code tun}: IP packets through a TUN device. */
@Component(configurationPid = "org.alagg.interceptor.tun", service = {PacketInterceptor.class, LocalDelivery.class},
        property = Alagg.INTERCEPTOR + "=tun")
@Designate(ocd = DeviceConfig.class)
public final class TunInterceptor extends DeviceInterceptor {
    @Activate
    public TunInterceptor(DeviceConfig config, @Reference(service = LoggerFactory.class) Logger log) {
        super(TunDevice.Mode.TUN, config, log);
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
