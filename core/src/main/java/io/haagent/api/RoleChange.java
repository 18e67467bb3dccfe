package io.haagent.api;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Timings of the last role change of this node, shown by {@code /patroni} as {@code last_role_change}.
 *
 * @param startedAt   when the agent first saw the reason for the change (e.g. the leader key vanished)
 * @param completedAt when the new role was in force (e.g. promotion finished), null while in progress
 * @param phases      ordered named phases and how long each took (e.g. {@code detect}, {@code acquire_lock},
 *                    {@code promote})
 */
public record RoleChange(
        RoleChangeKind kind,
        String fromRole,
        String toRole,
        String reason,
        Instant startedAt,
        Instant completedAt,
        Map<String, Duration> phases) {

    public RoleChange {
        phases = phases == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(phases));
    }

    /** Total time from start to completion, or null while in progress. */
    public Duration duration() {
        return startedAt == null || completedAt == null ? null : Duration.between(startedAt, completedAt);
    }
}
