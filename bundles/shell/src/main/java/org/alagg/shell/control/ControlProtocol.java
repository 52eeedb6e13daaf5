package org.alagg.shell.control;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * What {@code alagg ctl} and a running instance say over the control socket.
 *
 * <p>The client sends one command line (UTF-8) and closes its side. The instance answers with frames
 * {@code [type: 1 byte][length: 4 bytes, big-endian][data]}: standard output, standard error, and last the
 * exit status. Shared by the server (shell bundle) and the client (launcher), which embeds this package.
 */
public final class ControlProtocol {
    /** The longest command line accepted. */
    public static final int MAX_REQUEST = 64 * 1024;

    private static final int STDOUT = 1;
    private static final int STDERR = 2;
    private static final int EXIT = 3;

    private ControlProtocol() {
    }

    /** Reads the client's command line, up to {@link #MAX_REQUEST} bytes. */
    public static String readRequest(InputStream in) throws IOException {
        byte[] line = in.readNBytes(MAX_REQUEST + 1);
        if (line.length > MAX_REQUEST) {
            throw new IOException("command line longer than " + MAX_REQUEST + " bytes");
        }
        return new String(line, StandardCharsets.UTF_8).strip();
    }

    /** Sends the command line; the caller then closes its output. */
    public static void writeRequest(OutputStream out, String commandLine) throws IOException {
        out.write(commandLine.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Sends a command's whole answer. */
    public static void writeResponse(OutputStream out, byte[] stdout, byte[] stderr, int exitStatus) throws IOException {
        DataOutputStream data = new DataOutputStream(out);
        writeFrame(data, STDOUT, stdout);
        writeFrame(data, STDERR, stderr);
        writeFrame(data, EXIT, new byte[] {(byte) exitStatus});
        data.flush();
    }

    private static void writeFrame(DataOutputStream out, int type, byte[] data) throws IOException {
        if (data.length == 0) {
            return;
        }
        out.writeByte(type);
        out.writeInt(data.length);
        out.write(data);
    }

    /**
     * Copies an answer's output to {@code stdout} and {@code stderr}.
     *
     * @return the command's exit status
     * @throws EOFException when the instance closed the connection before the exit status
     */
    public static int readResponse(InputStream in, OutputStream stdout, OutputStream stderr) throws IOException {
        DataInputStream data = new DataInputStream(in);
        while (true) {
            int type = data.readUnsignedByte();
            int length = data.readInt();
            if (length < 0 || length > 64 * 1024 * 1024) {
                throw new IOException("malformed answer: frame of " + length + " bytes");
            }
            byte[] body = data.readNBytes(length);
            if (body.length < length) {
                throw new EOFException("answer cut short");
            }
            switch (type) {
                case STDOUT -> stdout.write(body);
                case STDERR -> stderr.write(body);
                case EXIT -> {
                    return body[0] & 0xFF;
                }
                default -> throw new IOException("malformed answer: frame type " + type);
            }
        }
    }
}
