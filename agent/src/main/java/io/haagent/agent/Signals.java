package io.haagent.agent;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGHUP re-reads the configuration, as with Patroni (systemd's {@code ExecReload} sends it). SIGTERM and SIGINT
 * start the agent's orderly stop on a thread of its own rather than the JVM's shutdown: during a JVM shutdown the
 * logging may already be stopped by the main thread, and the process exits with 143, which systemd records as a
 * failed stop; Patroni exits 0. {@code sun.misc.Signal} is the JDK's supported way to do this (module
 * jdk.unsupported); where it is missing, reload stays available through {@code POST /reload} and SIGTERM falls back
 * to the shutdown hook.
 */
final class Signals {
    private static final Logger LOG = LoggerFactory.getLogger(Signals.class);

    private Signals() {
    }

    /** SIGTERM and SIGINT run {@code action} on a new thread; the JVM keeps running until the main thread returns. */
    static void onTerminate(Runnable action) {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> {
                    Thread t = new Thread(action, "sig" + name.toLowerCase(java.util.Locale.ROOT) + "-stop");
                    t.start();
                });
            } catch (Throwable e) {
                LOG.warn("cannot handle SIG{} here ({}); the JVM's shutdown hook stops the agent instead", name,
                        e.toString());
            }
        }
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
