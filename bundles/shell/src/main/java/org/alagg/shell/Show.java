package org.alagg.shell;

import org.alagg.api.InstanceStatus;
import org.alagg.shell.view.Screens;
import org.alagg.shell.view.Snapshot;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * {@code alagg:show [--dump]}: every peer and link in one terse snapshot, like {@code wg show}; {@code --dump} is the
 * tab-separated form scripts and {@code alagg top} read ({@link Snapshot}).
 */
@Component(service = Show.class, property = {"osgi.command.scope=alagg", "osgi.command.function=show"})
public final class Show {
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile InstanceStatus engine;

    /** For Declarative Services, which injects the reference. */
    public Show() {
    }

    /** With the engine given, for tests. */
    Show(InstanceStatus engine) {
        this.engine = engine;
    }

    @Descriptor("every peer and link at a glance; --dump: tab-separated, for scripts")
    public String show(@Descriptor("tab-separated lines with the counters as they stand") @Parameter(names = {"-d", "--dump"},
            presentValue = "true", absentValue = "false") boolean dump) {
        InstanceStatus status = engine;
        if (status == null) {
            throw new IllegalStateException("the engine is not running (no engine configuration)");
        }
        Snapshot snapshot = Snapshot.of(status);
        return dump ? snapshot.dump() : Screens.show(snapshot);
    }
}
