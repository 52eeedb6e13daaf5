package org.alagg.engine;

import org.alagg.api.PayloadType;
import org.alagg.protocol.PayloadProtocol;

/** What a packet carries, as the API names it and as the wire format codes it. */
final class Payloads {
    private Payloads() {
    }

    static PayloadProtocol onWire(PayloadType type) {
        switch (type) {
            case IPV4: return PayloadProtocol.IPV4;
            case IPV6: return PayloadProtocol.IPV6;
            case ETHERNET: return PayloadProtocol.ETHERNET;
            default: throw new IllegalArgumentException("no wire code for " + type);
        }
    }

    /** The payload of a DATA frame; never NONE, which the decoder refuses for DATA. */
    static PayloadType fromWire(PayloadProtocol protocol) {
        switch (protocol) {
            case IPV4: return PayloadType.IPV4;
            case IPV6: return PayloadType.IPV6;
            case ETHERNET: return PayloadType.ETHERNET;
            default: throw new IllegalArgumentException("a DATA frame cannot carry " + protocol);
        }
    }

    /** The packet type of a payload protocol code (a repaired packet's, {@link FecRepair}); null when no packet has it. */
    static PayloadType fromCode(int code) {
        if (code == PayloadProtocol.IPV4.code()) {
            return PayloadType.IPV4;
        }
        if (code == PayloadProtocol.IPV6.code()) {
            return PayloadType.IPV6;
        }
        return code == PayloadProtocol.ETHERNET.code() ? PayloadType.ETHERNET : null;
    }
}
