package io.haagent.cluster;

import io.haagent.config.DynamicConfig;
import java.util.Map;

/** The {@code config} key: the stored JSON object, its parsed form, and its revision for CAS writes. */
public record ClusterConfig(Map<String, Object> data, DynamicConfig dynamic, long modRevision) {

    public static ClusterConfig of(Map<String, Object> data, long modRevision) {
        return new ClusterConfig(data == null ? Map.of() : data, DynamicConfig.from(data), modRevision);
    }

    /** An existing key holding nothing usable ({@code ""}, {@code {}} or garbage). */
    public boolean isEmpty() {
        return data.isEmpty();
    }
}
