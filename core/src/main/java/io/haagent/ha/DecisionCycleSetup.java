package io.haagent.ha;

import io.haagent.cluster.FailoverRequest;
import io.haagent.cluster.Member;
import io.haagent.cluster.PostgresState;
import io.haagent.cluster.Role;
import io.haagent.config.DynamicConfig;
import io.haagent.pg.CallbackAction;
import io.haagent.pg.ControlData;
import io.haagent.pg.StopMode;
import java.util.concurrent.TimeUnit;

/**
 * Steps 5 to 10 of the cycle (§3.2): a long action in progress, a starting instance, the end of a bootstrap or of
 * a recovery, an empty data directory (bootstrap or clone), the system identifier, postgres not running (§3.6);
 * and the manual failover and scheduled restart rules (§3.5).
 */
abstract class DecisionCycleSetup extends DecisionCycleBase {

    DecisionCycleSetup(HaInput in) {
        super(in);
    }

    // ------------------------------------------------------------------ step 5

    String longActionInProgress() {
        LongAction action = in.longAction();
        if (in.hasLock()) {
            if (action.kind() == LongAction.Kind.CRASH_RECOVERY) {
                long elapsed = seconds(in.nowNanos() - mem.crashRecoveryStartedNanos());
                if (cfg.primaryStartTimeout() - elapsed <= 0 && election().isFailoverPossible(0, false)) {
                    plan.add(new Action.CancelLongAction());
                    plan.add(new Action.Demote(DemoteMode.IMMEDIATE));
                    recordDemote(RoleChangeRecord.Kind.CRASH_RESTART,
                            "terminated crash recovery because of startup timeout");
                    return "terminated crash recovery because of startup timeout";
                }
            }
            return "updated leader lock during " + action.name();
        }
        if (!mem.bootstrapping() && !cluster.isPaused()) {
            if (action.kind() == LongAction.Kind.PROMOTE) {
                // the executor checks the cancel flag before it runs pg_ctl promote
                plan.add(new Action.CancelLongAction());
                return "lost leader before promote";
            }
            if (local.role().isPrimary() || local.primary()) {
                plan.add(new Action.CancelLongAction());
                plan.add(new Action.Demote(DemoteMode.IMMEDIATE_NOLOCK));
                recordDemote(RoleChangeRecord.Kind.DEMOTE, "lost leader lock during " + action.name());
                return "lost leader lock during " + action.name();
            }
        }
        return action.name() + " in progress";
    }

    // ------------------------------------------------------------------ step 6

    String startingInstance() {
        if (!local.starting() || cluster.isPaused()) {
            if (mem.startTimeoutSeconds() != null && !local.starting()) {
                mem = mem.withStartTimeout(null);
            }
            if (cluster.isPaused()) {
                String s = local.running() ? PostgresState.RUNNING : PostgresState.STOPPED;
                if (!s.equals(pgState)) {
                    plan.add(new Action.SetState(s));
                    pgState = s;
                }
            }
            return null;
        }
        if (in.lock() == LockStatus.LOST) {
            plan.add(new Action.Demote(DemoteMode.IMMEDIATE_NOLOCK));
            recordDemote(RoleChangeRecord.Kind.DEMOTE,
                    "stopped PostgreSQL while starting up because leader key was lost");
            return "stopped PostgreSQL while starting up because leader key was lost";
        }
        if (in.hasLock()) {
            int timeout = mem.startTimeoutSeconds() != null ? mem.startTimeoutSeconds() : cfg.primaryStartTimeout();
            long left = timeout - local.startingForSeconds();
            if (left <= 0) {
                if (election().isFailoverPossible(0, false)) {
                    plan.add(new Action.Demote(DemoteMode.IMMEDIATE));
                    recordDemote(RoleChangeRecord.Kind.CRASH_RESTART, "stopped PostgreSQL because of startup timeout");
                    return "stopped PostgreSQL because of startup timeout";
                }
                return "primary start has timed out, but continuing to wait because failover is not possible";
            }
            String msg = manualFailoverFromLeader();
            if (msg != null) {
                return msg;
            }
            return "PostgreSQL is still starting up, " + left + " seconds until timeout";
        }
        return null;
    }

    // ------------------------------------------------------------------ step 7, §1.7

    String postBootstrap() {
        if (!local.running() || Boolean.FALSE.equals(mem.bootstrapResult())) {
            // §1.7.6: undo the race, keep the evidence, stop
            plan.add(new Action.CancelInitialization());
            plan.add(new Action.StopPostgres(StopMode.IMMEDIATE));
            plan.add(new Action.QuarantineDataDirectory());
            plan.add(new Action.Exit("Failed to bootstrap cluster"));
            mem = mem.withBootstrapping(false, null);
            return "removing initialize key after failed attempt to bootstrap the cluster";
        }
        // a standby cluster's bootstrap ends in recovery, following the remote (Patroni: result True)
        boolean standby = cfg.isStandbyCluster();
        if (!local.primary() && !standby) {
            // a custom bootstrap's restore replays up to its target, then promotes
            return "waiting for end of recovery after bootstrap";
        }
        if (mem.bootstrapResult() == null) {
            plan.add(new Action.SetRole(Role.PRIMARY));
            plan.add(new Action.PostBootstrap());
            return "running post_bootstrap";
        }
        Role role = standby ? Role.STANDBY_LEADER : Role.PRIMARY;
        mem = mem.withBootstrapping(false, null).withOnStartFired(true).withCheckpointAfterPromotePending(false);
        plan.add(new Action.WriteInitialize(local.systemId(), cluster.initialize() == null, null));
        plan.add(new Action.WriteConfig(in.self().dynamicConfiguration()));
        plan.add(new Action.TakeLeader());
        plan.add(new Action.SetRole(role));
        DynamicConfig boot = DynamicConfig.from(in.self().dynamicConfiguration());
        if (boot.synchronousModeEffective() && !standby) {
            plan.add(new Action.SetSynchronousStandbyNames(java.util.List.of(), boot.synchronousModeStrict(), 0));
        }
        plan.add(new Action.FireCallback(CallbackAction.ON_START, role));
        roleChange = new RoleChangeRecord(RoleChangeRecord.Kind.BOOTSTRAP, "initialized a new cluster", null, 1, 0,
                java.util.List.of());
        // the next cycle at once: it creates the slots of the members waiting to clone us, before their
        // postgres starts (a walreceiver refused for a missing slot retries only after 5 s)
        nextCycleInMillis = 0L;
        return "initialized a new cluster";
    }

    // ------------------------------------------------------------------ step 8

    String postRecover() {
        if (!local.running()) {
            if (in.hasLock()) {
                if (local.role() == Role.PRIMARY || local.role() == Role.STANDBY_LEADER || local.role() == Role.PROMOTED) {
                    plan.add(new Action.SetRole(Role.DEMOTED));
                }
                plan.add(new Action.ReleaseLock(null));
                return "removed leader key after trying and failing to start postgres";
            }
            return "failed to start postgres";
        }
        return null;
    }

    // ------------------------------------------------------------------ step 9, §3.11

    String emptyDataDirectory() {
        boolean accessible = local.dataDir() != DataDirState.INACCESSIBLE;
        if (local.role() != Role.UNINITIALIZED) {
            plan.add(new Action.SetRole(Role.UNINITIALIZED));
        }
        if (local.running()) {
            plan.add(new Action.StopPostgres(StopMode.IMMEDIATE));
        }
        if (in.hasLock()) {
            plan.add(new Action.ReleaseLock(null));
            return "released leader key voluntarily as data dir " + (accessible ? "empty" : "not accessible")
                    + " and currently leader";
        }
        if (!accessible) {
            return "data directory is not accessible: " + local.dataDirError();
        }
        if (cluster.isPaused()) {
            return "running with empty data directory";
        }
        return bootstrap();
    }

    String bootstrap() {
        if (cluster.isUnlocked() && cluster.initialize() == null && !in.self().nofailover()
                && in.self().bootstrapConfigured()) {
            plan.add(new Action.WriteInitialize("", true, "failed to acquire initialize lock"));
            if (cfg.isStandbyCluster()) {
                var sc = cfg.standbyCluster();
                plan.add(new Action.BootstrapStandbyLeader(
                        FollowTarget.remote(sc.host(), sc.port(), sc.primarySlotName())));
                return "trying to bootstrap a new standby leader";
            }
            plan.add(new Action.Bootstrap(in.self().bootstrapMethod()));
            return "trying to bootstrap a new cluster";
        }
        Member clone = cloneMember();
        if (!cluster.isUnlocked() && clone != null) {
            boolean fromLeader = clone.name().equals(cluster.leaderName());
            String msg = "from " + (fromLeader ? "leader" : "replica") + " '" + clone.name() + "'";
            String wait = afterFailedClone(msg);
            if (wait != null) {
                return wait;
            }
            plan.add(new Action.CloneReplica(FollowTarget.member(clone.name(), clone.connUrl(), null), nodeToFollow(), msg));
            return "trying to bootstrap " + msg;
        }
        if (in.self().replicaWithoutLeader() && !cluster.isInitializing()) {
            String wait = afterFailedClone("(without leader)");
            if (wait != null) {
                return wait;
            }
            plan.add(new Action.CloneReplica(null, nodeToFollow(), "(without leader)"));
            return "trying to bootstrap (without leader)";
        }
        return "waiting for " + (cfg.isStandbyCluster() ? "standby_" : "") + "leader to bootstrap";
    }

    /**
     * Every replica creation method failed a moment ago: the next attempt waits until loop_wait has passed since
     * (Patroni's next cycle), not for the next wake-up of the loop (one attempt per finished action ran a
     * failing restore script more than ten times a second). Null when it may go ahead.
     */
    String afterFailedClone(String source) {
        long failed = mem.cloneFailedNanos();
        if (failed == 0) {
            return null;
        }
        long left = TimeUnit.SECONDS.toNanos(cfg.loopWait()) - (in.nowNanos() - failed);
        if (left <= 0) {
            return null;
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(left) + 1;
        nextCycleInMillis = nextCycleInMillis == null ? ms : Math.min(nextCycleInMillis, ms);
        return "failed to bootstrap " + source + ": trying again in "
                + Math.max(1, (left + TimeUnit.SECONDS.toNanos(1) - 1) / TimeUnit.SECONDS.toNanos(1)) + " seconds";
    }

    /** {@link CloneSource}; a leader key naming no member still names the member to clone from. */
    Member cloneMember() {
        Member m = CloneSource.pick(cluster, me);
        if (m == null && !cluster.isUnlocked()) {
            return Member.builder(cluster.leaderName()).build();
        }
        return m;
    }

    // ------------------------------------------------------------------ step 10, §1.7.8-9

    String checkSystemId() {
        String sysid = local.systemId();
        if (!LocalState.sysidValid(sysid)) {
            return "data dir for the cluster is not empty, but system ID is invalid; consider doing reinitialize";
        }
        if (LocalState.sysidValid(cluster.initialize())) {
            if (!cluster.initialize().equals(sysid)) {
                if (cluster.isPaused()) {
                    if (in.hasLock()) {
                        plan.add(new Action.ReleaseLock(null));
                        return "released leader key voluntarily due to the system ID mismatch";
                    }
                    return null;
                }
                String m = "system ID mismatch, node " + me + " belongs to a different cluster: "
                        + cluster.initialize() + " != " + sysid;
                plan.add(new Action.Exit(m));
                return m;
            }
        } else if (cluster.isUnlocked() && !cluster.isPaused() && !mem.onStartFired()) {
            // existing data, no initialize key: this node's data founds the cluster
            if (local.running() && !local.primary()) {
                String m = "No initialize key in DCS and PostgreSQL is running as replica, aborting start."
                        + " Please first start the agent on the node running as primary";
                plan.add(new Action.Exit(m));
                return m;
            }
            plan.add(new Action.WriteInitialize(sysid, cluster.initialize() == null, null));
        }
        return null;
    }

    // ------------------------------------------------------------------ §3.6 recover

    String recover() {
        Integer timeout = null;
        if (in.hasLock()) {
            timeout = cfg.primaryStartTimeout();
            if (timeout == 0 && election().isFailoverPossible(0, false)) {
                plan.add(new Action.Demote(DemoteMode.IMMEDIATE));
                recordDemote(RoleChangeRecord.Kind.FAILOVER, "stopped PostgreSQL to fail over after a crash");
                return "stopped PostgreSQL to fail over after a crash";
            }
        }
        ControlData.State control = local.controlState();
        if (timeout != null && timeout > 0
                && (control == ControlData.State.IN_PRODUCTION || control == ControlData.State.IN_CRASH_RECOVERY
                        || control == ControlData.State.SHUTTING_DOWN || control == ControlData.State.SHUT_DOWN)
                && PostgresState.CRASHED.equals(pgState)
                && local.role().isPrimary()
                && !local.recoveryConfExists()) {
            // We know we ran as the primary a moment ago: start it as primary again, same timeline.
            plan.add(new Action.StartPrimary(timeout));
            mem = mem.withRecovering(true).withOnStartFired(false);
            roleChange = new RoleChangeRecord(RoleChangeRecord.Kind.CRASH_RESTART, "starting primary after failure", me,
                    cluster.timeline(), cluster.lastLsn(), java.util.List.of());
            return "starting primary after failure";
        }
        if (control == ControlData.State.IN_PRODUCTION || control == ControlData.State.SHUTTING_DOWN
                || control == ControlData.State.IN_CRASH_RECOVERY) {
            String msg = crashRecovery();
            if (msg != null) {
                return msg;
            }
        }
        FollowTarget target;
        Role role = Role.REPLICA;
        String msg;
        if (in.hasLock() && !cfg.isStandbyCluster()) {
            mem = mem.withRewind(RewindState.INITIAL);
            msg = "starting as readonly because i had the session lock";
            target = FollowTarget.NONE;
        } else {
            if (!mem.rewind().executed()) {
                mem = mem.triggerRewindCheck();
            }
            msg = rewindOrReinitialize();
            if (msg != null) {
                return msg;
            }
            if (in.hasLock()) {
                msg = "starting as a standby leader because i had the session lock";
                role = Role.STANDBY_LEADER;
                target = nodeToFollow();
            } else if (cfg.isStandbyCluster() && cluster.isUnlocked()) {
                msg = "trying to follow a remote member because standby cluster is unhealthy";
                target = remoteMember();
            } else {
                msg = "starting as a secondary";
                target = nodeToFollow();
            }
            if (cfg.synchronousModeEffective()) {
                plan.add(new Action.SetSynchronousStandbyNames(java.util.List.of(), false, 0));
            }
        }
        String diverged = checkBeforeStart(target);
        if (diverged != null) {
            return diverged;
        }
        // a node that was (or is leaving) another role announces the change; a replica restarting announces a start
        Role before = roleNow();
        CallbackAction callback = before.isPrimary() || before == Role.DEMOTED
                || before != role && before != Role.REPLICA ? CallbackAction.ON_ROLE_CHANGE : CallbackAction.ON_START;
        plan.add(new Action.StartReplica(target, role, timeout, "restarting after failure", callback));
        mem = mem.withRecovering(true).withOnStartFired(false);
        return msg;
    }
    /**
     * §4.7: a divergence check due (CHECK) is made against the member a stopped replica is about to follow before it
     * starts (second phase, as the running replica's), so that a diverged postgres stays down and is rewound (or
     * reinitialized) instead of being started only to be stopped again. Null when it may start.
     */
    String checkBeforeStart(FollowTarget target) {
        if (mem.rewind() != RewindState.CHECK || target.isNone() || target.remote() || !canRewindOrReinitialize()) {
            return null;
        }
        Member upstream = cluster.member(target.memberName()).orElse(null);
        if (upstream == null || upstream.host() == null) {
            return null;
        }
        if (in.divergence() == null) {
            throw new HaDecider.DivergenceCheckRequired(upstream);
        }
        RewindState after = RewindState.after(in.divergence());
        if (after != null) {
            mem = mem.withRewind(after);
        }
        return RewindState.keepsPostgresDown(in.divergence()) ? rewindOrReinitialize() : null;
    }

    // ------------------------------------------------------------------ §3.5

    String failoverActionName(FailoverRequest f) {
        return f.leader() != null ? "switchover" : "manual failover";
    }

    /** Patroni's {@code process_manual_failover_from_leader}; null when it does not demote us. */
    String manualFailoverFromLeader() {
        FailoverRequest f = cluster.failover();
        if (f == null || cluster.isPaused() && !local.primary()) {
            return null;
        }
        String action = failoverActionName(f);
        if (f.scheduledAt() != null) {
            if (cluster.isPaused()) {
                return null;
            }
            long deltaMillis = f.scheduledAt().toInstant().toEpochMilli() - in.now().toEpochMilli();
            if (deltaMillis > 0) {
                // wait for the exact time: ask the loop to come back then, not at the next tick
                if (deltaMillis <= TimeUnit.SECONDS.toMillis(cfg.loopWait())) {
                    nextCycleInMillis = deltaMillis;
                }
                return null;
            }
            if (deltaMillis < -(long) (cfg.loopWait() * 1.5 * 1000)) {
                plan.add(new Action.WriteFailover(FailoverRequest.of(null, null, null), f.modRevision()));
                return null;
            }
        }
        if (f.leader() == null || f.leader().equals(me)) {
            if (f.candidate() == null || !f.candidate().equals(me)) {
                if (!(f.candidate() == null && cluster.isPaused())
                        && election().isFailoverPossible(0, false)) {
                    plan.add(new Action.Demote(DemoteMode.GRACEFUL));
                    recordDemote(f.leader() != null ? RoleChangeRecord.Kind.SWITCHOVER
                            : RoleChangeRecord.Kind.FAILOVER, action + ": demoting myself");
                    return action + ": demoting myself";
                }
            }
        }
        plan.add(new Action.WriteFailover(FailoverRequest.of(null, null, null), f.modRevision()));
        return null;
    }

    abstract Action.Restart restart(Integer timeoutSeconds);

    abstract boolean restartMatches(String role, Integer postgresVersion, boolean restartPending);

    /** Scheduled restart (§3.5); null when none is due. */
    String scheduledRestart() {
        ScheduledRestart r = in.scheduledRestart();
        if (r == null || in.longAction() != null || plan.hasLong()) {
            return null;
        }
        if (r.postmasterStartTime() != null && local.postmasterStartTime() != null
                && !r.postmasterStartTime().equals(local.postmasterStartTime())) {
            plan.add(new Action.ClearScheduledRestart());
            return null;
        }
        if (cluster.isPaused()) {
            return null;
        }
        long deltaMillis = r.schedule().toEpochMilli() - in.now().toEpochMilli();
        if (deltaMillis > 0) {
            if (deltaMillis <= TimeUnit.SECONDS.toMillis(cfg.loopWait())) {
                nextCycleInMillis = deltaMillis;
            }
            return null;
        }
        plan.add(new Action.ClearScheduledRestart());
        if (deltaMillis < -(long) (cfg.loopWait() * 1.5 * 1000)) {
            return null;
        }
        if (!restartMatches(r.role(), r.postgresVersion(), r.restartPending())) {
            return "restart conditions are not satisfied";
        }
        plan.add(restart(r.timeoutSeconds()));
        return "restarting after scheduled restart";
    }

}
