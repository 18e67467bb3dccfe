package io.haagent.cluster;

import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * The {@code sync} key (§4.9): which primary manages synchronous replication and which standbys it has
 * verified as synchronous. Only these may win an automatic election while synchronous mode is active.
 * In quorum commit (Patroni 4's {@code synchronous_mode: quorum}) the standbys are the voters and {@code quorum} is
 * how many of the leader and voters a candidate must have compared its position with before it may promote.
 *
 * @param quorum the key's {@code quorum} field, null when absent (Patroni 3 and ha-agent outside quorum mode)
 */
public record SyncState(String leader, List<String> syncStandbys, Integer quorum, long modRevision) {
    public static final SyncState EMPTY = new SyncState(null, List.of(), 0);

    public SyncState {
        syncStandbys = syncStandbys == null ? List.of() : List.copyOf(new TreeSet<>(syncStandbys));
    }

    public SyncState(String leader, List<String> syncStandbys, long modRevision) {
        this(leader, syncStandbys, null, modRevision);
    }

    /** The quorum, 0 when absent. */
    public int quorumOrZero() {
        return quorum == null ? 0 : quorum;
    }

    /** The leader and the voters (Patroni's {@code SyncState.members}), empty when the key is. */
    public List<String> members() {
        if (leader == null) {
            return List.of();
        }
        java.util.List<String> out = new java.util.ArrayList<>();
        out.add(leader);
        out.addAll(syncStandbys);
        return out;
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
