package io.haagent.agent.ha;

import io.haagent.api.CandidateCheck;
import io.haagent.api.ConfigRejection;
import io.haagent.api.DecisionRecord;
import io.haagent.api.NodeSnapshot;
import io.haagent.api.RestartRequest;
import io.haagent.api.StatusBoard;
import io.haagent.cluster.ClusterView;
import io.haagent.cluster.Lsn;
import io.haagent.config.AgentConfig;
import io.haagent.config.DynamicConfig;
import io.haagent.ha.Action;
import io.haagent.ha.RoleChangeRecord;
import io.haagent.pg.PostgresControl;
import io.haagent.pg.PostgresException;
import io.haagent.pg.ServerStatus;
import io.haagent.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the REST API serves of this node (the {@link StatusBoard}): the loop's snapshot at the end of each cycle
 * with its decision record, and between cycles the newer postgres readings (the lazy refresher's, or a promotion
 * that just ended) and the lock belief and step-down state the moment they change. The newest postgres reading
 * wins, whoever read it.
 */
final class Publisher {
    private static final Logger LOG = LoggerFactory.getLogger(Publisher.class);

    /** The loop's facts a snapshot shows besides the observation. */
    record Facts(AgentConfig config, ClusterView view, ClusterView rawView, long viewNanos, DynamicConfig dynamic,
            boolean failsafeActive, long dcsLastSeenEpoch, RestartRequest scheduledRestart, long nextRunNanos,
            RoleChangeClock roleChanges, ConfigRejection configRejection, boolean watchdogFailed) {
    }

    private final StatusBoard board;
    private final Clock clock;
    private final NodeState node;
    private final LockBelief lock;
    private final PostgresControl pg;
    /** Guards the published postgres status: the newest reading wins, whether the loop's or the refresher's. */
    private final Object statusLock = new Object();
    private ServerStatus freshStatus;
    private long freshStatusNanos;
    private long publishedStatusNanos;
    private volatile DecisionRecord lastDecision;

    Publisher(StatusBoard board, Clock clock, NodeState node, LockBelief lock, PostgresControl pg) {
        this.board = board;
        this.clock = clock;
        this.node = node;
        this.lock = lock;
        this.pg = pg;
    }

    /** The decision record of the last cycle whose sentence or role change differed (answers "why did it do that?"). */
    DecisionRecord lastDecision() {
        return lastDecision;
    }

    /** When the newest published postgres reading was started. */
    long newestReadingNanos() {
        synchronized (statusLock) {
            return Math.max(publishedStatusNanos, freshStatusNanos);
        }
    }

    void update(UnaryOperator<NodeSnapshot> change) {
        synchronized (statusLock) {
            board.update(change);
        }
    }

    /**
     * A monitoring result read between cycles (§2.4: Patroni answers GET /patroni from a live query, and peers
     * compare the WAL positions in it during elections and switchover checks): it replaces the published postgres
     * status when it is newer than what the last cycle published.
     */
    void offerFreshStatus(ServerStatus st, long readStartedNanos) {
        synchronized (statusLock) {
            if (readStartedNanos <= publishedStatusNanos || readStartedNanos <= freshStatusNanos) {
                return;
            }
            freshStatus = st;
            freshStatusNanos = readStartedNanos;
            board.update(s -> s.toBuilder().postgres(SnapshotBuilder.postgres(st, node)).build());
        }
    }

    /** The cycle's snapshot and decision record. */
    void publish(Observation obs, long obsNanos, String summary, List<Action> actions, RoleChangeRecord roleChange,
            Facts f) {
        List<CandidateCheck> candidates = new ArrayList<>();
        if (roleChange != null) {
            for (RoleChangeRecord.Candidate c : roleChange.candidates()) {
                candidates.add(new CandidateCheck(c.name(), c.eligible(), c.reason()));
            }
        }
        Map<String, String> inputs = new LinkedHashMap<>();
        ClusterView v = f.view();
        inputs.put("leader", v == null ? "unknown (etcd unreachable)" : v.isUnlocked() ? "none" : v.leaderName());
        inputs.put("lock", lock.held() ? "held" : "not held");
        inputs.put("postgres", node.state() + " as " + node.role().wire());
        inputs.put("wal_position", Lsn.of(obs.local().walPosition()).toString());
        inputs.put("timeline", String.valueOf(obs.local().timeline()));
        if (v != null) {
            inputs.put("last_leader_lsn", Lsn.of(v.lastLsn()).toString());
        }
        DecisionRecord record = new DecisionRecord(clock.now(), summary,
                actions.stream().map(ActionExecutor::describe).toList(), inputs, candidates);
        DecisionRecord last = lastDecision;
        if (roleChange != null || last == null || !summary.equals(last.summary())) {
            lastDecision = record;
        } else {
            lastDecision = new DecisionRecord(clock.now(), summary, last.actions(), last.inputs(), last.candidates());
        }
        synchronized (statusLock) {
            Observation shown = obs;
            if (freshStatus != null && freshStatusNanos > obsNanos) {
                // the refresher read postgres after this cycle did: publish the newer reading
                shown = new Observation(obs.local(), freshStatus, obs.controlData(), false, null);
            }
            publishedStatusNanos = Math.max(obsNanos, freshStatusNanos);
            board.publish(SnapshotBuilder.build(f.config(), shown, node, lock, f.rawView(), f.viewNanos(), f.dynamic(),
                    f.failsafeActive(), f.dcsLastSeenEpoch(), f.scheduledRestart(), f.nextRunNanos(), lastDecision,
                    f.roleChanges().last(), f.roleChanges().stats()).toBuilder().configRejection(f.configRejection())
                    .watchdogFailed(f.watchdogFailed()).build());
        }
    }

    /** {@link LoopContext#publishNow()}. */
    void publishNow() {
        synchronized (statusLock) {
            board.update(s -> withBeliefs(s.toBuilder()).build());
        }
    }

    /** {@link LoopContext#publishPostgresNow()}. */
    void publishPostgresNow() {
        long started = clock.nanoTime();
        ServerStatus st = null;
        try {
            if (pg.isRunning()) {
                st = pg.state();
            }
        } catch (PostgresException e) {
            LOG.debug("status read to publish at once: {}", e.getMessage());
        }
        synchronized (statusLock) {
            NodeSnapshot.Builder b = withBeliefs(board.current().toBuilder());
            if (st != null && started > publishedStatusNanos && started > freshStatusNanos) {
                freshStatus = st;
                freshStatusNanos = started;
                b.postgres(SnapshotBuilder.postgres(st, node));
            }
            board.publish(b.build());
        }
    }

    /** The lock belief and the step-down state as they are now. */
    private NodeSnapshot.Builder withBeliefs(NodeSnapshot.Builder b) {
        if (lock.flagged()) {
            b.leaderLockUntil(lock.deadlineNanos());
        } else {
            b.noLeaderLock();
        }
        return b.steppingDown(node.steppingDown(), node.steppingDownTo());
    }
}
