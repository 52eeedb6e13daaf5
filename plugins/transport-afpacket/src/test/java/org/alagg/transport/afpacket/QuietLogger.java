package org.alagg.transport.afpacket;

import java.lang.reflect.Proxy;

import org.osgi.service.log.Logger;

/** A Logger that logs nothing and says no level is enabled: the transport's own logging is not what these tests read. */
final class QuietLogger {
    private QuietLogger() {
    }

    static Logger create() {
        return (Logger) Proxy.newProxyInstance(Logger.class.getClassLoader(), new Class<?>[] {Logger.class},
                (proxy, method, args) -> method.getReturnType() == boolean.class ? false : null);
    }
}
