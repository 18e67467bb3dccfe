package io.haagent.cluster;

import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * The {@code sync} key (§4.9): which primary manages synchronous replication and which standbys it has
 * verified as synchronous. Only these may win an automatic election while synchronous mode is active.
 */
public record SyncState(String leader, List<String> syncStandbys, long modRevision) {
    public static final SyncState EMPTY = new SyncState(null, List.of(), 0);

    public SyncState {
        syncStandbys = syncStandbys == null ? List.of() : List.copyOf(new TreeSet<>(syncStandbys));
    }

    public boolean isEmpty() {
        return leader == null;
    }

    /** Case-insensitive membership, as Patroni compares names from application_name. */
    public boolean matches(String name) {
        if (name == null) {
            return false;
        }
        String n = name.toLowerCase(Locale.ROOT);
        return syncStandbys.stream().anyMatch(s -> s.toLowerCase(Locale.ROOT).equals(n));
    }

    /** The member is the /sync leader or one of its standbys. */
    public boolean leaderOrStandby(String name) {
        return name != null && (name.equalsIgnoreCase(leader) || matches(name));
    }
}
