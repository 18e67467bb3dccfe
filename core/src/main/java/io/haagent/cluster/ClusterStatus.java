package io.haagent.cluster;

import java.util.Map;

/** The {@code status} key: the leader's last known WAL position and permanent slot positions. */
public record ClusterStatus(long optime, Map<String, Long> slots, long modRevision) {
    public static final ClusterStatus EMPTY = new ClusterStatus(0, Map.of(), 0);

    public ClusterStatus {
        slots = slots == null ? Map.of() : Map.copyOf(slots);
    }

    public static ClusterStatus of(long optime, Map<String, Long> slots) {
        return new ClusterStatus(optime, slots, 0);
    }
}
