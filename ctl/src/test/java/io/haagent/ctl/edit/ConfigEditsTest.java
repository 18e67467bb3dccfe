package io.haagent.ctl.edit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** edit-config's -s/-p/--apply/--replace semantics (patronictl's) and the check before writing. */
class ConfigEditsTest {
    static Map<String, Object> stored() {
        return ConfigEdits.mapping("ttl: 30\nloop_wait: 10\npostgresql:\n  parameters:\n    max_connections: 100\n"
                + "  use_slots: true\n", "stored");
    }

    @Test
    void setParsesYamlValuesKeepsDottedGucNamesAndRemovesWithNull() {
        Map<String, Object> out = ConfigEdits.set(stored(), List.of("loop_wait=5", "synchronous_mode=on",
                "postgresql.parameters.pg_stat_statements.track=all", "postgresql.use_slots=null", "ttl="));
        assertThat(out).containsEntry("loop_wait", 5).containsEntry("synchronous_mode", true).doesNotContainKey("ttl");
        @SuppressWarnings("unchecked")
        Map<String, Object> pg = (Map<String, Object>) out.get("postgresql");
        assertThat(pg).doesNotContainKey("use_slots");
        assertThat(pg.get("parameters")).isEqualTo(Map.of("max_connections", 100, "pg_stat_statements.track", "all"));
        assertThat(stored()).containsEntry("ttl", 30); // inputs untouched
        Map<String, Object> emptied = ConfigEdits.set(Map.of("a", Map.of("b", 1)), List.of("a.b=null"));
        assertThat(emptied).isEmpty();
        assertThatThrownBy(() -> ConfigEdits.set(stored(), List.of("loop_wait"))).hasMessageContaining("key.path=value");
    }

    @Test
    void applyMergesLikePatchConfig() {
        Map<String, Object> patch = new LinkedHashMap<>();
        patch.put("loop_wait", null);
        patch.put("postgresql", Map.of("parameters", Map.of("work_mem", "8MB")));
        patch.put("slots", Map.of("s1", Map.of("type", "physical")));
        Map<String, Object> out = ConfigEdits.apply(stored(), patch);
        assertThat(out).doesNotContainKey("loop_wait").containsKey("slots");
        assertThat(((Map<?, ?>) out.get("postgresql")).get("parameters"))
                .isEqualTo(Map.of("max_connections", 100, "work_mem", "8MB"));
        assertThatThrownBy(() -> ConfigEdits.mapping("- a\n- b\n", "list.yaml")).hasMessageContaining("list.yaml")
                .hasMessageContaining("mapping");
    }

    @Test
    void sameComparesNumbersByValue() {
        assertThat(ConfigEdits.same(Map.of("a", 10), Map.of("a", 10L))).isTrue();
        assertThat(ConfigEdits.same(Map.of("a", List.of(1)), Map.of("a", List.of(2)))).isFalse();
    }

    @Test
    void checkNamesTheKeyPathOfWhatTheEditBreaks() {
        Map<String, Object> before = stored();
        EditCheck.Result bad = EditCheck.check(before, ConfigEdits.set(before,
                List.of("postgresql.parameters.max_connections=lots", "ttl=0")));
        assertThat(bad.ok()).isFalse();
        assertThat(bad.errors()).anyMatch(e -> e.startsWith("postgresql.parameters.max_connections: must be an integer"));
        assertThat(bad.errors()).contains("ttl: must be an integer from 20 to 86400 (seconds), not 0");

        // a typo would be stored and do nothing: refused, as by PATCH /config
        EditCheck.Result typo = EditCheck.check(before, ConfigEdits.set(before, List.of("loop_wiat=3")));
        assertThat(typo.errors()).containsExactly("loop_wiat: unknown key; did you mean loop_wait?");

        // Patroni's timing rule: stored, and adjusted by the nodes as Patroni does, with a warning
        EditCheck.Result rule = EditCheck.check(before, ConfigEdits.set(before, List.of("retry_timeout=15")));
        assertThat(rule.ok()).isTrue();
        assertThat(rule.warnings()).singleElement().asString().startsWith("loop_wait: loop_wait + 2*retry_timeout"
                + " = 10 + 2*15 = 40 exceeds ttl 30").endsWith("the nodes run with loop_wait 1 and retry_timeout 14, as"
                + " Patroni adjusts them; set them so to make this warning go");
        EditCheck.Result never = EditCheck.check(before, ConfigEdits.set(before, List.of("loop_wait=30")));
        assertThat(never.errors()).containsExactly("loop_wait: loop_wait 30 is not below ttl 30: a leader would lose"
                + " its lock between two cycles; lower loop_wait or raise ttl");

        EditCheck.Result wal = EditCheck.check(before, ConfigEdits.set(before, List.of("postgresql.parameters.wal_level=minimal")));
        assertThat(wal.errors()).singleElement().asString().startsWith("postgresql.parameters.wal_level:");

        // a problem already stored still stops the write (the nodes are not running that configuration), marked as
        // not this edit's doing; a warning already there is not repeated
        Map<String, Object> broken = ConfigEdits.set(before, List.of("ttl=0", "member_slots_ttl=0"));
        EditCheck.Result stored = EditCheck.check(broken, ConfigEdits.set(broken, List.of("maximum_lag_on_failover=5")));
        assertThat(stored.errors()).containsExactly("ttl: must be an integer from 20 to 86400 (seconds), not 0"
                + " (already in the stored configuration)");
        assertThat(stored.warnings()).isEmpty();
    }
}
