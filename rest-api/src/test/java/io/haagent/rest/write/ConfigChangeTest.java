package io.haagent.rest.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.haagent.rest.status.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigChangeTest {

    @SuppressWarnings("unchecked")
    static Map<String, Object> json(String s) {
        try {
            return (Map<String, Object>) Json.parse(s.getBytes());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void mergesLikePatroni() {
        Map<String, Object> cfg = json("{\"ttl\":30,\"loop_wait\":10,\"postgresql\":{\"parameters\":"
                + "{\"max_connections\":100,\"work_mem\":\"4MB\"},\"use_slots\":true},\"pause\":true}");
        boolean changed = ConfigChange.patch(cfg, json("{\"ttl\":20,\"postgresql\":{\"parameters\":"
                + "{\"max_connections\":\"101\",\"work_mem\":null}},\"pause\":null,\"slots\":{\"s1\":null}}"));
        assertThat(changed).isTrue();
        assertThat(Json.bytes(cfg)).asString().isEqualTo("{\"ttl\":20,\"loop_wait\":10,\"postgresql\":{\"parameters\":"
                + "{\"max_connections\":\"101\"},\"use_slots\":true},\"slots\":{\"s1\":null}}");
    }

    @Test
    void valuesWithTheSameTextAreNoChange() {
        Map<String, Object> cfg = json("{\"ttl\":30,\"check_timeline\":true,\"x\":1.0}");
        assertThat(ConfigChange.patch(cfg, json("{\"ttl\":\"30\",\"check_timeline\":\"True\",\"x\":1.0}"))).isFalse();
        assertThat(ConfigChange.patch(cfg, json("{\"missing\":null}"))).isFalse();
        assertThat(ConfigChange.patch(cfg, json("{\"ttl\":31}"))).isTrue();
    }

    @Test
    void anObjectReplacesAScalar() {
        Map<String, Object> cfg = json("{\"standby_cluster\":\"x\"}");
        assertThat(ConfigChange.patch(cfg, json("{\"standby_cluster\":{\"host\":\"h\"}}"))).isTrue();
        assertThat(cfg.get("standby_cluster")).isEqualTo(Map.of("host", "h"));
    }

    @Test
    void comparesWholeConfigsLikeDeepCompare() {
        assertThat(ConfigChange.sameConfig(json("{\"a\":{\"b\":2},\"c\":\"1\"}"), json("{\"c\":1,\"a\":{\"b\":\"2\"}}")))
                .isTrue();
        assertThat(ConfigChange.sameConfig(json("{\"a\":{}}"), json("{\"a\":null}"))).isFalse();
        assertThat(ConfigChange.sameConfig(json("{\"a\":[1]}"), json("{\"a\":[2]}"))).isFalse();
        assertThat(ConfigChange.sameConfig(json("{\"a\":1}"), json("{\"a\":1,\"b\":2}"))).isFalse();
    }

    @Test
    void refusesWithAJsonDocumentNamingEachPath() {
        ApiError e = catchThrowableOfType(ApiError.class,
                () -> ConfigChange.validate(json("{\"ttl\":\"abc\",\"pause\":\"maybe\",\"postgresql\":[]}")));
        assertThat(e.status()).isEqualTo(400);
        assertThat(Json.bytes(e.json())).asString().isEqualTo("{\"error\":\"the configuration is not valid (ttl: must"
                + " be an integer from 20 to 86400 (seconds), not 'abc'; and 2 more); nothing was written\","
                + "\"problems\":[{\"path\":\"ttl\",\"reason\":\"must be an integer from 20 to 86400 (seconds), not"
                + " 'abc'\"},{\"path\":\"pause\",\"reason\":\"must be true or false, not 'maybe'\"},"
                + "{\"path\":\"postgresql\",\"reason\":\"must be a mapping, not a list\"}]}");
        assertThatThrownBy(() -> ConfigChange.validate(json("{\"some_future_key\":{\"anything\":[1,2]}}")))
                .hasMessageContaining("some_future_key: unknown key");
    }

    @Test
    void acceptsPatronisOwnShapes() {
        ConfigChange.validate(json("{\"ttl\":\"20\",\"loop_wait\":5,\"retry_timeout\":5,"
                + "\"synchronous_mode\":\"on\",\"pause\":null,"
                + "\"postgresql\":{\"parameters\":{\"max_connections\":\"101\",\"hot_standby\":true},"
                + "\"pg_hba\":[\"host all all 0.0.0.0/0 md5\"],\"use_pg_rewind\":true},"
                + "\"slots\":{\"s1\":null,\"l1\":{\"type\":\"logical\",\"database\":\"d\",\"plugin\":\"p\"}},"
                + "\"member_slots_ttl\":\"30min\"}"));
        Map<String, Object> deep = new LinkedHashMap<>(json("{\"a\":{\"b\":[1,{\"c\":2}]}}"));
        Map<String, Object> copy = ConfigChange.copy(deep);
        assertThat(copy).isEqualTo(deep).isNotSameAs(deep);
    }
}
