package io.haagent.agent.logging;

import ch.qos.logback.classic.Level;
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

    @Override
    public String doLayout(ILoggingEvent e) {
        StringBuilder sb = new StringBuilder("{");
        for (String f : fields) {
            Object v = value(f, e);
            if (v != null) {
                field(sb, f, v);
            }
        }
        staticFields.forEach((k, v) -> field(sb, k, v));
        if (e.getThrowableProxy() != null) {
            field(sb, "exc_info", ThrowableProxyUtil.asString(e.getThrowableProxy()));
        }
        return sb.append("}\n").toString();
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

    private static void field(StringBuilder sb, String name, Object value) {
        if (sb.length() > 1) {
            sb.append(", ");
        }
        string(sb, name);
        sb.append(": ");
        if (value instanceof Number || value instanceof Boolean) {
            sb.append(value);
        } else {
            string(sb, String.valueOf(value));
        }
    }

    static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                default:
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        sb.append('"');
    }
}
