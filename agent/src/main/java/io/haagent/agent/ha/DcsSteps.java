package io.haagent.agent.ha;

import io.haagent.cluster.ClusterView;
import io.haagent.dcs.Dcs;
import io.haagent.ha.Action;
import io.haagent.slots.RetainedSlots;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor's etcd steps: the leader key (take, renew on acquire, release, delete an unusable one),
 * {@code initialize}, {@code config}, {@code failover}, {@code sync} and {@code history}. A step that loses its race
 * or CAS returns false and stops the decision's chain; every write carries the revision the decision was made on.
 */
final class DcsSteps {
    private static final Logger LOG = LoggerFactory.getLogger(DcsSteps.class);

    private final String name;
    private final Dcs dcs;
    private final LockBelief lock;
    private final LoopContext loop;
    private final io.haagent.time.Clock clock;
    private final io.haagent.pg.PostgresControl pg;
    private final RetainedSlots retained = new RetainedSlots();

    DcsSteps(String name, Dcs dcs, io.haagent.pg.PostgresControl pg, LockBelief lock, LoopContext loop,
            io.haagent.time.Clock clock) {
        this.name = name;
        this.pg = pg;
        this.dcs = dcs;
        this.lock = lock;
        this.loop = loop;
        this.clock = clock;
    }

    /** Patroni 4.1 resets the retention time of the slots listed in status.retain_slots when it takes the lock. */
    private void leadershipTaken() {
        ClusterView v = loop.cluster();
        retained.leadershipTaken(v == null ? List.of() : v.status().retainSlots(), clock.now().toEpochMilli());
    }

    void register(ActionExecutor ex) {
        // the status and failsafe keys: a failed write is logged (StatusKeys) and tried again next cycle
        ex.on(Action.WriteStatus.class, (a, u) -> {
            StatusKeys.writeStatus(dcs, pg, name, loop.dynamic(), a.walPosition(), loop.cluster(), retained,
                    clock.now().toEpochMilli());
            return true;
        });
        ex.on(Action.WriteFailsafe.class, (a, u) -> {
            if (loop.cluster() != null) {
                Map<String, String> written = StatusKeys.writeFailsafe(dcs, name, loop.apiUrl(), loop.cluster());
                if (written != null) {
                    loop.failsafeContacts().wrote(written);
                }
            }
            return true;
        });
        ex.on(Action.AcquireLock.class, (a, u) -> {
            long sent = clock.nanoTime();
            boolean ok = dcs.acquireLeader();
            if (ok) {
                lock.confirm(sent, loop.dynamic().ttl());
                leadershipTaken();
                LOG.info("acquired the leader lock");
                loop.roleChanges().phase("acquire_lock");
            } else {
                LOG.info("Could not take out TTL lock");
            }
            return ok;
        });
        ex.on(Action.TakeLeader.class, (a, u) -> {
            long sent = clock.nanoTime();
            boolean ok = dcs.takeLeader();
            if (ok) {
                lock.confirm(sent, loop.dynamic().ttl());
                leadershipTaken();
            }
            return ok;
        });
        ex.on(Action.ReleaseLock.class, (a, u) -> {
            // Safety rule 1: stop believing (and answering /primary 200) before anybody else can take the key.
            lock.releasing(() -> dcs.releaseLeader(a.lastLsn()));
            LOG.info("Leader key released");
            return true;
        });
        ex.on(Action.DeleteUnusableLeader.class, (a, u) -> {
            if (dcs.deleteLeader(a.expectedRevision())) {
                LOG.warn("deleted the leader key: it named no member (mod_revision {})", a.expectedRevision());
            } else {
                LOG.info("the unusable leader key changed meanwhile; left as it is");
            }
            return true;
        });
        ex.on(Action.WriteInitialize.class, (a, u) -> dcs.initialize(a.createNew(), a.sysid()));
        ex.on(Action.CancelInitialization.class, (a, u) -> {
            dcs.cancelInitialization();
            return true;
        });
        ex.on(Action.WriteConfig.class, (a, u) -> dcs.setConfig(a.config(), Dcs.ANY_REVISION));
        ex.on(Action.WriteFailover.class, (a, u) -> {
            // clearing or rewriting the request never holds up what follows (e.g. the promotion)
            if (!dcs.setFailover(a.request(), a.expectedRevision())) {
                LOG.info("failover key changed meanwhile; left as it is");
            }
            return true;
        });
        ex.on(Action.WriteSync.class, (a, u) -> {
            boolean ok = dcs.setSync(a.state(), a.expectedRevision());
            if (!ok) {
                LOG.info("Synchronous replication key updated by someone else");
            }
            return ok;
        });
        ex.on(Action.DeleteSync.class, (a, u) -> {
            if (dcs.deleteSync(a.expectedRevision())) {
                LOG.info("Disabled synchronous replication");
            }
            return true;
        });
        ex.onThrowing(Action.UpdateHistory.class, (a, u) -> {
            updateHistory(((Action.UpdateHistory) a).primaryTimeline());
            return true;
        });
    }

    private void updateHistory(long timeline) throws IOException {
        ClusterView view = loop.cluster();
        if (view == null) {
            return;
        }
        var current = view.history();
        if (timeline <= 1) {
            if (!current.absent() && !current.lines().isEmpty() || current.absent()) {
                if (!current.lines().isEmpty()) {
                    dcs.setHistory(new io.haagent.cluster.TimelineHistory(List.of(), false, 0));
                }
            }
            return;
        }
        var lines = current.lines();
        if (!lines.isEmpty() && lines.get(lines.size() - 1).parentTimeline() == timeline - 1
                && lines.get(lines.size() - 1).timestamp() != null && lines.get(lines.size() - 1).newLeader() != null) {
            return;
        }
        var file = pg.timelineHistoryFile(timeline);
        if (file == null) {
            return;
        }
        var entries = io.haagent.pg.PgTimelineHistory.parse(file.content());
        var merged = TimelineHistoryMerge.merge(entries, lines, file.modified(), name,
                loop.dynamic().maxTimelinesHistory());
        if (!merged.isEmpty()) {
            dcs.setHistory(new io.haagent.cluster.TimelineHistory(merged, false, 0));
        }
    }
}
