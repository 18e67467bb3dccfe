package io.haagent.ctl.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** show-config and edit-config print YAML as PyYAML's safe_dump does (expected texts produced by PyYAML 6). */
class YamlTextTest {
    @Test
    void blockStyleSortedKeysQuotedAmbiguousScalars() {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("wal_level", "replica");
        params.put("hot_standby", "on");
        params.put("x", null);
        params.put("n", 1.5);
        params.put("t", true);
        Map<String, Object> pg = new LinkedHashMap<>();
        pg.put("parameters", params);
        pg.put("pg_hba", List.of("host all all 0.0.0.0/0 md5", "local all all trust"));
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("ttl", 30);
        config.put("postgresql", pg);
        config.put("slots", Map.of("s1", Map.of("type", "physical")));
        config.put("empty", Map.of());
        config.put("date", "2024-01-01T00:00:00+00:00");
        config.put("s", "");
        config.put("unicode", "héllo");
        assertThat(YamlText.dump(config)).isEqualTo("date: '2024-01-01T00:00:00+00:00'\nempty: {}\npostgresql:\n"
                + "  parameters:\n    hot_standby: 'on'\n    n: 1.5\n    t: true\n    wal_level: replica\n    x: null\n"
                + "  pg_hba:\n  - host all all 0.0.0.0/0 md5\n  - local all all trust\ns: ''\nslots:\n  s1:\n"
                + "    type: physical\nttl: 30\nunicode: héllo\n");
        assertThat(YamlText.dump(Map.of())).isEqualTo("{}\n");
        assertThat(YamlText.dumpFlow(Map.of("x", "y", "nofailover", true, "n", 1))).isEqualTo(
                "{n: 1, nofailover: true, x: y}");
    }

    @Test
    void loadReadsYaml11ScalarsAndNamesTheLineOfAnError() {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) YamlText.load("a: on\nb: 10\nc: [1, 2]\n", "x");
        assertThat(m).containsEntry("a", true).containsEntry("b", 10).containsEntry("c", Arrays.asList(1, 2));
        assertThatThrownBy(() -> YamlText.load("a: 1\nb: [1,\n", "patch.yaml"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("patch.yaml:3:");
        assertThatThrownBy(() -> YamlText.load("a: 1\na: 2\n", "dup.yaml"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("dup.yaml:2:");
    }
}
