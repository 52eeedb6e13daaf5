#if( $kind == "strategy" )
package ${package};

import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.alagg.api.Alagg;
import org.alagg.api.PluginReport;
import org.alagg.api.ReorderOutput;
import org.alagg.api.ReorderSettings;
import org.alagg.api.ReorderStrategy;
import org.alagg.api.ReorderStrategyFactory;
import org.osgi.service.component.annotations.Component;

/**
 * Reordering strategy {@code ${pluginName}}: delivers every packet as soon as it arrives (the engine has discarded
 * duplicates already), and counts the packets that arrived after one sent later than them.
 *
 * <p>Selected by {@code reorder = ${pluginName}} in the configuration file or {@code alagg:strategy ${pluginName}}. Its
 * counters show in {@code alagg:stats} (it is a {@link PluginReport} too: Declarative Services registers the component
 * under both interfaces, with the same {@code alagg.strategy} property).
 */
@Component(property = Alagg.STRATEGY + "=${pluginName}")
public final class ${className} implements ReorderStrategyFactory, PluginReport {
    // Written by the engine's ingress thread only (every peer's strategy runs on it), read by commands: volatile.
    private volatile long delivered;
    private volatile long outOfOrder;

    @Override
    public ReorderStrategy create(ReorderSettings settings, int nextSequence) {
        return new PeerOrder(nextSequence);
    }

    @Override
    public Map<String, Long> counters() {
        return Map.of("delivered", delivered, "out_of_order", outOfOrder);
    }

    @Override
    public List<String> status() {
        long all = delivered;
        return all == 0 ? List.of() : List.of(String.format(Locale.ROOT, "%.1f %% of %d packets arrived out of order",
                100.0 * outOfOrder / all, all));
    }

    /** One peer's packets: no state but the highest sequence number seen, so nothing to allocate, hold or drain. */
    private final class PeerOrder implements ReorderStrategy {
        private int highest;

        PeerOrder(int nextSequence) {
            highest = nextSequence - 1;
        }

        @Override
        public void accept(int sequence, int packet, long nowNanos, ReorderOutput out) {
            if ((int) (sequence - highest) > 0) { // serial-number arithmetic: sequence numbers wrap at 2^32
                highest = sequence;
            } else {
                outOfOrder++;
            }
            delivered++;
            out.deliver(sequence, packet);
        }

        @Override
        public long deadline() {
            return Long.MAX_VALUE; // no timer wanted
        }

        @Override
        public void expire(long nowNanos, ReorderOutput out) {
        }

        @Override
        public void drain(ReorderOutput out) {
            // nothing held
        }
    }
}
#elseif( $kind == "scheduler" )
package ${package};

import java.util.List;
import java.util.Map;

import org.alagg.api.Alagg;
import org.alagg.api.LinkScheduler;
import org.alagg.api.PluginReport;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Link scheduler {@code ${pluginName}}: each packet goes on the next {@code copies} links in turn (1: round robin;
 * as many as there are links: every link, as the engine's own {@code redundant}).
 *
 * <p>Selected by {@code scheduler = ${pluginName}}. Its setting comes from the configuration file's line
 * {@code plugin.${pluginName}.copies = 2}, through Config Admin (PID {@code org.alagg.plugin.${pluginName}}); the Metatype
 * below lets Alagg check the value when it reads the file. Its counters show in {@code alagg:stats}.
 */
@Component(property = Alagg.SCHEDULER + "=${pluginName}", configurationPid = "org.alagg.plugin.${pluginName}")
@Designate(ocd = ${className}.Settings.class)
public final class ${className} implements LinkScheduler, PluginReport {
    /** The most copies of a packet. */
    static final int MAX_COPIES = 16;

    /** The plugin's settings: {@code plugin.${pluginName}.<id> = <value>} in Alagg's configuration file. */
    @ObjectClassDefinition(id = "org.alagg.plugin.${pluginName}", name = "${pluginName} scheduler")
    public @interface Settings {
        @AttributeDefinition(name = "copies", description = "how many links each packet goes on, in turn", min = "1", max = "16")
        int copies() default 1;
    }

    @Reference(service = LoggerFactory.class)
    private Logger log;

    // Written by a configuration change, read by the egress thread.
    private volatile int copies = 1;
    // The egress thread's own.
    private int next;
    // Written by the egress thread only, read by commands.
    private volatile long packets;
    private volatile long sends;
    private volatile long unsent;

    @Activate
    @Modified
    void configure(Settings settings) {
        copies(settings.copies());
        log.info("${pluginName}: {} cop{} of each packet", copies, copies == 1 ? "y" : "ies");
    }

    /**
     * Sets how many links each packet goes on.
     *
     * @throws IllegalArgumentException when it is outside 1..{@link #MAX_COPIES}: the component does not activate,
     *         the engine falls back to redundant sending and says so in alagg:status
     */
    void copies(int copies) {
        if (copies < 1 || copies > MAX_COPIES) {
            throw new IllegalArgumentException("plugin.${pluginName}.copies " + copies + " is out of range 1.." + MAX_COPIES);
        }
        this.copies = copies;
    }

    @Override
    public int choose(int sequence, int length, int[] up, int upCount, int[] chosen) {
        packets++;
        if (upCount == 0) {
            unsent++;
            return 0;
        }
        int count = Math.min(copies, upCount);
        int first = Integer.remainderUnsigned(next++, upCount);
        for (int i = 0; i < count; i++) {
            chosen[i] = up[(first + i) % upCount];
        }
        sends += count;
        return count;
    }

    @Override
    public Map<String, Long> counters() {
        return Map.of("packets", packets, "sends", sends, "unsent", unsent);
    }

    @Override
    public List<String> status() {
        return List.of(copies + (copies == 1 ? " copy" : " copies") + " of each packet");
    }
}
#elseif( $kind == "transport" )
package ${package};

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.PortUnreachableException;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

import org.alagg.api.Alagg;
import org.alagg.api.Link;
import org.alagg.api.LinkState;
import org.alagg.api.LinkTransport;
import org.alagg.api.MacAddress;
import org.alagg.api.PacketBatch;
import org.alagg.api.PluginReport;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Link transport {@code ${pluginName}}: each link is a UDP flow between this side's address on the link's interface
 * and the peer's address reached over it, on the same port unless the peer's entry gives another, so that Alagg aggregates paths that are routed
 * (two uplinks, two VPNs) rather than Ethernet segments. The peer's MAC in the link lines is not used.
 *
 * <p>Selected by {@code transport = ${pluginName}}. Its settings, from the configuration file through Config Admin
 * (PID {@code org.alagg.plugin.${pluginName}}), checked against the Metatype below when Alagg reads the file:
 * <pre>
 * plugin.${pluginName}.port = 7050
 * plugin.${pluginName}.peers = eth1=192.0.2.2, eth2=198.51.100.2
 * </pre>
 *
 * <p>Threads: {@link #send} on the egress thread, {@link #receive} on the ingress thread (it also registers links
 * opened meanwhile, since a channel cannot join a selector another thread waits in), {@link #open} and
 * {@link Link#close} on any. Neither hot path allocates: connected channels, direct buffers, one selector action.
 */
@Component(property = Alagg.TRANSPORT + "=${pluginName}", configurationPid = "org.alagg.plugin.${pluginName}")
@Designate(ocd = ${className}.Settings.class)
public final class ${className} implements LinkTransport, PluginReport {
    /** Linux errnos the engine counts refusals by. */
    static final int EAGAIN = 11;
    static final int ENETDOWN = 100;
    static final int EMSGSIZE = 90;
    static final int ECONNREFUSED = 111;
    static final int EIO = 5;
    /** How often a link that could not bind (no such interface, or no address on it yet) is tried again. */
    static final long RETRY_NANOS = 1_000_000_000L;

    /** The plugin's settings: {@code plugin.${pluginName}.<id> = <value>} in Alagg's configuration file. */
    @ObjectClassDefinition(id = "org.alagg.plugin.${pluginName}", name = "${pluginName} transport")
    public @interface Settings {
        @AttributeDefinition(name = "port", description = "the UDP port on both sides", min = "1", max = "65535")
        int port() default 7050;

        @AttributeDefinition(name = "peers", description = "the peer's address reached over each interface: eth1=192.0.2.2, eth2=...")
        String peers() default "";
    }

    @Reference(service = LoggerFactory.class)
    private Logger log;

    private final Selector selector;
    private final ConcurrentLinkedQueue<UdpLink> toRegister = new ConcurrentLinkedQueue<>();
    private final Consumer<SelectionKey> readReady = this::read;
    private volatile int port = 7050;
    private volatile Map<String, InetSocketAddress> peers = Map.of();
    /** The open links by id; replaced whole when one opens or closes, read by both hot threads. */
    private volatile UdpLink[] links = new UdpLink[0];
    /** The batch {@link #receive} fills while the selector calls {@link #read}: the ingress thread's own. */
    private PacketBatch filling;
    private long nextRetry;
    /** Set by a configuration change: retry the links that are down at once. */
    private volatile boolean retryNow;
    // Written by one hot thread each, read by commands.
    private volatile long sent;
    private volatile long refused;
    private volatile long received;

    public ${className}() throws IOException {
        selector = Selector.open();
    }

    @Activate
    @Modified
    void configure(Settings settings) {
        configure(settings.port(), settings.peers());
        log.info("${pluginName}: UDP port {}, peers {}", port, peers);
    }

    /**
     * Takes the settings; the links opened from now on use them.
     *
     * @throws IllegalArgumentException naming what is wrong: the component does not activate, and Alagg says the
     *         transport is missing
     */
    void configure(int port, String peers) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("plugin.${pluginName}.port " + port + " is out of range 1..65535");
        }
        Map<String, InetSocketAddress> parsed = new LinkedHashMap<>();
        for (String entry : peers.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            String[] pair = entry.strip().split("=", 2);
            if (pair.length != 2 || pair[0].isBlank()) {
                throw new IllegalArgumentException("plugin.${pluginName}.peers: '" + entry.strip()
                        + "' is not <interface>=<the peer's IP address>[:<its port>]");
            }
            parsed.put(pair[0].strip(), peerAddress(pair[1].strip(), port));
        }
        this.port = port;
        this.peers = Map.copyOf(parsed);
        for (UdpLink link : links) { // a link whose addresses changed binds again at the next retry
            if (link != null) {
                link.unbindIfChanged();
            }
        }
        retryNow = true;
        selector.wakeup();
    }

    /** {@code 192.0.2.2}, {@code 192.0.2.2:7051}, {@code fd00::2} or {@code [fd00::2]:7051}; the port defaults to ours. */
    static InetSocketAddress peerAddress(String text, int port) {
        String host = text;
        int peerPort = port;
        int colon = text.lastIndexOf(':');
        if (text.startsWith("[") && text.contains("]")) {
            host = text.substring(1, text.indexOf(']'));
            String rest = text.substring(text.indexOf(']') + 1);
            peerPort = rest.isEmpty() ? port : number(rest.substring(1), text);
        } else if (colon > 0 && text.indexOf(':') == colon) {
            host = text.substring(0, colon);
            peerPort = number(text.substring(colon + 1), text);
        }
        if (!host.matches("[0-9A-Fa-f.:]+")) {
            throw new IllegalArgumentException("plugin.${pluginName}.peers: '" + text + "' is not an IP address");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), peerPort); // a literal: no name lookup
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("plugin.${pluginName}.peers: '" + text + "' is not an IP address");
        }
    }

    private static int number(String port, String text) {
        if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
            throw new IllegalArgumentException("plugin.${pluginName}.peers: '" + text + "' has no port 1..65535 after ':'");
        }
        return Integer.parseInt(port);
    }

    @Deactivate
    void close() throws IOException {
        for (UdpLink link : links) {
            if (link != null) {
                link.close();
            }
        }
        selector.close();
    }

    @Override
    public Link open(int id, String interfaceName, MacAddress peer, int etherType) {
        UdpLink link = new UdpLink(id, interfaceName, peer);
        link.bind();
        synchronized (this) {
            UdpLink[] next = Arrays.copyOf(links, Math.max(links.length, id + 1));
            next[id] = link;
            links = next;
        }
        toRegister.add(link);
        selector.wakeup();
        return link;
    }

    @Override
    public int send(PacketBatch frames) throws IOException {
        UdpLink[] open = links;
        int left = 0;
        for (int i = 0; i < frames.size(); i++) {
            int id = frames.link(i);
            UdpLink link = id >= 0 && id < open.length ? open[id] : null;
            int errno = link == null ? ENETDOWN : link.send(frames, i);
            if (errno == 0) {
                left++;
            } else {
                frames.refuse(i, errno);
            }
        }
        sent += left;
        refused += frames.size() - left;
        return left;
    }

    @Override
    public int receive(PacketBatch frames, long timeoutNanos) throws IOException {
        for (UdpLink link; (link = toRegister.poll()) != null; ) {
            link.register(selector);
        }
        long now = System.nanoTime();
        if (retryNow || now - nextRetry >= 0) {
            retryNow = false;
            nextRetry = now + RETRY_NANOS;
            for (UdpLink link : links) {
                if (link != null && link.retry()) {
                    link.register(selector);
                }
            }
        }
        int before = frames.size();
        filling = frames;
        if (timeoutNanos <= 0) {
            selector.selectNow(readReady);
        } else {
            selector.select(readReady, Math.max(1, timeoutNanos / 1_000_000));
        }
        filling = null;
        int count = frames.size() - before;
        received += count;
        return count;
    }

    /** The selector's action for a link's channel with datagrams to read. */
    private void read(SelectionKey key) {
        UdpLink link = (UdpLink) key.attachment();
        while (!filling.isFull() && link.read(filling)) {
            // every datagram ready, as far as the batch holds
        }
    }

    @Override
    public void wakeup() {
        selector.wakeup();
    }

    @Override
    public Map<String, Long> counters() {
        return Map.of("datagrams_sent", sent, "datagrams_refused", refused, "datagrams_received", received);
    }

    @Override
    public List<String> status() {
        StringBuilder down = new StringBuilder();
        for (UdpLink link : links) {
            if (link != null && link.state() == LinkState.DOWN) {
                down.append(down.length() == 0 ? "" : "; ").append(link.interfaceName()).append(": ").append(link.stateDetail());
            }
        }
        return down.length() == 0 ? List.of() : List.of("down: " + down);
    }

    /** One link: a UDP channel bound on the interface's address and connected to the peer's. */
    private final class UdpLink implements Link {
        private final int id;
        private final String interfaceName;
        private final MacAddress peer;
        /** Where the channel is connected to and bound at; null while unbound. */
        private volatile InetSocketAddress remote;
        private volatile int localPort;
        private volatile DatagramChannel channel;
        private volatile int mtu;
        private volatile String detail = "";
        private volatile boolean closed;

        UdpLink(int id, String interfaceName, MacAddress peer) {
            this.id = id;
            this.interfaceName = interfaceName;
            this.peer = peer;
        }

        /**
         * Binds to the interface's address of the peer's family and connects, as the settings say now; DOWN with the
         * reason when it cannot (no peer address for the interface yet, no such interface, no address on it).
         */
        synchronized void bind() {
            InetSocketAddress remote = peers.get(interfaceName);
            int localPort = port;
            try {
                if (remote == null) {
                    throw new IOException("no peer address for " + interfaceName + ": give it in plugin.${pluginName}.peers = "
                            + interfaceName + "=<address>, ...");
                }
                NetworkInterface device = NetworkInterface.getByName(interfaceName);
                if (device == null) {
                    throw new IOException("no interface " + interfaceName);
                }
                boolean six = remote.getAddress() instanceof Inet6Address;
                InetAddress local = device.inetAddresses().filter(a -> (a instanceof Inet6Address) == six).findFirst()
                        .orElseThrow(() -> new IOException(interfaceName + " has no IPv" + (six ? 6 : 4) + " address yet"));
                DatagramChannel opened = DatagramChannel.open(six ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
                try {
                    opened.bind(new InetSocketAddress(local, localPort)).connect(remote).configureBlocking(false);
                } catch (IOException e) {
                    opened.close();
                    throw e;
                }
                mtu = device.getMTU() - (six ? 48 : 28); // what a datagram leaves of the interface's MTU
                this.remote = remote;
                this.localPort = localPort;
                channel = opened;
                detail = "";
            } catch (IOException e) {
                detail = e.getMessage();
            }
        }

        /** Closes the channel when the settings now give this link other addresses: the next retry binds anew. */
        synchronized void unbindIfChanged() {
            DatagramChannel c = channel;
            if (c != null && (!Objects.equals(peers.get(interfaceName), remote) || port != localPort)) {
                channel = null;
                detail = "settings changed: binding again";
                try {
                    c.close();
                } catch (IOException e) {
                    detail = "close failed: " + e.getMessage();
                }
            }
        }

        /** Binds again when DOWN and not closed; whether it is up now. */
        boolean retry() {
            if (closed || channel != null) {
                return false;
            }
            bind();
            return channel != null;
        }

        void register(Selector selector) throws IOException {
            DatagramChannel c = channel;
            if (c != null && !closed) {
                c.register(selector, SelectionKey.OP_READ, this);
            }
        }

        /** Sends frame {@code i}; 0, or the errno it is refused with. */
        int send(PacketBatch frames, int i) {
            DatagramChannel c = channel;
            if (c == null || closed) {
                return ENETDOWN;
            }
            try {
                return c.write(frames.packet(i)) > 0 ? 0 : EAGAIN;
            } catch (PortUnreachableException e) {
                return ECONNREFUSED; // the peer's port was closed a moment ago (ICMP): it may be restarting
            } catch (IOException e) {
                return e.getMessage() != null && e.getMessage().contains("too long") ? EMSGSIZE : EIO;
            }
        }

        /** Reads one datagram into the batch; whether there was one. */
        boolean read(PacketBatch into) {
            try {
                int length = channel.read(into.slot(into.size()));
                if (length <= 0) {
                    return false;
                }
                into.commit(length, null, id);
                return true;
            } catch (PortUnreachableException e) {
                return true; // an ICMP error queued on the socket: read on
            } catch (IOException e) {
                detail = "receive failed: " + e.getMessage();
                return false;
            }
        }

        @Override
        public int id() {
            return id;
        }

        @Override
        public String interfaceName() {
            return interfaceName;
        }

        @Override
        public MacAddress peer() {
            return peer;
        }

        @Override
        public LinkState state() {
            return channel != null && !closed ? LinkState.UP : LinkState.DOWN;
        }

        @Override
        public int mtu() {
            return mtu;
        }

        @Override
        public String stateDetail() {
            return closed ? "closed" : detail;
        }

        @Override
        public void close() {
            closed = true;
            synchronized (${className}.this) {
                UdpLink[] next = links.clone();
                if (id < next.length && next[id] == this) {
                    next[id] = null;
                }
                links = next;
            }
            DatagramChannel c = channel;
            if (c != null) {
                try {
                    c.close();
                } catch (IOException e) {
                    detail = "close failed: " + e.getMessage();
                }
            }
        }
    }
}
#end
