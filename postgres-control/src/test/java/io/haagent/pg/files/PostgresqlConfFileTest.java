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

    /** Issue 18, defect 1, last line of defence: a value or name that would write a second setting is refused. */
    @Test
    void aValueOrNameThatWouldEndTheLineIsRefused() {
        assertThatThrownBy(() -> PostgresqlConfFile.render(null, Map.of("work_mem", "4MB\nfsync = off"), null))
                .hasMessage("postgresql.conf: parameter work_mem: the value holds a control character (a line feed at"
                        + " position 3): postgresql.conf cannot carry it");
        assertThatThrownBy(() -> PostgresqlConfFile.render(null, Map.of("x\nfsync", "off"), null))
                .hasMessageContaining("parameter x\\nfsync: the parameter name holds a control character");
        assertThatThrownBy(() -> PostgresqlConfFile.render(null, Map.of("include", "/etc/passwd"), null))
                .hasMessageContaining("is a directive of postgresql.conf");
        assertThat(PostgresqlConfFile.render(null, Map.of("search_path", "it's \\ \"x\""), null))
                .endsWith("search_path = 'it''s \\\\ \"x\"'\n");
    }
}
