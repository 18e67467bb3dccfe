package io.haagent.rest.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.OffsetDateTime;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ScheduleTest {
    static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "2026-03-01T13:00:00+00:00        | 2026-03-01T13:00Z",
        "2026-03-01 13:00:00+00:00        | 2026-03-01T13:00Z",
        "2026-03-01T13:00+00:00           | 2026-03-01T13:00Z",
        "2026-03-01T13:00:00Z             | 2026-03-01T13:00Z",
        "2026-03-01T13:00:00.250Z         | 2026-03-01T13:00:00.250Z",
        "2026-03-01T15:00:00+0200         | 2026-03-01T15:00+02:00",
        "2026-03-01T15:00:00+02           | 2026-03-01T15:00+02:00",
        "2026-03-01T08:00:00-05:00        | 2026-03-01T08:00-05:00",
        "2026-03-01T13:00:00 UTC          | 2026-03-01T13:00Z",
    })
    void acceptsIsoTimestampsWithAZone(String text, String expected) {
        assertThat(Schedule.parse(text, "scheduled_at", "switchover", NOW)).isEqualTo(OffsetDateTime.parse(expected));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "2026-03-01T13:00:00     | 400 | Timezone information is mandatory for the scheduled restart (field 'schedule': '2026-03-01T13:00:00')",
        "2026-03-02              | 400 | Timezone information is mandatory for the scheduled restart (field 'schedule': '2026-03-02')",
        "2026-03-01T11:00:00Z    | 422 | Cannot schedule restart in the past (field 'schedule': '2026-03-01T11:00:00Z')",
        "tomorrow                | 422 | Unable to parse scheduled timestamp. It should be in an unambiguous format, e.g. ISO 8601 (field 'schedule': 'tomorrow')",
        "2026-13-01T10:00:00Z    | 422 | Unable to parse scheduled timestamp. It should be in an unambiguous format, e.g. ISO 8601 (field 'schedule': '2026-13-01T10:00:00Z'",
    })
    void refusesAsPatroni(String text, int status, String message) {
        assertThatThrownBy(() -> Schedule.parse(text, "schedule", "restart", NOW))
                .isInstanceOfSatisfying(ApiError.class, e -> {
                    assertThat(e.status()).isEqualTo(status);
                    assertThat(e.getMessage()).startsWith(message);
                });
    }

    @org.junit.jupiter.api.Test
    void aNonStringIsUnparsable() {
        assertThatThrownBy(() -> Schedule.parse(12, "scheduled_at", "switchover", NOW))
                .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status()).isEqualTo(422))
                .hasMessageContaining("field 'scheduled_at': a number 12");
    }
}
