package org.alagg.scheduler.hybrid;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

import org.alagg.api.Alagg;
import org.alagg.api.LinkConditions;
import org.alagg.api.LinkScheduler;
import org.alagg.api.PayloadType;
import org.alagg.api.PluginReport;
import org.alagg.api.WeightedSpread;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Link scheduler {@code hybrid}: the packets that need protection more than bandwidth go on every link that carries
 * (UP or DEGRADED, as {@code redundant}), bulk goes on one UP link by weight (as {@code weighted}). A packet is protected when it is small
 * ({@code plugin.hybrid.small.bytes}, default {@value #DEFAULT_SMALL_BYTES}: TCP acknowledgements, DNS, VoIP, games,
 * ping), when its DSCP is one of {@code plugin.hybrid.dscp} (default EF 46, CS6 48, CS7 56: voice and network
 * control), or when it is TCP or UDP to or from one of {@code plugin.hybrid.ports} (default 53, DNS). A lost copy of a
 * protected packet costs nothing while another link carries on; bulk costs its bytes once.
 */
@Component(property = Alagg.SCHEDULER + "=hybrid", configurationPid = "org.alagg.plugin.hybrid")
@Designate(ocd = HybridScheduler.Settings.class)
public final class HybridScheduler implements LinkScheduler, PluginReport {
    static final int DEFAULT_SMALL_BYTES = 256;
    static final String DEFAULT_DSCP = "46, 48, 56";
    static final String DEFAULT_PORTS = "53";

    /** The scheduler's settings: {@code plugin.hybrid.<id> = <value>} in the configuration file. */
    @ObjectClassDefinition(id = "org.alagg.plugin.hybrid", name = "hybrid scheduler")
    public @interface Settings {
        @AttributeDefinition(name = "small.bytes", description = "packets of at most this many bytes go on every link",
                min = "0", max = "65535")
        int small_bytes() default DEFAULT_SMALL_BYTES;

        @AttributeDefinition(name = "dscp", description = "DSCP values (0-63, comma separated) whose packets go on every link")
        String dscp() default DEFAULT_DSCP;

        @AttributeDefinition(name = "ports", description = "TCP and UDP ports (comma separated) whose packets, to or"
                + " from them, go on every link")
        String ports() default DEFAULT_PORTS;
    }

    private static final int TCP = 6;
    private static final int UDP = 17;
    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_IPV6 = 0x86DD;
    private static final int ETHERTYPE_VLAN = 0x8100;
    private static final int ETHERTYPE_QINQ = 0x88A8;

    private final WeightedSpread spread = new WeightedSpread();
    private final int[] healthy = new int[MAX_LINK_ID];
    /** Replaced whole by a configuration change, read by the egress thread. */
    private volatile Rules rules = rules(DEFAULT_SMALL_BYTES, DEFAULT_DSCP, DEFAULT_PORTS);
    private volatile long protectedPackets;
    private volatile long bulkPackets;

    /** Which packets go on every link. */
    record Rules(int smallBytes, boolean[] dscp, boolean[] ports) {
    }

    @Activate
    @Modified
    void configure(Settings settings) {
        configure(settings.small_bytes(), settings.dscp(), settings.ports());
    }

    /**
     * @throws IllegalArgumentException naming the setting and the value that is wrong: the component does not
     *         activate, and the engine sends redundantly and says so in alagg:status
     */
    void configure(int smallBytes, String dscp, String ports) {
        if (smallBytes < 0 || smallBytes > 65535) {
            throw new IllegalArgumentException("plugin.hybrid.small.bytes " + smallBytes + " is out of range 0..65535");
        }
        rules = rules(smallBytes, dscp, ports);
    }

    static Rules rules(int smallBytes, String dscp, String ports) {
        return new Rules(smallBytes, bits(64, dscp, "plugin.hybrid.dscp"), bits(65536, ports, "plugin.hybrid.ports"));
    }

    /** A comma-separated list of numbers below {@code size}, as a set. */
    private static boolean[] bits(int size, String list, String what) {
        boolean[] set = new boolean[size];
        for (String word : list.split(",")) {
            String w = word.strip();
            if (w.isEmpty()) {
                continue;
            }
            int n;
            try {
                n = Integer.parseInt(w);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(what + ": '" + w + "' is not a number");
            }
            if (n < 0 || n >= size) {
                throw new IllegalArgumentException(what + ": " + n + " is out of range 0.." + (size - 1));
            }
            set[n] = true;
        }
        return set;
    }

    @Override
    public int choose(int sequence, PayloadType type, ByteBuffer packet, int length, int[] up, int upCount,
                      LinkConditions links, int[] chosen) {
        if (upCount == 0) {
            return 0;
        }
        if (isProtected(rules, type, packet, length)) { // every link that carries: a DEGRADED one's copy may still arrive
            protectedPackets++;
            System.arraycopy(up, 0, chosen, 0, upCount);
            return upCount;
        }
        int n = WeightedSpread.healthy(up, upCount, links, healthy);
        bulkPackets++;
        chosen[0] = spread.pick(healthy, n, length, links);
        return 1;
    }

    /** Without the packet: by its length only. */
    @Override
    public int choose(int sequence, int length, int[] up, int upCount, LinkConditions links, int[] chosen) {
        return choose(sequence, null, null, length, up, upCount, links, chosen);
    }

    /** Without the links' health (never called by an engine of API 2.2 or later): every link. */
    @Override
    public int choose(int sequence, int length, int[] up, int upCount, int[] chosen) {
        System.arraycopy(up, 0, chosen, 0, upCount);
        return upCount;
    }

    /** Whether the packet goes on every link: small, marked, or to or from a listed port. Reads what is there only. */
    static boolean isProtected(Rules rules, PayloadType type, ByteBuffer packet, int length) {
        if (length <= rules.smallBytes()) {
            return true;
        }
        if (packet == null || type == null) {
            return false;
        }
        int ip = 0;
        int etherType = type.etherType();
        if (type == PayloadType.ETHERNET) {
            ip = 14;
            etherType = length >= ip ? packet.getShort(12) & 0xFFFF : 0;
            for (int tags = 0; tags < 2 && (etherType == ETHERTYPE_VLAN || etherType == ETHERTYPE_QINQ) && length >= ip + 4; tags++) {
                etherType = packet.getShort(ip + 2) & 0xFFFF;
                ip += 4;
            }
        }
        int protocol;
        int transport;
        if (etherType == ETHERTYPE_IPV4 && length >= ip + 20) {
            if (rules.dscp()[(packet.get(ip + 1) & 0xFF) >>> 2]) {
                return true;
            }
            boolean firstFragment = (packet.getShort(ip + 6) & 0x1FFF) == 0;
            protocol = firstFragment ? packet.get(ip + 9) & 0xFF : -1;
            transport = ip + (packet.get(ip) & 0x0F) * 4;
        } else if (etherType == ETHERTYPE_IPV6 && length >= ip + 40) {
            if (rules.dscp()[(packet.getShort(ip) >>> 6) & 0x3F]) {
                return true;
            }
            protocol = packet.get(ip + 6) & 0xFF; // extension headers are not walked: their packets count as bulk
            transport = ip + 40;
        } else {
            return false;
        }
        if ((protocol != TCP && protocol != UDP) || length < transport + 4) {
            return false;
        }
        boolean[] ports = rules.ports();
        return ports[packet.getShort(transport) & 0xFFFF] || ports[packet.getShort(transport + 2) & 0xFFFF];
    }

    @Override
    public Map<String, Long> counters() {
        return Map.of("protected_packets", protectedPackets, "bulk_packets", bulkPackets);
    }

    @Override
    public List<String> status() {
        Rules r = rules;
        return List.of("on every link: packets of at most " + r.smallBytes() + " bytes, DSCP " + list(r.dscp())
                + ", ports " + list(r.ports()) + "; the rest by weight");
    }

    private static String list(boolean[] set) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < set.length; i++) {
            if (set[i]) {
                s.append(s.length() == 0 ? "" : ", ").append(i);
            }
        }
        return s.length() == 0 ? "none" : s.toString();
    }
}
