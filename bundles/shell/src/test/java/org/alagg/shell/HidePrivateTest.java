package org.alagg.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

/** What {@code alagg ctl} answers never carries the value of a private configuration property (a key). */
class HidePrivateTest {
    private static final String KEY = "OHDxA0ZIW59mzC06fL4JWEndQGBKKTJzoj4f8ODiT38=";
    private static final String ACCEPT = "GUo3BYr74aM3yFddAqwgyag4d+AR6onmOdCeChZ0eR4=";

    @Test
    void scrInfoListsPrivatePropertiesWithoutTheirValues() {
        String scrInfo = String.join("\n",
                "Config Props: (5 entries)",
                "  .key<String> = " + KEY,
                "  .key.accept<String> = " + ACCEPT,
                "  alagg.origin<String> = /etc/alagg/alagg.cfg",
                "  peer.allowed<String> = 10.9.1.0/24,fd09:1:0:0:0:0:0:0/64",
                "  service.pid<String> = org.alagg.engine",
                "");
        assertEquals(String.join("\n",
                "Config Props: (5 entries)",
                "  .key<String> = (private: not shown)",
                "  .key.accept<String> = (private: not shown)",
                "  alagg.origin<String> = /etc/alagg/alagg.cfg",
                "  peer.allowed<String> = 10.9.1.0/24,fd09:1:0:0:0:0:0:0/64",
                "  service.pid<String> = org.alagg.engine",
                ""), ControlSocket.hidePrivate(scrInfo));
    }

    @Test
    void aDictionaryAsJavaPrintsItShowsNoPrivateValue() {
        String printed = "{.key=" + KEY + ", instance=east, .key.accept=" + ACCEPT + ", peer.allowed=10.9.1.0/24}";
        assertEquals("{.key=(private: not shown), instance=east, .key.accept=(private: not shown), peer.allowed=10.9.1.0/24}",
                ControlSocket.hidePrivate(printed));
        assertEquals(".key=(private: not shown)", ControlSocket.hidePrivate(".key=" + KEY));
        assertEquals("[.key=(private: not shown)]", ControlSocket.hidePrivate("[.key=" + KEY + "]"));
    }

    @Test
    void everythingElseIsLeftAsItIs() {
        String status = String.join("\n",
                "instance     east",
                "config       /etc/alagg/alagg.cfg, applied 2026-12-01 10:23:10",
                "config error /etc/alagg/alagg.cfg:3: key file ./peer.key is readable by others (mode 0644): chmod 600 it",
                "   3|Active     |    1|Alagg engine (0.1.0.SNAPSHOT)|0.1.0.SNAPSHOT",
                "a.b=c 1.2.3.4=x ../x=y",
                "");
        assertEquals(status, ControlSocket.hidePrivate(status));
        String json = "{\"passed\":12,\"auth_failed\":0}";
        assertEquals(json, ControlSocket.hidePrivate(json));
        assertFalse(ControlSocket.hidePrivate("x\n  .key<String> = " + KEY + "\n").contains(KEY));
    }
}
