package io.haagent.dcs.codec;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.haagent.cluster.ClusterConfig;
import java.util.Map;

/**
 * {@code config}: the dynamic configuration as a JSON object. An unreadable value is an empty configuration
 * that keeps its revision (the leader rewrites an empty config key, §1.2).
 */
public final class ConfigCodec {
    private ConfigCodec() {
    }

    public static String encode(Map<String, Object> config) {
        return PythonJson.dumps(config == null ? Map.of() : config);
    }

    public static ClusterConfig decode(String value, long modRevision, String fullKey, GarbageLog garbage) {
        Map<String, Object> data = null;
        String problem = "not a JSON object";
        try {
            data = value == null || value.isEmpty() ? null : JsonValues.map(PythonJson.parse(value));
        } catch (JsonProcessingException e) {
            problem = "not JSON (" + e.getOriginalMessage() + ")";
        }
        if (data == null) {
            if (value != null && !value.isEmpty()) {
                garbage.report(fullKey, modRevision, value, problem);
            }
            return ClusterConfig.of(Map.of(), modRevision);
        }
        return ClusterConfig.of(data, modRevision);
    }
}
