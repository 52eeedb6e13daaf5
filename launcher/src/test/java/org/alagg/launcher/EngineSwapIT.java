package org.alagg.launcher;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

import javax.inject.Inject;

import org.alagg.api.Alagg;
import org.alagg.api.InstanceStatus;
import org.alagg.api.LinkState;
import org.alagg.api.LinkStatus;
import org.alagg.api.LinkTransport;
import org.alagg.api.LocalDelivery;
import org.alagg.api.PacketInterceptor;
import org.alagg.launcher.fixture.MemoryParts;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The engine in the distribution, with in-memory capture, wire and delivery: a stream of packets flows
 * while the strategy is switched through Config Admin, the strategy's bundle is stopped and started, and
 * links are added and removed. Nothing may be lost, duplicated or delivered out of order.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class EngineSwapIT {
    private static final int PACKETS = 60_000;

    @Inject
    private BundleContext context;

    @Inject
    private ConfigurationAdmin configAdmin;

    @Configuration
    public Option[] configuration() throws IOException {
        return Container.distribution("swap", List.of(
                "instance = swap",
                "interceptor = memory",
                "transport = memory",
                "reorder = windowed",
                "link.m1 = 02:00:00:00:00:01",
                "link.m2 = 02:00:00:00:00:02"), Map.of());
    }

    @Test
    public void swapsWhileTrafficFlowsLoseDuplicateAndReorderNothing() throws Exception {
        MemoryParts.Source source = new MemoryParts.Source();
        MemoryParts.Sink sink = new MemoryParts.Sink();
        List<ServiceRegistration<?>> registrations = new ArrayList<>();
        registrations.add(context.registerService(LinkTransport.class, new MemoryParts.Wire(5), named(Alagg.TRANSPORT, "memory")));
        registrations.add(context.registerService(PacketInterceptor.class, source, named(Alagg.INTERCEPTOR, "memory")));
        registrations.add(context.registerService(LocalDelivery.class, sink, named(Alagg.INTERCEPTOR, "memory")));
        try {
            InstanceStatus engine = Container.service(context, InstanceStatus.class);
            setEngine(Alagg.ENGINE_INTERCEPTOR, "memory"); // the tests share one container: say what this one needs
            setStrategy("windowed");
            Container.await("two links up", () -> upLinks(engine) == 2);
            Container.await("windowed in use", () -> "windowed".equals(engine.strategy().active()));

            Thread feeder = new Thread(() -> feed(source), "feeder");
            feeder.start();

            setStrategy("strict");
            Container.await("strict in use", () -> "strict".equals(engine.strategy().active()));

            Bundle strict = bundle("org.alagg.reorder.strict");
            strict.stop();
            Container.await("fallback to duplicate discard only", () -> engine.strategy().active() == null);
            strict.start();
            Container.await("strict back", () -> "strict".equals(engine.strategy().active()));

            addLink("m3", "02:00:00:00:00:03");
            Container.await("three links up", () -> upLinks(engine) == 3);
            configAdmin.listConfigurations("(service.pid=" + Alagg.LINK_FACTORY_PID + "~m2)")[0].delete();
            Container.await("m2 gone", () -> engine.links().stream().noneMatch(l -> l.link().equals("m2")));

            setStrategy("windowed");
            Container.await("windowed in use again", () -> "windowed".equals(engine.strategy().active()));

            assertTrue("the swaps happened while the stream flowed", sink.delivered.size() < PACKETS);
            feeder.join();
            Container.await("every packet delivered", () -> sink.delivered.size() >= PACKETS);
            Thread.sleep(200);
            List<Integer> delivered = new ArrayList<>(sink.delivered);
            assertEquals("none lost, none duplicated", PACKETS, delivered.size());
            for (int i = 0; i < delivered.size(); i++) {
                assertEquals("in order", i, (int) delivered.get(i));
            }
            Map<String, Long> counters = engine.counters();
            assertTrue("the second copies were discarded: " + counters, counters.get("discarded") > PACKETS / 2);
        } finally {
            registrations.forEach(ServiceRegistration::unregister);
        }
    }

    @Test
    public void theCaptureModeSwitchesLiveAndNumberingGoesOn() throws Exception {
        MemoryParts.Source first = new MemoryParts.Source();
        MemoryParts.Source second = new MemoryParts.Source();
        MemoryParts.Sink sink = new MemoryParts.Sink();
        List<ServiceRegistration<?>> registrations = new ArrayList<>();
        registrations.add(context.registerService(LinkTransport.class, new MemoryParts.Wire(2), named(Alagg.TRANSPORT, "memory")));
        registrations.add(context.registerService(PacketInterceptor.class, first, named(Alagg.INTERCEPTOR, "memory")));
        registrations.add(context.registerService(LocalDelivery.class, sink, named(Alagg.INTERCEPTOR, "memory")));
        registrations.add(context.registerService(PacketInterceptor.class, second, named(Alagg.INTERCEPTOR, "other")));
        registrations.add(context.registerService(LocalDelivery.class, sink, named(Alagg.INTERCEPTOR, "other")));
        try {
            InstanceStatus engine = Container.service(context, InstanceStatus.class);
            setEngine(Alagg.ENGINE_INTERCEPTOR, "memory");
            Container.await("capturing from the first", () -> "memory".equals(engine.interceptor().active()));
            for (int n = 0; n < 1000; n++) {
                first.pending.add(n);
            }
            Container.await("first half delivered", () -> sink.delivered.size() == 1000);
            setEngine(Alagg.ENGINE_INTERCEPTOR, "other");
            Container.await("capturing from the second", () -> "other".equals(engine.interceptor().active()));
            for (int n = 1000; n < 2000; n++) {
                second.pending.add(n);
            }
            Container.await("second half delivered", () -> sink.delivered.size() == 2000);
            List<Integer> delivered = new ArrayList<>(sink.delivered);
            for (int i = 0; i < delivered.size(); i++) {
                assertEquals("in order across the switch", i, (int) delivered.get(i));
            }
        } finally {
            registrations.forEach(ServiceRegistration::unregister);
        }
    }

    private static void feed(MemoryParts.Source source) {
        for (int n = 0; n < PACKETS; n++) {
            source.pending.add(n);
            if (n % 500 == 0) {
                try {
                    Thread.sleep(5); // about 100 000 packets/s: the swaps happen while the stream flows
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private static Dictionary<String, Object> named(String property, String name) {
        Dictionary<String, Object> p = new Hashtable<>();
        p.put(property, name);
        return p;
    }

    private static long upLinks(InstanceStatus engine) {
        return engine.links().stream().map(LinkStatus::state).filter(s -> s == LinkState.UP).count();
    }

    private void setStrategy(String name) throws IOException {
        setEngine(Alagg.ENGINE_STRATEGY, name);
    }

    private void setEngine(String key, String value) throws IOException {
        org.osgi.service.cm.Configuration c = configAdmin.getConfiguration(Alagg.ENGINE_PID, "?");
        Dictionary<String, Object> p = c.getProperties();
        p.put(key, value);
        c.update(p);
    }

    private void addLink(String ifname, String mac) throws IOException {
        Dictionary<String, Object> p = new Hashtable<>();
        p.put(Alagg.LINK_INTERFACE, ifname);
        p.put(Alagg.LINK_PEER, mac);
        configAdmin.getFactoryConfiguration(Alagg.LINK_FACTORY_PID, ifname, "?").update(p);
    }

    private Bundle bundle(String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("no bundle " + symbolicName);
    }
}
