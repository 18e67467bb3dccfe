package io.haagent.rest.write;

import io.haagent.api.RestartRequest;
import io.haagent.config.Values;
import io.haagent.config.Units;
import io.haagent.rest.status.Json;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.Set;

/**
 * Validation of {@code POST /restart} bodies (§2.6) in Patroni's order: the pause check first, then each field in
 * the order the client wrote them, stopping at the first error.
 */
public final class RestartRequests {
    private static final Set<String> ROLES = Set.of("primary", "standby_leader", "replica");

    private RestartRequests() {
    }

    public static RestartRequest parse(Map<String, Object> body, boolean paused, Instant now) {
        if (paused && body.containsKey("schedule")) {
            throw new ApiError(500, "Can't schedule restart in the paused state");
        }
        OffsetDateTime schedule = null;
        String role = null;
        String version = null;
        boolean pending = false;
        Integer timeout = null;
        for (Map.Entry<String, Object> e : body.entrySet()) {
            Object v = e.getValue();
            switch (e.getKey()) {
                case "schedule" -> schedule = Schedule.parse(v, "schedule", "restart", now);
                case "role" -> {
                    if (!(v instanceof String s) || !ROLES.contains(s)) {
                        // Patroni 4 refuses master here (its 4.0.0 release notes), whatever the cluster writes
                        throw ApiError.badRequest("PostgreSQL role should be either primary, standby_leader, or"
                                + " replica (field 'role': " + Json.MAPPER.valueToTree(v) + ")");
                    }
                    role = s;
                }
                case "postgres_version" -> {
                    if (!(v instanceof String s)) {
                        throw ApiError.badRequest("Invalid PostgreSQL version: field 'postgres_version' must be a"
                                + " string like \"15.4\", got " + Json.typeName(v));
                    }
                    try {
                        RestartRequest.postgresVersionToInt(s);
                    } catch (IllegalArgumentException ex) {
                        throw ApiError.badRequest(ex.getMessage());
                    }
                    version = s;
                }
                case "timeout" -> {
                    Long seconds = v instanceof String || v instanceof Number
                            ? Units.parseInt(v instanceof Double d ? Double.toString(d) : v.toString(), "s") : null;
                    if (seconds == null || seconds <= 0 || seconds > Integer.MAX_VALUE) {
                        throw ApiError.badRequest("Timeout should be a positive number of seconds (field 'timeout': "
                                + Json.MAPPER.valueToTree(v) + ")");
                    }
                    timeout = seconds.intValue();
                }
                case "restart_pending" -> {
                    Boolean b = v == null ? Boolean.FALSE : Values.toBool(v);
                    if (b == null) {
                        throw ApiError.badRequest("field 'restart_pending' must be a boolean, got "
                                + Json.MAPPER.valueToTree(v));
                    }
                    pending = b;
                }
                default -> throw ApiError.badRequest("Unknown filter for the scheduled restart: " + e.getKey());
            }
        }
        return new RestartRequest(schedule, role, version, pending, timeout);
    }
}
