package org.alagg.shell.view;

import java.util.Iterator;
import java.util.Map;

/**
 * Writes the values the commands report (maps, lists, strings, numbers, booleans) as JSON. Shared with the live page
 * of the metrics bundle, which embeds this package.
 */
public final class Json {
    private Json() {
    }

    public static String write(Object value) {
        StringBuilder s = new StringBuilder();
        write(value, s);
        return s.toString();
    }

    private static void write(Object value, StringBuilder s) {
        if (value == null) {
            s.append("null");
        } else if (value instanceof Number || value instanceof Boolean) {
            s.append(value);
        } else if (value instanceof Map<?, ?> map) {
            s.append('{');
            Iterator<? extends Map.Entry<?, ?>> entries = map.entrySet().iterator();
            while (entries.hasNext()) {
                Map.Entry<?, ?> e = entries.next();
                string(String.valueOf(e.getKey()), s);
                s.append(':');
                write(e.getValue(), s);
                if (entries.hasNext()) {
                    s.append(',');
                }
            }
            s.append('}');
        } else if (value instanceof Iterable<?> list) {
            s.append('[');
            Iterator<?> items = list.iterator();
            while (items.hasNext()) {
                write(items.next(), s);
                if (items.hasNext()) {
                    s.append(',');
                }
            }
            s.append(']');
        } else {
            string(value.toString(), s);
        }
    }

    private static void string(String text, StringBuilder s) {
        s.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> s.append("\\\"");
                case '\\' -> s.append("\\\\");
                case '\n' -> s.append("\\n");
                case '\r' -> s.append("\\r");
                case '\t' -> s.append("\\t");
                default -> {
                    if (c < 0x20) {
                        s.append(String.format("\\u%04x", (int) c));
                    } else {
                        s.append(c);
                    }
                }
            }
        }
        s.append('"');
    }
}
