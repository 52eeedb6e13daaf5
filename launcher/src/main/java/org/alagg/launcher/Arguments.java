package org.alagg.launcher;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The options of one {@code alagg} command, the way Linux tools take them: {@code -c FILE}, {@code --config FILE} and
 * {@code --config=FILE} alike, {@code -h} / {@code --help} everywhere, {@code --} ends the options, and an option the
 * command does not know is refused rather than taken for something else.
 */
final class Arguments {
    /** An option taking a value: {@code -s VALUE}, {@code --long VALUE}, {@code --long=VALUE}. */
    record Option(String shortName, String longName, String valueName) {
        String describe() {
            return (shortName == null ? "" : "-" + shortName + ", ") + "--" + longName + " " + valueName;
        }
    }

    /** A command line a command cannot use; the message says why, the caller adds the usage. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    private final Map<String, String> values;
    private final List<String> operands;
    private final boolean help;

    private Arguments(Map<String, String> values, List<String> operands, boolean help) {
        this.values = values;
        this.operands = operands;
        this.help = help;
    }

    /**
     * Parses {@code args}.
     *
     * @param options the options the command takes
     * @param operandsEndOptions whether the first operand ends the options ({@code alagg ctl lb -s}: the rest is the
     *        command line for the instance), or operands are refused
     */
    static Arguments parse(List<String> args, List<Option> options, boolean operandsEndOptions) throws UsageException {
        Map<String, String> values = new LinkedHashMap<>();
        List<String> operands = new ArrayList<>();
        boolean help = false;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--")) {
                operands.addAll(args.subList(i + 1, args.size()));
                break;
            }
            if (arg.equals("-h") || arg.equals("--help")) {
                help = true;
                continue;
            }
            if (!arg.startsWith("-") || arg.equals("-")) {
                if (!operandsEndOptions) {
                    throw new UsageException("unexpected argument '" + arg + "'");
                }
                operands.addAll(args.subList(i, args.size()));
                break;
            }
            int eq = arg.indexOf('=');
            String name = arg.startsWith("--") && eq > 0 ? arg.substring(0, eq) : arg;
            Option option = options.stream()
                    .filter(o -> name.equals("--" + o.longName()) || o.shortName() != null && name.equals("-" + o.shortName()))
                    .findFirst()
                    .orElseThrow(() -> new UsageException("unknown option '" + name + "'"));
            String value;
            if (name != arg) {
                value = arg.substring(eq + 1);
            } else if (i + 1 < args.size()) {
                value = args.get(++i);
            } else {
                throw new UsageException("option '" + arg + "' needs a value: " + option.describe());
            }
            if (value.isEmpty()) {
                throw new UsageException("option '" + name + "' needs a value: " + option.describe());
            }
            if (values.putIfAbsent(option.longName(), value) != null) {
                throw new UsageException("option " + option.describe() + " is given twice");
            }
        }
        return new Arguments(values, List.copyOf(operands), help);
    }

    /** The value of an option by its long name, or {@code fallback}. */
    String value(String longName, String fallback) {
        return values.getOrDefault(longName, fallback);
    }

    /** Whether the option was given. */
    boolean has(String longName) {
        return values.containsKey(longName);
    }

    List<String> operands() {
        return operands;
    }

    /** Whether {@code -h} or {@code --help} was given. */
    boolean help() {
        return help;
    }
}
