package io.haagent.agent.logging;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.jul.LevelChangePropagator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy;
import ch.qos.logback.core.util.Duration;
import ch.qos.logback.core.util.FileSize;
import io.haagent.config.LogConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Configures logging from the {@code log:} section, programmatically (no logback.xml): plain or json lines,
 * the level and per-logger levels, Patroni's format, and either stderr or {@code <dir>/patroni.log} rotated
 * at {@code file_size} bytes keeping {@code file_num} old files (as Patroni's RotatingFileHandler; the name is
 * Patroni's so existing log shipping keeps working). Records go through a queue of {@code max_queue_size}
 * that never blocks the caller: a slow disk must not stall the HA loop. JUL (gRPC, Jetty) is routed here.
 */
public final class LogSetup {
    public static final String FILE_NAME = "patroni.log";
    /** logback's fixed-window rolling keeps at most 20 old files. */
    static final int MAX_OLD_FILES = 20;

    private LogSetup() {
    }

    public static void configure(LogConfig config) {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ctx.reset();
        ctx.putProperty("PID", Long.toString(ProcessHandle.current().pid()));

        LevelChangePropagator jul = new LevelChangePropagator();
        jul.setContext(ctx);
        jul.setResetJUL(true);
        ctx.addListener(jul);
        jul.start();
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();

        Level level = level(config.level(), Level.INFO);
        boolean traceback = !"DEBUG".equalsIgnoreCase(config.tracebackLevel()) || level == Level.DEBUG;
        Encoder<ILoggingEvent> encoder = encoder(config, traceback, ctx);

        OutputStreamAppender<ILoggingEvent> sink;
        if (config.dir() != null && !config.dir().isBlank()) {
            sink = rollingFile(config, ctx, encoder);
        } else {
            ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
            console.setTarget("System.err");
            sink = console;
        }
        sink.setContext(ctx);
        sink.setName("sink");
        sink.setEncoder(encoder);
        sink.start();

        AsyncAppender async = new AsyncAppender();
        async.setContext(ctx);
        async.setName("queue");
        async.setQueueSize(Math.max(1, config.maxQueueSize()));
        async.setDiscardingThreshold(0);
        async.setNeverBlock(true);
        async.setIncludeCallerData(needsCallerData(config.format()));
        async.addAppender(sink);
        async.start();

        Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(level);
        root.addAppender(async);
        // Libraries that narrate their own start-up or log every retry at INFO/WARN; our messages already say what
        // failed and why. log.loggers overrides any of these.
        for (Map.Entry<String, String> e : QUIET_LIBRARIES.entrySet()) {
            ctx.getLogger(e.getKey()).setLevel(ch.qos.logback.classic.Level.toLevel(e.getValue()));
        }
        for (Map.Entry<String, String> e : config.loggers().entrySet()) {
            ctx.getLogger(e.getKey()).setLevel(level(e.getValue(), null));
        }
    }

    static final Map<String, String> QUIET_LIBRARIES = Map.of(
            "org.eclipse.jetty", "WARN",
            "io.javalin", "WARN",
            "io.netty", "WARN",
            "io.grpc", "WARN",
            "io.etcd", "ERROR");

    /** Flush queued records and release files (at shutdown, and between tests). */
    public static void stop() {
        ((LoggerContext) LoggerFactory.getILoggerFactory()).stop();
    }

    private static Encoder<ILoggingEvent> encoder(LogConfig config, boolean traceback, LoggerContext ctx) {
        if ("json".equals(config.type())) {
            List<String> fields = PythonLogFormat.fields(config.format());
            JsonLayout layout = new JsonLayout(fields.isEmpty() ? List.of("asctime", "levelname", "message") : fields,
                    config.dateformat(), config.staticFields());
            layout.setContext(ctx);
            layout.start();
            LayoutWrappingEncoder<ILoggingEvent> enc = new LayoutWrappingEncoder<>();
            enc.setLayout(layout);
            enc.setContext(ctx);
            enc.start();
            return enc;
        }
        registerSafeMessage(ctx);
        PatternLayoutEncoder enc = new PatternLayoutEncoder();
        enc.setContext(ctx);
        enc.setPattern(PythonLogFormat.toLogback(config.format(), config.dateformat(), traceback));
        enc.start();
        return enc;
    }

    /** {@code %safemsg} for the patterns {@link PythonLogFormat} writes. */
    @SuppressWarnings("unchecked")
    static void registerSafeMessage(LoggerContext ctx) {
        Object o = ctx.getObject(ch.qos.logback.core.CoreConstants.PATTERN_RULE_REGISTRY_FOR_SUPPLIERS);
        Map<String, java.util.function.Supplier<ch.qos.logback.core.pattern.DynamicConverter<?>>> registry;
        if (o instanceof Map<?, ?> m) {
            registry = (Map<String, java.util.function.Supplier<ch.qos.logback.core.pattern.DynamicConverter<?>>>) m;
        } else {
            registry = new java.util.HashMap<>();
            ctx.putObject(ch.qos.logback.core.CoreConstants.PATTERN_RULE_REGISTRY_FOR_SUPPLIERS, registry);
        }
        registry.put(PythonLogFormat.SAFE_MESSAGE, SafeMessageConverter::new);
    }

    private static OutputStreamAppender<ILoggingEvent> rollingFile(LogConfig config, LoggerContext ctx,
            Encoder<ILoggingEvent> encoder) {
        String file = Path.of(config.dir(), FILE_NAME).toString();
        RollingFileAppender<ILoggingEvent> appender = new RollingFileAppender<>();
        appender.setContext(ctx);
        appender.setFile(file);
        FixedWindowRollingPolicy rolling = new FixedWindowRollingPolicy();
        rolling.setContext(ctx);
        rolling.setParent(appender);
        rolling.setFileNamePattern(file + ".%i");
        rolling.setMinIndex(1);
        rolling.setMaxIndex(Math.max(1, Math.min(MAX_OLD_FILES, config.fileNum() == null ? 4 : config.fileNum())));
        rolling.start();
        SizeBasedTriggeringPolicy<ILoggingEvent> trigger = new SizeBasedTriggeringPolicy<>();
        trigger.setContext(ctx);
        trigger.setMaxFileSize(new FileSize(config.fileSize() == null ? 25_000_000L : config.fileSize()));
        trigger.setCheckIncrement(Duration.buildByMilliseconds(0));
        trigger.start();
        appender.setRollingPolicy(rolling);
        appender.setTriggeringPolicy(trigger);
        return appender;
    }

    private static boolean needsCallerData(String format) {
        return format != null && (format.contains("%(funcName)") || format.contains("%(lineno)")
                || format.contains("%(module)") || format.contains("%(filename)") || format.contains("%(pathname)"));
    }

    /** Python level names as logback levels: WARNING is WARN, CRITICAL and FATAL are ERROR. */
    static Level level(String name, Level dflt) {
        if (name == null) {
            return dflt;
        }
        switch (name.toUpperCase(Locale.ROOT)) {
            case "DEBUG": return Level.DEBUG;
            case "INFO": return Level.INFO;
            case "WARN": case "WARNING": return Level.WARN;
            case "ERROR": case "CRITICAL": case "FATAL": return Level.ERROR;
            case "NOTSET": case "ALL": case "TRACE": return Level.TRACE;
            case "OFF": return Level.OFF;
            default: return dflt;
        }
    }
}
