package io.haagent.rest.write;

import static io.haagent.rest.write.ConfigChangeTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.haagent.api.RestartRequest;
import java.time.Instant;
import java.time.OffsetDateTime;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class RestartRequestsTest {
    static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    @Test
    void readsEveryFilter() {
        RestartRequest r = RestartRequests.parse(json("{\"schedule\":\"2026-03-01T13:00:00+00:00\",\"role\":\"replica\","
                + "\"postgres_version\":\"15.5\",\"timeout\":\"2min\",\"restart_pending\":\"True\"}"), false, NOW);
        assertThat(r).isEqualTo(new RestartRequest(OffsetDateTime.parse("2026-03-01T13:00:00Z"), "replica", "15.5",
                true, 120));
        assertThat(RestartRequests.parse(json("{}"), true, NOW)).isEqualTo(RestartRequest.IMMEDIATE);
        assertThat(RestartRequests.parse(json("{\"timeout\":30}"), false, NOW).timeoutSeconds()).isEqualTo(30);
        for (String role : java.util.List.of("primary", "standby_leader", "replica")) {
            assertThat(RestartRequests.parse(json("{\"role\":\"" + role + "\"}"), false, NOW).role()).isEqualTo(role);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"role\":\"leader\"}                        | 400 | PostgreSQL role should be either primary, standby_leader, or replica",
        "{\"role\":\"master\"}                        | 400 | PostgreSQL role should be either primary, standby_leader, or replica",
        "{\"role\":1}                                 | 400 | PostgreSQL role should be either primary, standby_leader, or replica",
        "{\"postgres_version\":\"15\"}                | 400 | Invalid PostgreSQL version format: X.Y or X.Y.Z is accepted: 15",
        "{\"postgres_version\":\"x.y\"}               | 400 | Invalid PostgreSQL version: x.y",
        "{\"timeout\":0}                              | 400 | Timeout should be a positive number of seconds",
        "{\"timeout\":\"soon\"}                       | 400 | Timeout should be a positive number of seconds",
        "{\"timeout\":-5}                             | 400 | Timeout should be a positive number of seconds",
        "{\"restart_pending\":\"perhaps\"}            | 400 | field 'restart_pending' must be a boolean",
        "{\"force\":true}                             | 400 | Unknown filter for the scheduled restart: force",
        "{\"schedule\":\"2026-03-01T13:00:00\"}       | 400 | Timezone information is mandatory for the scheduled restart",
        "{\"schedule\":\"2020-01-01T00:00:00Z\"}      | 422 | Cannot schedule restart in the past",
        "{\"schedule\":\"soon\"}                      | 422 | Unable to parse scheduled timestamp",
        "{\"role\":\"x\",\"timeout\":0}               | 400 | PostgreSQL role should be either primary, standby_leader, or replica",
        "{\"timeout\":0,\"role\":\"x\"}               | 400 | Timeout should be a positive number of seconds",
    })
    void refusesInPatronisOrder(String body, int status, String message) {
        assertThatThrownBy(() -> RestartRequests.parse(json(body), false, NOW))
                .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status()).isEqualTo(status))
                .hasMessageStartingWith(message);
    }

    @Test
    void aScheduleIsRefusedWhilePausedBeforeAnythingElse() {
        assertThatThrownBy(() -> RestartRequests.parse(json("{\"role\":\"x\",\"schedule\":\"x\"}"), true, NOW))
                .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status()).isEqualTo(500))
                .hasMessage("Can't schedule restart in the paused state");
    }
}
