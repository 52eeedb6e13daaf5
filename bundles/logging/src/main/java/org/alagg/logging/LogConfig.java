package org.alagg.logging;

import org.osgi.service.log.LogLevel;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(id = "org.alagg.logging", name = "Alagg log output",
        description = "Which log entries are written to standard error")
@interface LogConfig {
    @AttributeDefinition(description = "Least severe level written: ERROR, WARN, INFO, DEBUG or TRACE")
    LogLevel level() default LogLevel.INFO;
}
