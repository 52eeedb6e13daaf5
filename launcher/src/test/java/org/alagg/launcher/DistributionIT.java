package org.alagg.launcher;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import javax.inject.Inject;

import org.alagg.api.Alagg;
import org.alagg.api.ConfigFileStatus;
import org.alagg.api.InstanceStatus;
import org.alagg.api.ReorderStrategyFactory;
import org.alagg.launcher.fixture.DropInStrategy;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;

/**
 * Boots the distribution's bundle set, with the framework properties the launcher sets, and checks the
 * wiring: every bundle active, every Alagg component satisfied, configuration flowing from the file and
 * from Config Admin to the components, and a plugin dropped into the watched folder starting.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DistributionIT {
    private static final String INSTANCE = "itest";
    private static final String DROP_IN = "alagg.itest.dropin";

    private static final List<String> CONFIG = List.of(
            "instance = " + INSTANCE,
            "link.eth1 = 02:00:00:00:01:02",
            "link.eth2 = 02:00:00:00:02:02",
            "reorder = windowed",
            "peer.allowed = 10.9.0.0/24",
            "[peer branch]", // a second peer, on eth1 too: the peer component has its configuration as well
            "link.eth1 = 02:00:00:00:01:03",
            "allowed = 10.9.1.0/24");

    @Inject
    private BundleContext context;

    @Inject
    private ConfigurationAdmin configAdmin;

    @Inject
    private ServiceComponentRuntime scr;

    @Inject
    private MetaTypeService metatype;

    @Configuration
    public Option[] configuration() throws IOException {
        Path dropIn = Files.createTempFile(Path.of(System.getProperty("alagg.dist", "target/alagg")).getParent(),
                "dropin-strategy", ".jar");
        DropInStrategy.writeBundle(dropIn);
        return Container.distribution(INSTANCE, CONFIG, Map.of(DROP_IN, dropIn.toString()));
    }

    @Test
    public void everyBundleIsActive() {
        List<String> inactive = Arrays.stream(context.getBundles())
                .filter(b -> b.getHeaders().get(Constants.FRAGMENT_HOST) == null && b.getState() != Bundle.ACTIVE)
                .map(b -> b.getSymbolicName() + " (state " + b.getState() + ")")
                .collect(Collectors.toList());
        assertEquals("bundles not active", List.of(), inactive);
        for (String expected : List.of("org.alagg.api", "org.alagg.protocol", "org.alagg.config", "org.alagg.engine",
                "org.alagg.shell", "org.alagg.logging", "org.alagg.metrics", "org.apache.felix.scr",
                "org.apache.felix.configadmin", "org.apache.felix.metatype", "org.apache.felix.fileinstall", "org.apache.felix.gogo.runtime",
                "org.apache.felix.gogo.jline", "org.apache.felix.gogo.command", "org.apache.felix.log")) {
            assertNotNull(expected + " is part of the distribution", installed(expected));
        }
    }

    @Test
    public void everyAlaggComponentIsSatisfiedOnceItsConfigurationExists() {
        await("every Alagg component active or satisfied, with its configuration", () -> unsatisfied().isEmpty());
        ComponentDescriptionDTO links = description("org.alagg.engine.LinkDefinition");
        assertEquals("one link component per link line", 3, scr.getComponentConfigurationDTOs(links).size());
        ComponentDescriptionDTO peers = description("org.alagg.engine.PeerDefinition");
        assertEquals("one peer component per section", 1, scr.getComponentConfigurationDTOs(peers).size());
        await("the engine serves both peers", () -> service(InstanceStatus.class).peers().stream()
                .map(org.alagg.api.PeerStatus::name).toList().equals(List.of("branch", Alagg.DEFAULT_PEER)));
    }

    @Test
    public void everyConfigurableComponentDeclaresItsMetatype() {
        for (Bundle b : alaggBundles()) {
            MetaTypeInformation info = metatype.getMetaTypeInformation(b);
            List<String> declared = new ArrayList<>(Arrays.asList(info.getPids()));
            declared.addAll(Arrays.asList(info.getFactoryPids()));
            for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs(b)) {
                if (!"ignore".equals(d.configurationPolicy)) {
                    for (String pid : d.configurationPid) {
                        if (!pid.equals(d.name)) { // a component named by its class reads no configuration
                            assertTrue(d.name + " has no Metatype OCD for " + pid, declared.contains(pid));
                        }
                    }
                }
            }
        }
    }

    @Test
    public void aConfigAdminChangeReachesTheEngine() throws Exception {
        InstanceStatus engine = service(InstanceStatus.class);
        assertEquals(INSTANCE, engine.instance());
        org.osgi.service.cm.Configuration config = configAdmin.getConfiguration(Alagg.ENGINE_PID, "?");
        var properties = config.getProperties();
        properties.put(Alagg.ENGINE_INTERCEPTOR, "tap");
        config.update(properties);
        await("the engine follows its configuration", () -> "tap".equals(service(InstanceStatus.class).interceptor().configured()));
    }

    @Test
    public void aLiveEditOfTheFileReachesConfigAdmin() throws Exception {
        Path file = Path.of(context.getProperty(Container.FILE));
        ConfigFileStatus status = service(ConfigFileStatus.class);
        assertEquals(file, status.file());

        List<String> edited = new ArrayList<>(CONFIG);
        edited.set(3, "reorder = strict");
        edited.add(4, "link.eth3 = 02:00:00:00:03:02"); // at the top level, before the section
        Files.write(file, edited);
        await("the edited strategy reaches Config Admin", () -> "strict".equals(engineProperty(Alagg.ENGINE_STRATEGY)));
        await("the new link reaches Config Admin", () -> linkConfiguration("eth3") != null);
        await("the new link reaches the engine",
                () -> service(InstanceStatus.class).links().stream().anyMatch(l -> l.link().equals("eth3")));

        List<String> broken = new ArrayList<>(edited);
        broken.set(1, "link.eth1 = 02:00:00:00:01");
        broken.set(3, "reorder = none");
        Files.write(file, broken);
        await("a bad edit is reported", () -> status.error().isPresent());
        String error = status.error().get();
        assertTrue(error, error.startsWith(file + ":2: malformed MAC address '02:00:00:00:01'"));
        assertEquals("the last good configuration stays in force", "strict", engineProperty(Alagg.ENGINE_STRATEGY));
        assertNotNull(linkConfiguration("eth1"));

        Files.write(file, edited);
        await("the fixed file is applied", () -> status.error().isEmpty());
    }

    @Test
    public void aPluginDroppedIntoThePluginsFolderStartsAndRegistersItsService() throws Exception {
        Path home = Path.of(context.getProperty(Container.HOME));
        Path dropped = home.resolve("plugins").resolve("dropin-strategy.jar");
        // whole or not at all, as an operator should drop it: FileInstall may see a jar still being written,
        // install it and then update it, stopping and starting it in between
        Path staged = home.resolve("dropin-strategy.jar.part");
        Files.copy(Path.of(context.getProperty(DROP_IN)), staged, StandardCopyOption.REPLACE_EXISTING);
        Files.move(staged, dropped, StandardCopyOption.ATOMIC_MOVE);
        try {
            await("the dropped strategy registers", () -> strategyFactory(DropInStrategy.NAME) != null);
            await("the dropped bundle is active", () -> installed(DropInStrategy.SYMBOLIC_NAME).getState() == Bundle.ACTIVE);
            await("the engine lists it as installed",
                    () -> service(InstanceStatus.class).strategy().available().contains(DropInStrategy.NAME));
        } finally {
            Files.deleteIfExists(dropped);
        }
        await("removing the jar uninstalls the plugin", () -> installed(DropInStrategy.SYMBOLIC_NAME) == null);
        assertNull(strategyFactory(DropInStrategy.NAME));
    }

    private List<String> unsatisfied() {
        List<String> problems = new ArrayList<>();
        for (Bundle b : alaggBundles()) {
            for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs(b)) {
                var configurations = scr.getComponentConfigurationDTOs(d);
                if (configurations.isEmpty()) {
                    problems.add(d.name + ": no configuration");
                }
                for (ComponentConfigurationDTO c : configurations) {
                    if (c.state != ComponentConfigurationDTO.ACTIVE && c.state != ComponentConfigurationDTO.SATISFIED) {
                        problems.add(d.name + ": state " + c.state + " " + c.failure);
                    }
                }
            }
        }
        return problems;
    }

    private ComponentDescriptionDTO description(String name) {
        return alaggBundles().stream().flatMap(b -> scr.getComponentDescriptionDTOs(b).stream())
                .filter(d -> d.name.equals(name)).findFirst().orElseThrow(() -> new AssertionError("no component " + name));
    }

    private List<Bundle> alaggBundles() {
        return Arrays.stream(context.getBundles()).filter(b -> b.getSymbolicName().startsWith("org.alagg."))
                .filter(b -> !b.getSymbolicName().equals(FrameworkUtil.getBundle(getClass()).getSymbolicName()))
                .collect(Collectors.toList());
    }

    private Bundle installed(String symbolicName) {
        return Arrays.stream(context.getBundles()).filter(b -> symbolicName.equals(b.getSymbolicName())).findFirst().orElse(null);
    }

    private Object engineProperty(String key) {
        try {
            var p = configAdmin.getConfiguration(Alagg.ENGINE_PID, "?").getProperties();
            return p == null ? null : p.get(key);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private org.osgi.service.cm.Configuration linkConfiguration(String ifname) {
        try {
            var found = configAdmin.listConfigurations("(service.pid=" + Alagg.LINK_FACTORY_PID + "~" + ifname + ")");
            return found == null ? null : found[0];
        } catch (IOException | InvalidSyntaxException e) {
            throw new AssertionError(e);
        }
    }

    private ReorderStrategyFactory strategyFactory(String name) {
        try {
            var refs = context.getServiceReferences(ReorderStrategyFactory.class, "(" + Alagg.STRATEGY + "=" + name + ")");
            return refs.isEmpty() ? null : context.getService(refs.iterator().next());
        } catch (InvalidSyntaxException e) {
            throw new AssertionError(e);
        }
    }

    private <T> T service(Class<T> type) {
        return Container.service(context, type);
    }

    private static void await(String what, BooleanSupplier condition) {
        Container.await(what, condition);
    }
}
