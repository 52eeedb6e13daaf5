package org.alagg.logging;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.Collections;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogReaderService;
import org.osgi.service.log.admin.LoggerAdmin;
import org.osgi.service.log.admin.LoggerContext;

class LogWriterTest {
    @SuppressWarnings("unchecked")
    private static <T> T fake(Class<T> type, Map<String, Object> answers) {
        return (T) Proxy.newProxyInstance(LogWriterTest.class.getClassLoader(), new Class<?>[] {type},
                (proxy, method, args) -> answers.get(method.getName()));
    }

    @Test
    void anEntryIsOneLineWithLevelInstanceAndBundle() {
        BundleContext context = fake(BundleContext.class, Map.of("getProperty", "east"));
        LogReaderService reader = fake(LogReaderService.class, Map.of("getLog", Collections.emptyEnumeration()));
        LoggerContext root = fake(LoggerContext.class, Map.of());
        LoggerAdmin admin = fake(LoggerAdmin.class, Map.of("getLoggerContext", root));
        LogConfig config = fake(LogConfig.class, Map.of("level", LogLevel.INFO));
        LogWriter writer = new LogWriter(context, reader, admin, config);

        Bundle bundle = fake(Bundle.class, Map.of("getSymbolicName", "org.alagg.engine"));
        LogEntry entry = fake(LogEntry.class, Map.of("getTime", 0L, "getLogLevel", LogLevel.WARN, "getBundle", bundle,
                "getMessage", "link eth1 is DOWN", "getLoggerName", "org.alagg.engine.Engine"));
        String line = writer.format(entry);
        assertTrue(line.matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} WARN  \\[east\\] org\\.alagg\\.engine: link eth1 is DOWN\\R"),
                line);
    }
}
