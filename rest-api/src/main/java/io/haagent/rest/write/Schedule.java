package io.haagent.rest.write;

import io.haagent.api.ScheduledTime;
import io.haagent.rest.status.Json;
import java.time.Instant;
import java.time.OffsetDateTime;

/**
 * A scheduled time in a restart or switchover request body (§2.6): a JSON string that {@link ScheduledTime}
 * accepts; anything else is answered with Patroni's status and message.
 */
public final class Schedule {
    private Schedule() {
    }

    /**
     * @param field  the request field, named in messages ({@code schedule} or {@code scheduled_at})
     * @param action {@code restart}, {@code switchover} or {@code failover}, as in Patroni's messages
     */
    public static OffsetDateTime parse(Object value, String field, String action, Instant now) {
        try {
            if (!(value instanceof String text)) {
                throw ScheduledTime.notATime(field, value == null ? "null" : Json.typeName(value) + " " + value);
            }
            return ScheduledTime.parse(text, field, action, now);
        } catch (ScheduledTime.Invalid e) {
            throw new ApiError(e.problem().status(), e.getMessage());
        }
    }
}
