package org.alagg.shell;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;

/**
 * What went wrong with a command line, for a person: Gogo's own wording for a command given the wrong arguments
 * ({@code Cannot coerce link() to any of [(String, String, String)]}) becomes the command's forms, as its help gives
 * them; anything else is the exception's message ({@link Commands#describe}).
 */
final class CommandErrors {
    /** Gogo's message when no method of a command takes the arguments given. */
    private static final Pattern NO_METHOD = Pattern.compile("Cannot coerce ([\\w.-]+)\\((.*)\\) to any of \\[.*\\]",
            Pattern.DOTALL);
    /** A command's summary line in {@code help}'s output: {@code link - add a link: ...}. */
    private static final Pattern SUMMARY = Pattern.compile("(?m)^[\\w.-]+ - .*$");

    private CommandErrors() {
    }

    static String describe(CommandProcessor processor, String commandLine, Throwable e) {
        Matcher m = e.getMessage() == null ? null : NO_METHOD.matcher(e.getMessage());
        if (m == null || !m.matches()) {
            return Commands.describe(e);
        }
        String function = m.group(1);
        List<String> words = Arrays.asList(commandLine.strip().split("\\s+"));
        boolean named = !words.isEmpty() && (words.get(0).equals(function) || words.get(0).endsWith(":" + function));
        String command = named ? words.get(0) : function;
        String given = named && words.size() > 1 ? "'" + String.join(" ", words.subList(1, words.size())) + "'" : "none";
        String forms = summaries(processor, command);
        return "error: " + command + " does not take these arguments (given: " + given + ")"
                + (forms.isEmpty() ? "" : "; it takes:\n" + forms) + "\n'help " + command + "' says more";
    }

    /** The summary lines {@code help COMMAND} prints, indented; empty when it prints none. */
    private static String summaries(CommandProcessor processor, String command) {
        ByteArrayOutputStream help = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(help, true, StandardCharsets.UTF_8);
        CommandSession session = processor.createSession(InputStream.nullInputStream(), out, out);
        try {
            Object result = session.execute("help " + command); // Gogo's help returns its text
            if (result != null) {
                out.println(result);
            }
        } catch (Exception e) {
            return "";
        } finally {
            session.close();
        }
        Matcher m = SUMMARY.matcher(help.toString(StandardCharsets.UTF_8));
        return m.results().map(r -> "  " + r.group()).collect(Collectors.joining("\n"));
    }
}
