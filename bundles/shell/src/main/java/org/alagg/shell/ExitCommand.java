package org.alagg.shell;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * {@code exit} in the terminal's shell of {@code alagg run}: stops the instance cleanly, as Ctrl-D and SIGTERM do.
 * Without it {@code exit} was Gogo's {@code System.exit(int)} (its profile adds System's methods as commands), which
 * refused a bare {@code exit} and would end the JVM without stopping the framework. In the {@code gogo} scope, which the
 * shell searches first.
 */
@Component(service = ExitCommand.class, property = {"osgi.command.scope=gogo", "osgi.command.function=exit"})
public final class ExitCommand {
    private final BundleContext context;

    @Activate
    public ExitCommand(BundleContext context) {
        this.context = context;
    }

    @Descriptor("stop this instance cleanly and leave (as Ctrl-D does)")
    public String exit(CommandSession session) {
        if (Boolean.TRUE.equals(session.get(ControlSocket.CONTROL_SESSION))) {
            throw new IllegalArgumentException("exit leaves the shell of alagg run in a terminal; alagg ctl runs one"
                    + " command and has nothing to leave. To stop the instance: alagg stop --instance "
                    + context.getProperty("alagg.instance"));
        }
        Thread stopper = new Thread(() -> {
            try {
                context.getBundle(0).stop();
            } catch (BundleException | IllegalStateException e) {
                System.err.println("alagg: stopping failed: " + e.getMessage());
            }
        }, "alagg-exit");
        stopper.start();
        return "stopping instance '" + context.getProperty("alagg.instance") + "'";
    }

    @Descriptor("stop this instance cleanly and leave (the status is not used: alagg run exits 0 after a clean stop)")
    public String exit(CommandSession session, @Descriptor("ignored") int status) {
        return exit(session);
    }
}
