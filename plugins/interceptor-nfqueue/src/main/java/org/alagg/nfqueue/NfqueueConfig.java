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
}
