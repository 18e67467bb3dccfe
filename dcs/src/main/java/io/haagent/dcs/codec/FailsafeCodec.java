package io.haagent.dcs.codec;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code failsafe} = {@code {"<member name>":"<api_url>",...}}, in the writer's order. Unreadable: null. */
public final class FailsafeCodec {
    private FailsafeCodec() {
    }

    public static String encode(Map<String, String> failsafe) {
        return PythonJson.dumps(failsafe == null ? Map.of() : failsafe);
    }

    public static Map<String, String> decode(String value, long modRevision, String fullKey, GarbageLog garbage) {
        Map<String, Object> data;
        try {
            data = JsonValues.map(PythonJson.parse(value));
        } catch (JsonProcessingException e) {
            data = null;
        }
        if (data == null) {
            garbage.report(fullKey, modRevision, value, "not a JSON object");
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        data.forEach((name, url) -> out.put(name, JsonValues.str(url)));
        return out;
    }
}
