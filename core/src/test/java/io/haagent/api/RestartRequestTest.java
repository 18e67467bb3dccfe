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

    @Test
    void filtersSayWhyTheyDoNotMatch() {
        assertThat(RestartRequest.IMMEDIATE.mismatch("master", 150004, false)).isNull();
        RestartRequest replicasOnly = new RestartRequest(null, "replica", null, false, null);
        assertThat(replicasOnly.mismatch("master", 150004, false)).isEqualTo("host role mismatch");
        assertThat(replicasOnly.mismatch("replica", 150004, false)).isNull();
        RestartRequest primaryOnly = new RestartRequest(null, "primary", null, false, null);
        assertThat(primaryOnly.mismatch("master", 150004, false)).isNull();
        RestartRequest olderThan = new RestartRequest(null, null, "15.4", false, null);
        assertThat(olderThan.mismatch("master", 150004, false)).isEqualTo("postgres version mismatch");
        assertThat(olderThan.mismatch("master", 150003, false)).isNull();
        RestartRequest pending = new RestartRequest(null, null, null, true, null);
        assertThat(pending.mismatch("replica", 150004, false)).isEqualTo("pending restart flag is not set");
        assertThat(pending.mismatch("replica", 150004, true)).isNull();
    }
}
