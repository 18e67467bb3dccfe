package io.haagent.cluster;

import java.util.List;
import java.util.Map;

/**
 * The {@code status} key: the leader's last known WAL position, the positions of the slots it publishes, and
 * (Patroni 4.1) {@code retain_slots}, the member slots the leader keeps for {@code member_slots_ttl} after their
 * member key is gone, so that a member that comes back, or a new leader, still has them.
 */
public record ClusterStatus(long optime, Map<String, Long> slots, List<String> retainSlots, long modRevision) {
    public static final ClusterStatus EMPTY = new ClusterStatus(0, Map.of(), 0);

    public ClusterStatus {
        slots = slots == null ? Map.of() : Map.copyOf(slots);
        retainSlots = retainSlots == null ? List.of() : List.copyOf(retainSlots);
    }

    public ClusterStatus(long optime, Map<String, Long> slots, long modRevision) {
        this(optime, slots, List.of(), modRevision);
    }

    public static ClusterStatus of(long optime, Map<String, Long> slots) {
        return new ClusterStatus(optime, slots, 0);
    }

    public static ClusterStatus of(long optime, Map<String, Long> slots, List<String> retainSlots) {
        return new ClusterStatus(optime, slots, retainSlots, 0);
    }
}
