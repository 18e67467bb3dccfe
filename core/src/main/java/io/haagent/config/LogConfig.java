package io.haagent.config;

import java.util.Map;

/** {@code log} (§5.2). */
public record LogConfig(
        String type,
        String level,
        String tracebackLevel,
        String format,
        String dateformat,
        Map<String, Object> staticFields,
        int maxQueueSize,
        String dir,
        Integer fileNum,
        Long fileSize,
        Map<String, String> loggers,
        boolean deduplicateHeartbeatLogs) {
    public static final LogConfig DEFAULT = new LogConfig("plain", "INFO", "ERROR",
            "%(asctime)s %(levelname)s: %(message)s", null, Map.of(), 1000, null, null, null, Map.of(), false);

    /** Without Patroni 4.1's {@code log.deduplicate_heartbeat_logs}. */
    public LogConfig(String type, String level, String tracebackLevel, String format, String dateformat,
            Map<String, Object> staticFields, int maxQueueSize, String dir, Integer fileNum, Long fileSize,
            Map<String, String> loggers) {
        this(type, level, tracebackLevel, format, dateformat, staticFields, maxQueueSize, dir, fileNum, fileSize,
                loggers, false);
    }
}
