package io.haagent.agent.ha;

import io.haagent.api.RoleChangeKind;
import io.haagent.cluster.ClusterView;
import io.haagent.ha.Action;
import io.haagent.ha.Decision;
import io.haagent.ha.RoleChangeRecord;
import io.haagent.time.Clock;

/**
 * When a role change began, for its timings (/patroni, /metrics): a failover counts from the moment the leader key
 * was first seen missing, a crash restart from the postmaster's death, not from the cycle that acted on them.
 */
final class RoleChangeStart {
    private final Clock clock;
    private final RoleChangeClock roleChanges;
    private final NodeState node;
    private long leaderMissingSinceNanos;
    private volatile long postmasterDiedNanos;

    RoleChangeStart(Clock clock, RoleChangeClock roleChanges, NodeState node) {
        this.clock = clock;
        this.roleChanges = roleChanges;
        this.node = node;
    }

    /** The postmaster died unexpectedly (the postmaster listener's thread). */
    void postmasterDied() {
        postmasterDiedNanos = clock.nanoTime();
    }

    /** Each cycle's view: notes when the leader key went missing. */
    void sawView(ClusterView v, long now) {
        if (v.isUnlocked()) {
            if (leaderMissingSinceNanos == 0) {
                leaderMissingSinceNanos = now;
            }
        } else {
            leaderMissingSinceNanos = 0;
        }
    }

    /** Starts the clock of the role change the decision records, if it is one this node takes part in. */
    void begin(Decision d) {
        RoleChangeRecord r = d.roleChange();
        if (r == null) {
            return;
        }
        long now = clock.nanoTime();
        switch (r.kind()) {
            case FAILOVER -> {
                // the new primary (lock then promote), or the old one stepping down for a manual failover
                if (d.has(Action.AcquireLock.class) || d.has(Action.Promote.class) || d.has(Action.Demote.class)) {
                    roleChanges.begin(RoleChangeKind.FAILOVER, node.roleName(), r.decision(),
                            leaderMissingSinceNanos == 0 ? now : leaderMissingSinceNanos);
                }
            }
            case SWITCHOVER -> roleChanges.begin(RoleChangeKind.SWITCHOVER, node.roleName(), r.decision(),
                    d.has(Action.AcquireLock.class) && leaderMissingSinceNanos != 0 ? leaderMissingSinceNanos : now);
            case CRASH_RESTART -> roleChanges.begin(RoleChangeKind.CRASH_RESTART, node.roleName(), r.decision(),
                    postmasterDiedNanos == 0 ? now : postmasterDiedNanos);
            default -> {
            }
        }
    }
}
