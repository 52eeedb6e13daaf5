package org.alagg.launcher;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code alagg stop [-i NAME]}: asks the instance for its process id over the control socket (so only a user who may
 * control it can stop it), sends that process SIGTERM, the signal a clean stop starts from, and waits for it to end.
 */
final class InstanceStop {
    /** Framework property with the instance's process id, set by the launcher. */
    static final String PID_PROPERTY = "alagg.pid";
    /** Longer than the instance's own limit for stopping (20 s), so its own message comes first. */
    private static final long WAIT_SECONDS = 30;

    private InstanceStop() {
    }

    static int stop(Path socket, String instance, PrintStream out, PrintStream err) throws InterruptedException {
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        int status = ControlClient.run(socket, instance, "($.context getProperty " + PID_PROPERTY + ")",
                new PrintStream(answer, true, StandardCharsets.UTF_8), err);
        if (status != 0) {
            return status;
        }
        Optional<ProcessHandle> process;
        try {
            process = ProcessHandle.of(Long.parseLong(answer.toString(StandardCharsets.UTF_8).strip()));
        } catch (NumberFormatException e) {
            err.println("alagg stop: instance '" + instance + "' did not say its process id (it answered '"
                    + answer.toString(StandardCharsets.UTF_8).strip() + "')");
            return 1;
        }
        if (process.isEmpty()) {
            out.println("alagg: instance '" + instance + "' stopped");
            return 0;
        }
        process.get().destroy();
        try {
            process.get().onExit().get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            err.println("alagg stop: instance '" + instance + "' (process " + process.get().pid() + ") still runs "
                    + WAIT_SECONDS + " s after SIGTERM");
            return 1;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
        out.println("alagg: instance '" + instance + "' stopped");
        return 0;
    }
}
