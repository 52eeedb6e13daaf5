package org.alagg.shell.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

class ControlProtocolTest {
    @Test
    void anAnswerCarriesOutputErrorsAndStatus() throws IOException {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        ControlProtocol.writeResponse(wire, bytes("table\n"), bytes("warning\n"), 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = ControlProtocol.readResponse(new ByteArrayInputStream(wire.toByteArray()), out, err);
        assertEquals(1, status);
        assertEquals("table\n", out.toString(StandardCharsets.UTF_8));
        assertEquals("warning\n", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aRequestIsOneCommandLine() throws IOException {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        ControlProtocol.writeRequest(wire, "alagg:status --json");
        assertEquals("alagg:status --json", ControlProtocol.readRequest(new ByteArrayInputStream(wire.toByteArray())));
    }

    @Test
    void anOversizedRequestIsRefused() {
        byte[] huge = new byte[ControlProtocol.MAX_REQUEST + 1];
        Arrays.fill(huge, (byte) 'x');
        assertThrows(IOException.class, () -> ControlProtocol.readRequest(new ByteArrayInputStream(huge)));
    }

    @Test
    void anAnswerCutShortIsAnError() throws IOException {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        ControlProtocol.writeResponse(wire, bytes("partial"), new byte[0], 0);
        byte[] cut = Arrays.copyOf(wire.toByteArray(), 8);
        assertThrows(EOFException.class, () -> ControlProtocol.readResponse(new ByteArrayInputStream(cut),
                new ByteArrayOutputStream(), new ByteArrayOutputStream()));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
