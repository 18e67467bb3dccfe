package io.haagent.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ToolOptionsTest {

    @Test
    void listFormTakesPlainOptionsAndSingleEntryMaps() {
        List<Object> opts = List.of("data-checksums", Map.of("encoding", "UTF8"), Map.of("locale", "C.UTF-8"));
        assertThat(ToolOptions.arguments(opts, "bootstrap.initdb", ToolOptions.INITDB_FORBIDDEN))
                .containsExactly("--data-checksums", "--encoding=UTF8", "--locale=C.UTF-8");
    }

    @Test
    void mapFormKeepsOrderAndRendersBooleansAsPostgresDoes() {
        Map<String, Object> opts = new LinkedHashMap<>();
        opts.put("checkpoint", "fast");
        opts.put("max-rate", "100M");
        assertThat(ToolOptions.arguments(opts, "postgresql.basebackup", ToolOptions.BASEBACKUP_FORBIDDEN))
                .containsExactly("--checkpoint=fast", "--max-rate=100M");
    }

    @Test
    void forbiddenOptionsAreRefusedNamingTheKeyPath() {
        assertThatThrownBy(() -> ToolOptions.arguments(List.of("data-checksums", "nosync"), "bootstrap.initdb",
                ToolOptions.INITDB_FORBIDDEN))
                .isInstanceOf(PostgresException.InvalidOption.class)
                .hasMessageContaining("bootstrap.initdb[1]").hasMessageContaining("nosync");
        assertThatThrownBy(() -> ToolOptions.arguments(Map.of("--pgdata", "/x"), "bootstrap.initdb",
                ToolOptions.INITDB_FORBIDDEN))
                .isInstanceOf(PostgresException.InvalidOption.class).hasMessageContaining("pgdata");
        assertThatThrownBy(() -> ToolOptions.arguments(List.of("wal-method=fetch"), "postgresql.basebackup",
                ToolOptions.BASEBACKUP_FORBIDDEN))
                .isInstanceOf(PostgresException.InvalidOption.class).hasMessageContaining("wal-method");
    }

    @Test
    void malformedItemsAreRefused() {
        assertThatThrownBy(() -> ToolOptions.arguments(List.of(Map.of("a", 1, "b", 2)), "bootstrap.initdb",
                ToolOptions.INITDB_FORBIDDEN))
                .isInstanceOf(PostgresException.InvalidOption.class).hasMessageContaining("bootstrap.initdb[0]");
        assertThatThrownBy(() -> ToolOptions.arguments("data-checksums", "bootstrap.initdb",
                ToolOptions.INITDB_FORBIDDEN))
                .isInstanceOf(PostgresException.InvalidOption.class).hasMessageContaining("expected a list");
    }
}
