package org.alagg.e2e;

/**
 * Closes something when the JVM exits before its owner closed it (Ctrl-C, a killed test run), so namespaces and
 * processes do not outlive the program. The owner calls {@link #closing()} first thing in its own close.
 */
public final class CloseOnExit {
    private final Thread hook;

    /** Registers {@code resource} to be closed at JVM exit. */
    public CloseOnExit(String name, AutoCloseable resource) {
        this.hook = new Thread(() -> {
            try {
                resource.close();
            } catch (Exception e) {
                System.err.println(name + ": " + e);
            }
        }, name);
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** The owner is closing: the exit no longer needs to (a no-op when called from the exit itself). */
    public void closing() {
        if (Thread.currentThread() == hook) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is exiting: the hook closes it (or already has)
        }
    }
}
