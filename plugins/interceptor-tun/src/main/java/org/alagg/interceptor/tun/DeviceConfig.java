package org.alagg.interceptor.tun;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(id = "org.alagg.interceptor.tun", name = "Alagg TUN/TAP device",
        description = "The device the tun and tap capture modes create, and what the system routes into it")
@interface DeviceConfig {
    @AttributeDefinition(description = "Device name (at most 15 characters)")
    String name() default "alagg0";

    @AttributeDefinition(description = "Addresses given to the device, comma-separated CIDRs, e.g. 10.9.0.1/24,fd09::1/64")
    String address() default "";

    @AttributeDefinition(description = "Destinations routed into the device, comma-separated CIDRs, e.g. 10.9.1.0/24")
    String route() default "";

    @AttributeDefinition(description = "TUN only: take the kernel's checksum and TCP/UDP segmentation offloads"
            + " (super-packets of up to 64 KiB cut into packets here, received segments joined for the local stack)")
    boolean offload() default true;
}
