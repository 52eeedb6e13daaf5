package org.alagg.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class or method that needs root (network namespaces, raw sockets, TUN devices) and,
 * optionally, command-line tools.
 *
 * <p>When the test runs as another user, or a tool is missing from {@code PATH}, the test is skipped with the
 * reason shown in the report. When the environment variable {@code CI} is {@code true}, such a skip is a
 * failure instead: CI runs as root with every tool installed, so a skip there means a broken test bed.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(RootCondition.class)
public @interface RequiresRoot {
    /** Commands the test runs besides {@code ip}, e.g. {@code "nc"}; each must be on {@code PATH}. */
    String[] tools() default {};
}
