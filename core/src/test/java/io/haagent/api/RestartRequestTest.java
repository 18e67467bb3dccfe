package io.haagent.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RestartRequestTest {

    @Test
    void versionsAsPatroniCountsThem() {
        assertThat(RestartRequest.postgresVersionToInt("15.4")).isEqualTo(150004);
        assertThat(RestartRequest.postgresVersionToInt("10.1")).isEqualTo(100001);
        assertThat(RestartRequest.postgresVersionToInt("9.6.24")).isEqualTo(90624);
        assertThatThrownBy(() -> RestartRequest.postgresVersionToInt("15"))
                .hasMessage("Invalid PostgreSQL version format: X.Y or X.Y.Z is accepted: 15");
        assertThatThrownBy(() -> RestartRequest.postgresVersionToInt("9.6"))
                .hasMessage("Invalid PostgreSQL version format: X.Y or X.Y.Z is accepted: 9.6");
        assertThatThrownBy(() -> RestartRequest.postgresVersionToInt("a.b.c"))
                .hasMessage("Invalid PostgreSQL version: a.b.c");
    }
}
