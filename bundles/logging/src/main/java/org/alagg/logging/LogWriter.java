package org.alagg.logging;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;
import org.osgi.service.log.admin.LoggerAdmin;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The one place Alagg's log becomes text: every entry of the OSGi Log Service, from Alagg's bundles and
 * from the framework's own (SCR, Config Admin, FileInstall), as one line on standard error, tagged with the
 * instance name so two instances on one host can be told apart.
 */
@Component(immediate = true, configurationPid = "org.alagg.logging")
@Designate(ocd = LogConfig.class)
public final class LogWriter implements LogListener {
    /** Framework property with the instance name, set by the launcher. */
    static final String INSTANCE_PROPERTY = "alagg.instance";

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

    private final LogReaderService reader;
    private final LoggerAdmin loggerAdmin;
    private final PrintStream out = System.err;
    private final String instance;
    private volatile LogLevel threshold;

    @Activate
    public LogWriter(BundleContext context, @Reference LogReaderService reader, @Reference LoggerAdmin loggerAdmin,
                     LogConfig config) {
        this.reader = reader;
        this.loggerAdmin = loggerAdmin;
        this.instance = Objects.requireNonNullElse(context.getProperty(INSTANCE_PROPERTY), "alagg");
        setLevel(config.level());
        // Entries logged before this bundle started (the log service keeps a history) are written first.
        List<LogEntry> earlier = new ArrayList<>();
        for (Enumeration<LogEntry> e = reader.getLog(); e.hasMoreElements(); ) {
            earlier.add(e.nextElement());
        }
        Collections.reverse(earlier);
        earlier.forEach(this::logged);
        reader.addLogListener(this);
    }

    @Modified
    void modified(LogConfig config) {
        setLevel(config.level());
    }

    /** Loggers drop entries below their level before anyone sees them (WARN by default): set it for all. */
    private void setLevel(LogLevel level) {
        threshold = level;
        loggerAdmin.getLoggerContext(null).setLogLevels(Map.of(org.osgi.service.log.Logger.ROOT_LOGGER_NAME, level));
    }

    @Deactivate
    void stop() {
        reader.removeLogListener(this);
    }

    @Override
    public void logged(LogEntry entry) {
        if (!threshold.implies(entry.getLogLevel()) || isRoutineEvent(entry)) {
            return;
        }
        String line = format(entry);
        synchronized (out) {
            out.print(line);
            out.flush();
        }
    }

    /** The framework logs every bundle and service event; only their failures are worth a line. */
    private boolean isRoutineEvent(LogEntry entry) {
        return entry.getLoggerName() != null && entry.getLoggerName().startsWith("Events.")
                && entry.getLogLevel().ordinal() > LogLevel.WARN.ordinal() && threshold != LogLevel.TRACE;
    }

    String format(LogEntry entry) {
        StringBuilder s = new StringBuilder(160);
        s.append(TIME.format(Instant.ofEpochMilli(entry.getTime()))).append(' ');
        String level = entry.getLogLevel().name();
        s.append(level).append(" ".repeat(Math.max(1, 6 - level.length())));
        s.append('[').append(instance).append("] ");
        s.append(entry.getBundle() == null ? "framework" : entry.getBundle().getSymbolicName()).append(": ");
        s.append(entry.getMessage()).append(System.lineSeparator());
        if (entry.getException() != null) {
            StringWriter trace = new StringWriter();
            entry.getException().printStackTrace(new PrintWriter(trace));
            s.append(trace);
        }
        return s.toString();
    }
}
