package org.alagg.nfqueue;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(id = NfqueueInterceptor.PID, name = "Alagg NFQUEUE capture",
        description = "The netfilter queue the nfqueue capture mode binds; iptables/ip6tables rules send packets to it"
                + " (docs/nfqueue.md)")
@interface NfqueueConfig {
    @AttributeDefinition(description = "Queue number, as in the rule's --queue-num", min = "0", max = "65535")
    int queue() default 0;

    @AttributeDefinition(name = "Queue length", min = "1",
            description = "Packets the kernel holds for Alagg before it drops them (or accepts them, with fail.open)")
    int queue_maxlen() default 4096;

    @AttributeDefinition(description = "Mark (SO_MARK) of the packets Alagg delivers on this host, in decimal"
            + " (41385 = 0xa1a9); the capture rule skips it with -m mark ! --mark <mark>. Not 0")
    int mark() default 0xA1A9;

    @AttributeDefinition(name = "Fail open",
            description = "When the queue is full, let the kernel send packets on as if Alagg were not there"
                    + " instead of dropping them")
    boolean fail_open() default false;

    @AttributeDefinition(name = "Managed destinations", required = false,
            description = "Comma-separated networks (10.9.1.0/24, fd09:1::/64) for which Alagg itself adds the firewall"
                    + " rules (a chain of its own) and the routes (through lo, with the links' MTU) while the queue is"
                    + " bound, and removes them after; empty: the rules are the operator's (docs/nfqueue.md)")
    String destinations() default "";

    @AttributeDefinition(name = "Managed FORWARD",
            description = "With destinations: capture forwarded packets for them too (a jump from FORWARD)")
    boolean forward() default false;
}
