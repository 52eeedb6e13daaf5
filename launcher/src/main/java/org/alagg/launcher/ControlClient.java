package org.alagg.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import org.alagg.shell.control.ControlProtocol;

/** {@code alagg ctl}: runs one command line in a running instance through its control socket. */
final class ControlClient {
    /** Exit status when no instance of that name answers. */
    static final int NOT_RUNNING = 3;

    private ControlClient() {
    }

    /** Runs the command line; returns the command's exit status, or {@link #NOT_RUNNING}. */
    static int run(Path socket, String instance, String commandLine, PrintStream out, PrintStream err) {
        try (SocketChannel channel = connect(socket)) {
            OutputStream request = Channels.newOutputStream(channel);
            ControlProtocol.writeRequest(request, commandLine);
            channel.shutdownOutput();
            InputStream answer = Channels.newInputStream(channel);
            int status = ControlProtocol.readResponse(answer, out, err);
            out.flush();
            err.flush();
            return status;
        } catch (AccessDeniedException e) {
            err.println("alagg: permission denied on " + socket + ": instance '" + instance
                    + "' runs as another user; run alagg ctl as that user");
        } catch (ConnectException | NoSuchFileException e) {
            err.println("alagg: no instance '" + instance + "' is running (" + (Files.exists(socket)
                    ? "control socket " + socket + " does not answer" : "no control socket " + socket) + ")");
        } catch (IOException e) {
            err.println("alagg: talking to instance '" + instance + "' through " + socket + " failed: " + e.getMessage());
        }
        return NOT_RUNNING;
    }

    /** Whether an instance answers on the socket. */
    static boolean answers(Path socket) {
        try (SocketChannel ignored = connect(socket)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static SocketChannel connect(Path socket) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
            return channel;
        } catch (SocketException e) {
            channel.close();
            // The JDK reports these as plain SocketExceptions; give them the types callers can tell apart.
            String message = String.valueOf(e.getMessage());
            if (message.contains("Permission denied")) {
                throw new AccessDeniedException(socket.toString());
            }
            if (message.contains("No such file")) {
                throw new NoSuchFileException(socket.toString());
            }
            if (message.contains("Connection refused")) {
                throw new ConnectException(message);
            }
            throw e;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }
}
