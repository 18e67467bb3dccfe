package io.haagent.rest.write;

import io.haagent.api.FailsafeHeartbeat;
import io.haagent.config.Values;
import io.haagent.rest.status.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The body of {@code POST /failsafe}: {@code name}, {@code conn_url}, {@code api_url} and optional {@code slots}. */
public final class FailsafeHeartbeats {
    private static final List<String> FIELDS = List.of("name", "conn_url", "api_url", "slots");

    private FailsafeHeartbeats() {
    }

    public static FailsafeHeartbeat parse(Map<String, Object> body) {
        RequestBody.rejectUnknown(body, "failsafe", FIELDS);
        String name = required(body, "name", "the primary's member name");
        String connUrl = required(body, "conn_url", "the primary's postgres URL");
        String apiUrl = required(body, "api_url", "the primary's REST API URL");
        Map<String, Long> slots = new LinkedHashMap<>();
        Object raw = body.get("slots");
        if (raw != null) {
            if (!(raw instanceof Map<?, ?> m)) {
                throw ApiError.badRequest("field 'slots' must be an object of slot name to LSN, got "
                        + Json.typeName(raw));
            }
            for (Map.Entry<?, ?> e : m.entrySet()) {
                Long lsn = e.getValue() instanceof Number ? Values.toLong(e.getValue()) : null;
                if (lsn == null || lsn < 0) {
                    throw ApiError.badRequest("field 'slots." + e.getKey() + "' must be a non-negative integer LSN, got "
                            + Json.MAPPER.valueToTree(e.getValue()));
                }
                slots.put(String.valueOf(e.getKey()), lsn);
            }
        }
        return new FailsafeHeartbeat(name, connUrl, apiUrl, slots);
    }

    private static String required(Map<String, Object> body, String field, String what) {
        String v = RequestBody.optionalString(body, field, what);
        if (v == null) {
            throw ApiError.badRequest("field '" + field + "' is required (" + what + ")");
        }
        return v;
    }
}
