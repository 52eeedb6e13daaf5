package org.alagg.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

import org.alagg.api.Alagg;
import org.alagg.api.HotThread;
import org.alagg.api.InstanceStatus;
import org.alagg.api.LinkStatus;
import org.alagg.api.Selection;
import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The commands as Gogo runs them for {@code alagg ctl}: the real command processor picks among the overloads and
 * parses the options, and a failure is an exception (which the control socket turns into exit status 1).
 */
class CommandsTest {
    private final Dictionary<String, Object> engineConfig = new Hashtable<>(Map.of(
            Alagg.ENGINE_STRATEGY, "windowed", Alagg.ENGINE_INTERCEPTOR, "nfqueue", Alagg.ORIGIN, "/etc/alagg.cfg"));
    private final List<Dictionary<String, Object>> updates = new ArrayList<>();
    private final FakeEngine engine = new FakeEngine();
    private final ThreadIOImpl threadIO = new ThreadIOImpl();
    private final CommandProcessorImpl processor = new CommandProcessorImpl(threadIO);

    CommandsTest() {
        threadIO.start();
        Commands commands = new Commands(configAdmin(), engine, null);
        for (String function : List.of("status", "strategy", "interceptor")) {
            processor.addCommand("alagg", commands, function);
        }
    }

    @AfterEach
    void stop() {
        processor.stop();
        threadIO.stop();
    }

    /** What {@code alagg ctl} would print: the output, or the exception's line. */
    private record Answer(boolean failed, String text) {
    }

    private Answer run(String commandLine) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        CommandSession session = processor.createSession(InputStream.nullInputStream(), print, print);
        try {
            Object result = session.execute(commandLine);
            return new Answer(false, result == null ? "" : session.format(result, Converter.INSPECT).toString());
        } catch (Exception e) {
            return new Answer(true, Commands.describe(e));
        } finally {
            session.close();
        }
    }

    @Test
    void aStrategyNoPluginProvidesIsRefusedNamingTheInstalledOnes() {
        Answer answer = run("alagg:strategy bogus");
        assertTrue(answer.failed(), answer::text);
        assertEquals("error: reordering strategy 'bogus' is not installed; installed: none, strict, windowed;"
                + " add --wait to select it anyway and wait for a plugin that provides it", answer.text());
        assertEquals(List.of(), updates, "the configuration was changed");
    }

    @Test
    void anInterceptorNoPluginProvidesIsRefusedToo() {
        Answer answer = run("alagg:interceptor tum");
        assertTrue(answer.failed(), answer::text);
        assertEquals("error: interceptor 'tum' is not installed; installed: nfqueue, tap, tun;"
                + " add --wait to select it anyway and wait for a plugin that provides it", answer.text());
        assertEquals(List.of(), updates);
    }

    @Test
    void aMalformedNameIsRefusedWithTheSharedCheck() {
        IllegalArgumentException shared = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Alagg.checkPluginName("reordering strategy", "Bogus"));
        for (String command : List.of("alagg:strategy Bogus", "alagg:strategy --wait Bogus")) {
            Answer answer = run(command);
            assertTrue(answer.failed(), answer::text);
            assertEquals("error: " + shared.getMessage(), answer.text());
        }
        assertEquals(List.of(), updates);
    }

    @Test
    void anInstalledStrategyIsSelectedThroughConfigAdmin() {
        Answer answer = run("alagg:strategy strict");
        assertEquals(new Answer(false, "reordering strategy: windowed -> strict"), answer);
        assertEquals(1, updates.size());
        assertEquals("strict", updates.get(0).get(Alagg.ENGINE_STRATEGY));
        assertEquals(Commands.ORIGIN, updates.get(0).get(Alagg.ORIGIN));
    }

    @Test
    void withWaitAMissingStrategyIsSelectedAndStatusSaysItWaitsForThePlugin() {
        for (String option : List.of("--wait", "-w")) {
            updates.clear();
            Answer answer = run("alagg:strategy " + option + " bogus");
            assertTrue(!answer.failed(), answer::text);
            assertTrue(answer.text().startsWith("reordering strategy: windowed -> bogus\n"
                    + "waiting for a plugin that provides reordering strategy 'bogus'"), answer::text);
            assertEquals("bogus", updates.get(0).get(Alagg.ENGINE_STRATEGY));
        }
        engine.strategy = new Selection("bogus", null, List.of("none", "strict", "windowed"));

        String table = run("alagg:status").text();
        assertTrue(table.lines().anyMatch(l -> l.matches("strategy\\s+bogus \\(waiting for plugin 'bogus'\\)")), table);
        String json = run("alagg:status --json").text();
        assertTrue(json.contains("\"strategy\":{\"configured\":\"bogus\",\"active\":null,"
                + "\"available\":[\"none\",\"strict\",\"windowed\"],\"waiting\":true}"), json);
        String show = run("alagg:strategy").text();
        assertTrue(show.startsWith("bogus (waiting for plugin 'bogus')\ninstalled: none, strict, windowed"), show);
    }

    @Test
    void theOptionsOfTheShowingOverloadStillWork() {
        Answer json = run("alagg:strategy --json");
        assertEquals(new Answer(false, "{\"configured\":\"windowed\",\"active\":\"windowed\","
                + "\"available\":[\"none\",\"strict\",\"windowed\"],\"waiting\":false}"), json);
        assertEquals(List.of(), updates);
        Answer plain = run("alagg:interceptor");
        assertEquals(new Answer(false, "nfqueue\ninstalled: nfqueue, tap, tun"), plain);
        Answer both = run("alagg:strategy --json strict");
        assertEquals(new Answer(true, "error: --json shows the reordering strategy; it cannot be combined with a name"), both);
        assertEquals(List.of(), updates);
    }

    @Test
    void statusShowsTheHotThreads() {
        engine.threads = List.of(new HotThread("alagg-egress", true, 3, 0),
                new HotThread("alagg-ingress", false, 5200, 2));
        String table = run("alagg:status").text();
        assertTrue(table.lines().anyMatch(l -> l.matches("thread\\s+alagg-egress: alive, last turn 3 ms ago, 0 restarts")), table);
        assertTrue(table.lines().anyMatch(
                l -> l.matches("thread\\s+alagg-ingress: NOT RUNNING, last turn 5200 ms ago, 2 restarts")), table);
        assertTrue(table.lines().anyMatch(l -> l.matches("warning\\s+a warning")), table);

        String json = run("alagg:status --json").text();
        assertTrue(json.contains("\"threads\":[{\"name\":\"alagg-egress\",\"alive\":true,\"last_turn_ms\":3,\"restarts\":0},"
                + "{\"name\":\"alagg-ingress\",\"alive\":false,\"last_turn_ms\":5200,\"restarts\":2}]"), json);
        assertTrue(json.contains("\"warnings\":[\"a warning\"]"), json);
    }

    @Test
    void statusWithoutThreadsHasAnEmptyList() {
        String json = run("alagg:status --json").text();
        assertTrue(json.contains("\"threads\":[]"), json);
    }

    private ConfigurationAdmin configAdmin() {
        Configuration configuration = (Configuration) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {Configuration.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getProperties" -> new Hashtable<>(Map.of(
                            Alagg.ENGINE_STRATEGY, engineConfig.get(Alagg.ENGINE_STRATEGY),
                            Alagg.ENGINE_INTERCEPTOR, engineConfig.get(Alagg.ENGINE_INTERCEPTOR),
                            Alagg.ORIGIN, engineConfig.get(Alagg.ORIGIN)));
                    case "update" -> {
                        @SuppressWarnings("unchecked")
                        Dictionary<String, Object> properties = (Dictionary<String, Object>) args[0];
                        updates.add(properties);
                        yield null;
                    }
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        return (ConfigurationAdmin) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ConfigurationAdmin.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getConfiguration") && Alagg.ENGINE_PID.equals(args[0])) {
                        return configuration;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    private static final class FakeEngine implements InstanceStatus {
        volatile Selection strategy = new Selection("windowed", "windowed", List.of("none", "strict", "windowed"));
        volatile List<HotThread> threads = List.of();

        @Override
        public String instance() {
            return "east";
        }

        @Override
        public Selection interceptor() {
            return new Selection("nfqueue", "nfqueue", List.of("nfqueue", "tap", "tun"));
        }

        @Override
        public Selection strategy() {
            return strategy;
        }

        @Override
        public List<LinkStatus> links() {
            return List.of();
        }

        @Override
        public Map<String, Long> counters() {
            return Map.of();
        }

        @Override
        public List<HotThread> threads() {
            return threads;
        }

        @Override
        public List<String> warnings() {
            return List.of("a warning");
        }
    }
}
