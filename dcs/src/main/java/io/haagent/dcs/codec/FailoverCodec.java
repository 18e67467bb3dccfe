package io.haagent.dcs.codec;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.haagent.cluster.FailoverRequest;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code failover} = {@code {"leader":..,"member":..,"scheduled_at":..}}, each field only when set; {@code {}}
 * is "no request". {@code scheduled_at} is written as Python's {@code datetime.isoformat()}
 * ({@code 2024-05-01T10:00:00+00:00}, microseconds only when non-zero). Read leniently: a legacy plain string
 * {@code leader:candidate}; broken JSON is no request (Patroni would take {@code {"lead} for a leader name); a
 * {@code scheduled_at} Patroni's parser would choke on (no time zone, not a date) makes the whole request void,
 * because acting on it now instead of at its time would be a surprise.
 */
public final class FailoverCodec {
    private static final DateTimeFormatter OFFSET_WITHOUT_COLON = new DateTimeFormatterBuilder()
            .append(DateTimeFormatter.ISO_LOCAL_DATE_TIME).appendOffset("+HHmm", "+0000").toFormatter();

    private FailoverCodec() {
    }

    public static String encode(FailoverRequest request) {
        Map<String, Object> data = new LinkedHashMap<>();
        if (request != null) {
            if (request.leader() != null && !request.leader().isEmpty()) {
                data.put("leader", request.leader());
            }
            if (request.candidate() != null && !request.candidate().isEmpty()) {
                data.put("member", request.candidate());
            }
            if (request.scheduledAt() != null) {
                data.put("scheduled_at", isoformat(request.scheduledAt()));
            }
        }
        return PythonJson.dumps(data);
    }

    /** Python's {@code datetime.isoformat()} of an aware datetime. */
    public static String isoformat(OffsetDateTime t) {
        StringBuilder sb = new StringBuilder();
        int year = t.getYear();
        sb.append(String.format("%04d-%02d-%02dT%02d:%02d:%02d", year, t.getMonthValue(), t.getDayOfMonth(),
                t.getHour(), t.getMinute(), t.getSecond()));
        int micros = t.getNano() / 1000;
        if (micros != 0) {
            sb.append(String.format(".%06d", micros));
        }
        int offset = t.getOffset().getTotalSeconds();
        sb.append(offset < 0 ? '-' : '+');
        int abs = Math.abs(offset);
        sb.append(String.format("%02d:%02d", abs / 3600, (abs / 60) % 60));
        if (abs % 60 != 0) {
            sb.append(String.format(":%02d", abs % 60));
        }
        return sb.toString();
    }

    /** @return the request, or null when there is none (empty, {@code {}}) or it is unusable */
    public static FailoverRequest decode(String value, long modRevision, String fullKey, GarbageLog garbage) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        Object parsed;
        try {
            parsed = PythonJson.parse(value);
        } catch (JsonProcessingException e) {
            String t = value.trim();
            if (t.startsWith("{") || t.startsWith("[") || t.startsWith("\"")) {
                // broken JSON, not the legacy form (Patroni would read "{..." as a leader name)
                garbage.report(fullKey, modRevision, value, "not JSON (" + e.getOriginalMessage() + ")");
                return null;
            }
            // the legacy form: "leader:candidate"
            String[] parts = value.split(":", -1);
            String leader = parts[0].trim();
            String candidate = parts.length > 1 ? parts[1].trim() : null;
            return withRevision(FailoverRequest.of(leader, candidate, null), modRevision);
        }
        Map<String, Object> data = JsonValues.map(parsed);
        if (data == null) {
            garbage.report(fullKey, modRevision, value, "not a JSON object");
            return null;
        }
        OffsetDateTime scheduledAt = null;
        Object at = data.get("scheduled_at");
        if (at != null && !(at instanceof String s && s.isEmpty())) {
            scheduledAt = parseTime(String.valueOf(at));
            if (scheduledAt == null) {
                garbage.report(fullKey, modRevision, value,
                        "scheduled_at is not a timestamp with a time zone; the request is ignored");
                return null;
            }
        }
        FailoverRequest r = FailoverRequest.of(JsonValues.str(data.get("leader")), JsonValues.str(data.get("member")),
                scheduledAt);
        return r.isEmpty() ? null : withRevision(r, modRevision);
    }

    private static FailoverRequest withRevision(FailoverRequest r, long modRevision) {
        return new FailoverRequest(r.leader(), r.candidate(), r.scheduledAt(), modRevision);
    }

    /** ISO 8601 with an offset; a space instead of {@code T} and {@code +HHMM} offsets are accepted. */
    static OffsetDateTime parseTime(String text) {
        String t = text.trim();
        if (t.length() > 10 && t.charAt(10) == ' ') {
            t = t.substring(0, 10) + 'T' + t.substring(11);
        }
        try {
            return OffsetDateTime.parse(t, DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        } catch (DateTimeParseException e) {
            try {
                return OffsetDateTime.parse(t, OFFSET_WITHOUT_COLON);
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }
}
