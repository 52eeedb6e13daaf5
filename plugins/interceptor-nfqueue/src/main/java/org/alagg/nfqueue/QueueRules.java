package org.alagg.nfqueue;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads the output of {@code iptables-save} / {@code ip6tables-save} for the rules that send packets to one
 * queue: {@code -j NFQUEUE} with {@code --queue-num <n>} (0 when absent) or a {@code --queue-balance a:b}
 * range holding it, and the old {@code -j QUEUE} (queue 0). Whether such a rule is reachable from a hooked
 * chain is not judged. Pure text work, for the start-up check.
 */
final class QueueRules {
    /** What iptables-nft-save prints when rules also exist in the legacy tables it does not show. */
    static final String LEGACY_WARNING = "iptables-legacy tables present";

    /** A rule feeding the queue: its table and its line as printed ({@code -A OUTPUT ... -j NFQUEUE ...}). */
    record Rule(String table, String line, List<String> words) {
        /**
         * Whether the rule skips packets carrying {@code mark}: {@code -m mark ! --mark value[/mask]} with
         * {@code mark & mask == value}. Such a rule cannot capture what Alagg delivers.
         */
        boolean excludesMark(int mark) {
            for (int i = 0; i + 2 < words.size(); i++) {
                if (words.get(i).equals("!") && words.get(i + 1).equals("--mark")) {
                    String[] valueMask = words.get(i + 2).split("/");
                    try {
                        long value = Long.decode(valueMask[0]);
                        long mask = valueMask.length > 1 ? Long.decode(valueMask[1]) : 0xFFFFFFFFL;
                        if (((mark & 0xFFFFFFFFL) & mask) == value) {
                            return true;
                        }
                    } catch (NumberFormatException e) {
                        // not a mark this check understands
                    }
                }
            }
            return false;
        }

        /**
         * Whether the rule is limited to named destinations or output interfaces ({@code -d}, {@code -o}). A rule
         * without either matches this host's own addresses too, i.e. what Alagg delivers, unless it skips the mark.
         */
        boolean isNarrowed() {
            return words.contains("-d") || words.contains("--destination")
                    || words.contains("-o") || words.contains("--out-interface");
        }
    }

    private QueueRules() {
    }

    /** The rules of {@code saveOutput} that send packets to {@code queue}, in order. */
    static List<Rule> feeding(String saveOutput, int queue) {
        List<Rule> rules = new ArrayList<>();
        String table = "filter";
        for (String raw : saveOutput.split("\n")) {
            String line = raw.strip();
            if (line.startsWith("*")) {
                table = line.substring(1);
            } else if (line.startsWith("-A ")) {
                List<String> words = words(line);
                if (feeds(words, queue)) {
                    rules.add(new Rule(table, line, words));
                }
            }
        }
        return rules;
    }

    private static boolean feeds(List<String> words, int queue) {
        int target = -1;
        for (int i = 0; i + 1 < words.size(); i++) {
            if (words.get(i).equals("-j")) {
                target = i + 1;
            }
        }
        if (target < 0) {
            return false;
        }
        if (words.get(target).equals("QUEUE")) {
            return queue == 0;
        }
        if (!words.get(target).equals("NFQUEUE")) {
            return false;
        }
        int first = 0;
        int last = 0;
        for (int i = target + 1; i + 1 < words.size(); i++) {
            try {
                if (words.get(i).equals("--queue-num")) {
                    first = last = Integer.parseInt(words.get(i + 1));
                } else if (words.get(i).equals("--queue-balance")) {
                    String[] range = words.get(i + 1).split(":");
                    first = Integer.parseInt(range[0]);
                    last = Integer.parseInt(range[range.length - 1]);
                }
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return first <= queue && queue <= last;
    }

    /** Splits a saved rule into words; a double-quoted word (a comment) is one word, quotes removed. */
    static List<String> words(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean quoted = false;
        boolean inWord = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && quoted && i + 1 < line.length()) {
                word.append(line.charAt(++i));
            } else if (c == '"') {
                quoted = !quoted;
                inWord = true;
            } else if (Character.isWhitespace(c) && !quoted) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }

    /** The rule an operator adds for {@code tool} (iptables or ip6tables), as docs/nfqueue.md gives it. */
    static String suggestion(String tool, int queue, int mark) {
        String destination = tool.startsWith("ip6") ? "<IPv6 destination>" : "<destination>";
        return tool + " -A OUTPUT -d " + destination + " -m mark ! --mark 0x" + Integer.toHexString(mark)
                + " -j NFQUEUE --queue-num " + queue;
    }
}
