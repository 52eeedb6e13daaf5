package org.alagg.shell;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.alagg.shell.control.ControlProtocol;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * The local control socket {@code alagg ctl} talks to: a UNIX domain socket, mode 0600, that runs one Gogo
 * command line per connection and answers with its output and exit status.
 *
 * <p>The values of private configuration properties (names starting with '.', such as the engine's {@code .key})
 * are secrets: where a command prints one ({@code scr:info} lists a component's configuration), the answer
 * carries "(private: not shown)" instead.
 */
@Component(immediate = true)
public final class ControlSocket {
    /** Framework property with the socket's path, set by the launcher ({@code /run/alagg/<instance>.sock}). */
    public static final String PATH_PROPERTY = "alagg.control.socket";
    /** Session variable set in the control socket's sessions (commands that mean something else there look at it). */
    static final String CONTROL_SESSION = "alagg.control";

    private final CommandProcessor processor;
    private final Logger log;
    private final Path path;
    private final ServerSocketChannel server;
    private final ExecutorService workers;
    private final Thread acceptor;

    @Activate
    public ControlSocket(BundleContext context, @Reference CommandProcessor processor,
                         @Reference(service = LoggerFactory.class) Logger log) throws IOException {
        this.processor = processor;
        this.log = log;
        String configured = context.getProperty(PATH_PROPERTY);
        if (configured == null) {
            throw new IllegalStateException("no control socket path: framework property " + PATH_PROPERTY + " is not set");
        }
        path = Path.of(configured);
        server = bind(path);
        // A few commands at once are plenty; a flood of connections queues instead of spawning threads.
        workers = new ThreadPoolExecutor(2, 2, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(64),
                r -> new Thread(r, "alagg-control-command"), new ThreadPoolExecutor.AbortPolicy());
        acceptor = new Thread(this::accept, "alagg-control");
        acceptor.setDaemon(true);
        acceptor.start();
        log.info("Control socket {} ready", path);
    }

    /** Binds under a temporary name and renames once the mode is 0600, so no one else can ever connect. */
    private static ServerSocketChannel bind(Path path) throws IOException {
        Files.createDirectories(path.getParent());
        Path temporary = path.resolveSibling("." + path.getFileName() + "." + ProcessHandle.current().pid());
        Files.deleteIfExists(temporary);
        ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.bind(UnixDomainSocketAddress.of(temporary));
            Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-------"));
            Files.move(temporary, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return channel;
        } catch (IOException e) {
            channel.close();
            Files.deleteIfExists(temporary);
            throw new IOException("cannot open control socket " + path + ": " + e.getMessage(), e);
        }
    }

    @Deactivate
    void close() throws IOException, InterruptedException {
        server.close();
        acceptor.join(2000);
        workers.shutdownNow();
        workers.awaitTermination(2, TimeUnit.SECONDS);
        Files.deleteIfExists(path);
    }

    private void accept() {
        while (server.isOpen()) {
            try {
                SocketChannel client = server.accept();
                try {
                    workers.execute(() -> serve(client));
                } catch (RejectedExecutionException busy) {
                    client.close();
                }
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                log.warn("Control socket {}: accept failed: {}", path, e.getMessage());
            }
        }
    }

    private void serve(SocketChannel client) {
        try (client; InputStream in = Channels.newInputStream(client); OutputStream out = Channels.newOutputStream(client)) {
            String commandLine = ControlProtocol.readRequest(in);
            ByteArrayOutputStream stdout = new ByteArrayOutputStream();
            ByteArrayOutputStream stderr = new ByteArrayOutputStream();
            int status = execute(commandLine, stdout, stderr);
            ControlProtocol.writeResponse(out, hidePrivate(stdout), hidePrivate(stderr), status);
        } catch (IOException e) {
            log.warn("Control socket {}: {}", path, e.getMessage());
        }
    }

    /** Shown instead of a private property's value. */
    static final String HIDDEN = "(private: not shown)";
    /** A property line as {@code scr:info} prints it: {@code   .key<String> = value}. */
    private static final Pattern PRIVATE_LINE = Pattern.compile("(?m)^(\\s*\\.[^\\s<=]+(?:<[^>\\n]*>)?\\s*=\\s*)\\S.*$");
    /** A property in a map or dictionary as Java writes it: {@code {.key=value, instance=east}}. */
    private static final Pattern PRIVATE_ENTRY = Pattern.compile("(?:(?<=[{\\[,\\s])|^)(\\.[\\w.-]+)=(?!\\(private: )[^,}\\]\\s]+");

    /** The output with the values of private configuration properties left out. */
    static byte[] hidePrivate(ByteArrayOutputStream output) {
        return hidePrivate(output.toString(StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
    }

    static String hidePrivate(String text) {
        if (text.indexOf('.') < 0) {
            return text;
        }
        String lines = PRIVATE_LINE.matcher(text).replaceAll("$1" + HIDDEN);
        return PRIVATE_ENTRY.matcher(lines).replaceAll("$1=" + HIDDEN);
    }

    private int execute(String commandLine, OutputStream stdout, OutputStream stderr) {
        PrintStream out = new PrintStream(stdout, true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(stderr, true, StandardCharsets.UTF_8);
        CommandSession session = processor.createSession(InputStream.nullInputStream(), out, err);
        session.put(CONTROL_SESSION, Boolean.TRUE);
        session.put("SCOPE", "gogo:*"); // as in the terminal's shell: gogo:exit before System's exit
        try {
            Object result = session.execute(commandLine);
            if (result != null) {
                out.println(session.format(result, Converter.INSPECT));
            }
            return 0;
        } catch (Exception e) {
            err.println(CommandErrors.describe(processor, commandLine, e));
            return 1;
        } finally {
            session.close();
            out.flush();
            err.flush();
        }
    }
}
