package io.haagent.pg.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PostgresqlConfFileTest {

    @Test
    void aPrimaryHasNoRecoveryBlockAndParametersAreSorted() {
        String conf = PostgresqlConfFile.render("postgresql.base.conf", Map.of("port", "5432", "archive_mode", "on"),
                null);
        assertThat(conf).isEqualTo(PostgresqlConfFile.HEADER + "include 'postgresql.base.conf'\n\narchive_mode = 'on'\n"
                + "port = '5432'\n");
        assertThat(PostgresqlConfFile.isOurs(conf)).isTrue();
        assertThat(PostgresqlConfFile.isOurs("# initdb's file\nport = 5432\n")).isFalse();
    }

    @Test
    void hbaLinesMayNotSmuggleNewLines() {
        assertThatThrownBy(() -> HbaFile.render(List.of("host all all 0.0.0.0/0 trust\nlocal all all trust")))
                .hasMessageContaining("may not span lines");
    }
}
