package org.alagg.shell.view;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void writesNestedValues() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("instance", "east");
        m.put("links", 2);
        m.put("up", true);
        m.put("error", null);
        m.put("names", List.of("strict", "none"));
        m.put("counters", Map.of("lost", 3L));
        assertEquals("{\"instance\":\"east\",\"links\":2,\"up\":true,\"error\":null,\"names\":[\"strict\",\"none\"],"
                + "\"counters\":{\"lost\":3}}", Json.write(m));
    }

    @Test
    void escapesWhatJsonCannotHoldLiterally() {
        assertEquals("\"a\\\"b\\\\c\\nd\\u0001\"", Json.write("a\"b\\c\nd\u0001"));
        assertEquals("[]", Json.write(Arrays.asList()));
    }
}
