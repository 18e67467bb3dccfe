package io.haagent.pg;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PgpassTest {

    @Test
    void lineHasHostPortWildcardDatabaseUserPassword() {
        assertThat(Pgpass.of("10.0.0.1", 5432, "replicator", "pw").line()).isEqualTo("10.0.0.1:5432:*:replicator:pw");
    }

    @Test
    void colonsAndBackslashesAreEscaped() {
        assertThat(Pgpass.of("::1", 5432, "us:er", "p\\a:ss").line()).isEqualTo("\\:\\:1:5432:*:us\\:er:p\\\\a\\:ss");
    }

    @Test
    void toStringNeverShowsThePassword() {
        assertThat(Pgpass.of("h", 1, "u", "topsecret").toString()).doesNotContain("topsecret").contains("******");
    }
}
