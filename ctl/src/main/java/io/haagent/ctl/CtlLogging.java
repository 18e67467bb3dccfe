package io.haagent.ctl;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import java.util.Locale;
import java.util.Map;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * agentctl's logging: quiet by default (errors are reported by the command itself, in one line), more with
 * {@code LOGLEVEL} (or {@code PATRONI_LOGLEVEL}, {@code PATRONI_LOG_LEVEL}) as for patronictl. Always to stderr, so
 * {@code --format json} output stays parseable. The etcd and HTTP libraries stay at ERROR unless DEBUG is asked for.
 */
final class CtlLogging {
    private CtlLogging() {
    }

    /** Called before anything asks slf4j for a logger. */
    static void configure(Map<String, String> env) {
        String asked = null;
        for (String name : new String[] {"LOGLEVEL", "PATRONI_LOGLEVEL", "PATRONI_LOG_LEVEL"}) {
            if (env.get(name) != null) {
                asked = env.get(name);
            }
        }
        Level level = asked == null ? Level.OFF : Level.toLevel(asked.toUpperCase(Locale.ROOT)
                .replace("WARNING", "WARN").replace("CRITICAL", "ERROR").replace("FATAL", "ERROR"), Level.WARN);
        if (level == Level.OFF) {
            // Nothing is logged: no logback at all. Its start (classes, the configurator search through every jar
            // of lib/, layouts, the java.util.logging bridge) was 0.15 s of CPU, a third of `agentctl version`
            // (issue 15). slf4j's no-operation provider, chosen before the first logger is asked for; the
            // libraries that log through java.util.logging (gRPC) are silenced at its root.
            System.setProperty("slf4j.internal.verbosity", "ERROR");
            System.setProperty("slf4j.provider", "org.slf4j.helpers.NOP_FallbackServiceProvider");
            java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.OFF);
            return;
        }
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
            return;
        }
        ctx.reset();
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        java.util.logging.Logger.getLogger("").setLevel(level == Level.DEBUG ? java.util.logging.Level.FINE
                : java.util.logging.Level.SEVERE);
        PatternLayoutEncoder enc = new PatternLayoutEncoder();
        enc.setContext(ctx);
        enc.setPattern("%d{yyyy-MM-dd HH:mm:ss.SSS} - %level - %logger{0}: %msg%n");
        enc.start();
        ConsoleAppender<ILoggingEvent> app = new ConsoleAppender<>();
        app.setContext(ctx);
        app.setTarget("System.err");
        app.setEncoder(enc);
        app.start();
        Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        root.addAppender(app);
        root.setLevel(level);
        Level libraries = level == Level.DEBUG || level == Level.TRACE ? level
                : level == Level.OFF ? Level.OFF : Level.ERROR;
        for (String lib : new String[] {"io.grpc", "io.netty", "io.etcd", "io.vertx"}) {
            ctx.getLogger(lib).setLevel(libraries);
        }
    }
}
