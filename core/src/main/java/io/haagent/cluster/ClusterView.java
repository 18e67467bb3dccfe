package io.haagent.cluster;

import io.haagent.config.DynamicConfig;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One immutable snapshot of everything under {@code /<namespace>/<scope>/}, read once per HA cycle
 * (STYLE 3: no rule reads the live store halfway through a decision).
 *
 * @param initialize null when the key is absent, "" while a bootstrap is in progress, else the system id
 * @param config     null when the key is absent
 * @param leader     null when nobody holds the leader lock
 * @param failover   null when there is no request (absent or {@code {}})
 * @param failsafe   null when the key is absent or invalid
 * @param revision   the etcd revision this view was read at
 */
public record ClusterView(
        String initialize,
        ClusterConfig config,
        Leader leader,
        ClusterStatus status,
        List<Member> members,
        FailoverRequest failover,
        SyncState sync,
        TimelineHistory history,
        Map<String, String> failsafe,
        long revision) {

    public static final ClusterView EMPTY = new ClusterView(null, null, null, ClusterStatus.EMPTY, List.of(), null,
            SyncState.EMPTY, TimelineHistory.ABSENT, null, 0);

    public ClusterView {
        status = status == null ? ClusterStatus.EMPTY : status;
        members = members == null ? List.of()
                : members.stream().sorted(Comparator.comparing(Member::name)).toList();
        sync = sync == null ? SyncState.EMPTY : sync;
        history = history == null ? TimelineHistory.ABSENT : history;
        failover = failover == null || failover.isEmpty() ? null : failover;
    }

    public Optional<Member> member(String name) {
        return members.stream().filter(m -> m.name().equals(name)).findFirst();
    }

    public boolean isUnlocked() {
        return leader == null || leader.name() == null || leader.name().isEmpty();
    }

    public String leaderName() {
        return isUnlocked() ? null : leader.name();
    }

    /** The leader's member key, when the lock is held and its holder's member key exists. */
    public Optional<Member> leaderMember() {
        return isUnlocked() ? Optional.empty() : member(leader.name());
    }

    /** The dynamic configuration in force: the {@code config} key, or defaults when absent. */
    public DynamicConfig dynamic() {
        return config == null ? DynamicConfig.DEFAULTS : config.dynamic();
    }

    public boolean isPaused() {
        return dynamic().pause();
    }

    /** Synchronous mode is on and {@code /sync} names a leader (§3.4 rule 8). */
    public boolean isSyncModeActive() {
        return dynamic().synchronousModeEffective() && !sync.isEmpty();
    }

    /** Quorum commit requested and active: the primary has written its name into {@code sync} (§4.9). */
    public boolean isQuorumCommitActive() {
        return isSyncModeActive() && dynamic().quorumCommit();
    }

    public long timeline() {
        return history.clusterTimeline();
    }

    /** The leader's last published WAL position ({@code status.optime}); 0 when unknown. */
    public long lastLsn() {
        return status.optime();
    }

    public boolean isInitializing() {
        return "".equals(initialize);
    }
}
