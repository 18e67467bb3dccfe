package io.haagent.ha;

import java.util.Map;

/**
 * The primary's memory of synchronous replication (§4.9): the {@code synchronous_standby_names} value last
 * seen, the flush LSN when it changed, and the standbys verified to have reached that LSN while reported
 * {@code sync} (name → walsender pid). A standby counts as synchronous for promotion purposes only once
 * verified: before that, acknowledged commits may not be on it.
 */
public record SyncTracking(String standbyNames, long flushLsnAtChange, Map<String, Integer> ready) {
    public static final SyncTracking EMPTY = new SyncTracking(null, 0, Map.of());

    public SyncTracking {
        ready = ready == null ? Map.of() : Map.copyOf(ready);
    }
}
