package io.haagent.agent.logging;

import ch.qos.logback.classic.Level;
import io.haagent.dcs.codec.PythonJson;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.LayoutBase;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code log.type: json}: one JSON object per line with the fields of {@code log.format} (as Patroni's
 * python-json-logger writes them: {@code asctime}, {@code levelname}, {@code message}, ...) plus
 * {@code log.static_fields}; an exception goes in {@code exc_info}.
 */
final class JsonLayout extends LayoutBase<ILoggingEvent> {
    private final List<String> fields;
    private final DateTimeFormatter dates;
    private final Map<String, Object> staticFields;

    JsonLayout(List<String> fields, String dateformat, Map<String, Object> staticFields) {
        this.fields = List.copyOf(fields);
        String pattern = dateformat == null ? PythonLogFormat.DEFAULT_ASCTIME : PythonLogFormat.javaDate(dateformat);
        this.dates = DateTimeFormatter.ofPattern(pattern).withZone(ZoneId.systemDefault());
        this.staticFields = new LinkedHashMap<>(staticFields);
    }

    /** One line as python-json-logger writes it: {@code json.dumps} with its default separators, ASCII only. */
    @Override
    public String doLayout(ILoggingEvent e) {
        Map<String, Object> record = new LinkedHashMap<>();
        for (String f : fields) {
            Object v = value(f, e);
            if (v != null) {
                record.put(f, v);
            }
        }
        record.putAll(staticFields);
        if (e.getThrowableProxy() != null) {
            record.put("exc_info", ThrowableProxyUtil.asString(e.getThrowableProxy()));
        }
        return PythonJson.dumpsSpaced(record) + "\n";
    }

    private Object value(String field, ILoggingEvent e) {
        switch (field) {
            case "asctime":
                return dates.format(Instant.ofEpochMilli(e.getTimeStamp()));
            case "levelname":
                return e.getLevel() == Level.WARN ? "WARNING" : e.getLevel().toString();
            case "message":
                return e.getFormattedMessage();
            case "name":
                return e.getLoggerName();
            case "threadName":
            case "thread":
                return e.getThreadName();
            case "process":
                return ProcessHandle.current().pid();
            case "created":
                return e.getTimeStamp() / 1000.0;
            default:
                return null;
        }
    }
}
