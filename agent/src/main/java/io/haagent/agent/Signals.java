package io.haagent.agent;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGHUP re-reads the configuration, as with Patroni (systemd's {@code ExecReload} sends it). SIGTERM needs no
 * handler: the JVM runs the shutdown hook. {@code sun.misc.Signal} is the JDK's supported way to do this
 * (module jdk.unsupported); where it is missing, reload stays available through {@code POST /reload}.
 */
final class Signals {
    private static final Logger LOG = LoggerFactory.getLogger(Signals.class);

    private Signals() {
    }

    static void onHangup(Runnable action) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> {
                Thread t = new Thread(action, "sighup-reload");
                t.setDaemon(true);
                t.start();
            });
        } catch (Throwable e) {
            LOG.warn("cannot handle SIGHUP here ({}); use POST /reload to re-read the configuration", e.toString());
        }
    }
}
