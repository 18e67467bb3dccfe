package io.haagent.api;

import java.util.Map;

/**
 * The body of {@code POST /failsafe} (§3.8, §7.5): the primary tells a member it is alive while etcd is not
 * reachable, with the positions of permanent slots the member should advance.
 */
public record FailsafeHeartbeat(String name, String connUrl, String apiUrl, Map<String, Long> slots) {

    public FailsafeHeartbeat {
        slots = slots == null ? Map.of() : Map.copyOf(slots);
    }
}
