package io.haagent.ha;

import io.haagent.cluster.ClusterView;
import io.haagent.cluster.FailoverRequest;
import io.haagent.cluster.Leader;
import io.haagent.cluster.Member;
import io.haagent.cluster.PostgresState;
import io.haagent.cluster.Role;
import io.haagent.config.DynamicConfig;
import io.haagent.pg.CallbackAction;
import io.haagent.pg.ControlData;
import io.haagent.pg.StopMode;
import io.haagent.text.SafeText;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The HA decision of one cycle (§3.2–3.10), as a pure function of {@link HaInput} (STYLE 1): no etcd, JDBC,
 * HTTP or process in here. The loop gathers the input, calls {@link #decide}, and hands the actions to the
 * executor. The steps follow Patroni 3.3's cycle in order; each returns the sentence operators read.
 */
public final class HaDecider {

    public Decision.Outcome decide(HaInput in) {
        try {
            return Decision.Outcome.of(new Cycle(in).run());
        } catch (Election.PeersRequired e) {
            return Decision.Outcome.needPeers(peersToAsk(in));
        } catch (FailsafeCheckRequired e) {
            return Decision.Outcome.needFailsafeCheck();
        } catch (DivergenceCheckRequired e) {
            return Decision.Outcome.needDivergenceCheck(e.leader);
        }
    }

    /** Every other member we know an {@code api_url} for: current members, last known members, failsafe key. */
    static Map<String, String> peersToAsk(HaInput in) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Member m : in.memory().lastKnownMembers()) {
            putPeer(out, in, m.name(), m.apiUrl());
        }
        if (in.cluster() != null) {
            if (in.cluster().failsafe() != null) {
                in.cluster().failsafe().forEach((n, u) -> putPeer(out, in, n, u));
            }
            for (Member m : in.cluster().members()) {
                putPeer(out, in, m.name(), m.apiUrl());
            }
        }
        return out;
    }

    private static void putPeer(Map<String, String> out, HaInput in, String name, String url) {
        if (!name.equals(in.name()) && url != null && !url.isBlank()) {
            out.put(name, url);
        }
    }

    /** The decision needs the divergence check's answer first (second phase, like the peers' answers). */
    static final class DivergenceCheckRequired extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient Member leader;

        DivergenceCheckRequired(Member leader) {
            super(null, null, false, false);
            this.leader = leader;
        }
    }

    static final class FailsafeCheckRequired extends RuntimeException {
        private static final long serialVersionUID = 1L;

        FailsafeCheckRequired() {
            super(null, null, false, false);
        }
    }

    /** One cycle's working state: the input, the actions so far, the memory to carry on. */
    private static final class Cycle {
        private final HaInput in;
        private final String me;
        private final LocalState local;
        private final Plan plan = new Plan();
        private ClusterView cluster;
        private DynamicConfig cfg;
        private HaMemory mem;
        private RoleChangeRecord roleChange;
        private Long nextCycleInMillis;
        private String pgState;

        Cycle(HaInput in) {
            this.in = in;
            this.me = in.name();
            this.local = in.local();
            this.mem = in.memory();
            this.pgState = local.pgState();
        }

        Decision run() {
            String summary = steps();
            if (cluster != null && cluster.isPaused()) {
                summary = "PAUSE: " + summary;
            }
            return new Decision(plan.actions(), summary, mem, roleChange, nextCycleInMillis,
                    election == null ? java.util.List.of() : election.notes());
        }

        private String steps() {
            if (!in.dcsAvailable()) {
                return dcsUnavailable();
            }
            cluster = in.cluster();
            // Patroni's global config: the config key, else this node's own (bootstrap.dcs or the last one seen),
            // so that a standby cluster's first node clones from the remote instead of running initdb
            cfg = cluster.config() == null || cluster.config().isEmpty()
                    ? DynamicConfig.from(in.self().dynamicConfiguration()) : cluster.dynamic();
            divergenceCheck();
            if (!cluster.isUnlocked()) {
                mem = mem.withLastKnownMembers(cluster.members());
            } else if (cfg.failsafeMode() && in.failsafeLeader() != null && !in.failsafeLeader().equals(me)) {
                // §3.2.1: the primary that recently called our POST /failsafe counts as the leader
                cluster = withLeader(cluster, in.failsafeLeader());
            }

            // a config key that changes postgresql.parameters: the loop has written postgres' files, postgres
            // re-reads them (a stopped postgres reads them when it starts). The first cycle adopts what runs.
            if (mem.appliedParameters() == null) {
                mem = mem.withAppliedParameters(cfg.parameters());
            } else if (!mem.appliedParameters().equals(cfg.parameters())) {
                if (local.running()) {
                    plan.add(new Action.ApplyParameters());
                }
                mem = mem.withAppliedParameters(cfg.parameters());
            }

            // step 2: pause bookkeeping
            if (cluster.isPaused()) {
                mem = mem.withWasPaused(true);
            } else if (mem.wasPaused()) {
                // people may have done things by hand during the pause: check rewind conditions again
                mem = mem.withWasPaused(false).withRewind(RewindState.INITIAL);
            }

            // step 4: the lock holder repairs initialize and config
            if (in.hasLock() && !LocalState.sysidValid(cluster.initialize()) && LocalState.sysidValid(local.systemId())) {
                plan.add(new Action.WriteInitialize(local.systemId(), cluster.initialize() == null, null));
            }
            if (in.hasLock() && (cluster.config() == null || cluster.config().isEmpty())) {
                plan.add(new Action.WriteConfig(in.self().dynamicConfiguration()));
            }

            // step 5
            if (in.longAction() != null) {
                return longActionInProgress();
            }
            // step 6
            String msg = startingInstance();
            if (msg != null) {
                return msg;
            }
            // step 7
            if (mem.bootstrapping()) {
                return postBootstrap();
            }
            // step 8
            if (mem.recovering()) {
                mem = mem.withRecovering(false);
                if (mem.rewind() != RewindState.NEEDED) {
                    msg = postRecover();
                    if (msg != null) {
                        return msg;
                    }
                }
                mem = mem.withCrashRecoveryStarted(0);
                if (mem.rewind() == RewindState.SUCCESS) {
                    // rewound from the leader and started: in line with it, nothing to check on start
                    mem = mem.withRewind(RewindState.NOT_NEEDED);
                }
            }
            // step 9
            if (local.dataDir() != DataDirState.VALID) {
                return emptyDataDirectory();
            }
            // step 10
            msg = checkSystemId();
            if (msg != null) {
                return msg;
            }
            // step 11
            if (!local.healthy()) {
                if (cluster.isPaused()) {
                    if (!PostgresState.STOPPED.equals(pgState)) {
                        plan.add(new Action.SetState(PostgresState.STOPPED));
                        pgState = PostgresState.STOPPED;
                    }
                    if (in.hasLock()) {
                        plan.add(new Action.ReleaseLock(null));
                        return "removed leader lock because postgres is not running";
                    }
                    boolean rewindPending = mem.rewind() == RewindState.NEEDED && canRewindOrReinitialize();
                    if (mem.rewind() == RewindState.FAILED || !mem.rewind().executed() && !rewindPending) {
                        return "postgres is not running";
                    }
                }
                if (PostgresState.RUNNING.equals(pgState) || PostgresState.STARTING.equals(pgState)) {
                    pgState = PostgresState.CRASHED;
                    plan.add(new Action.SetState(PostgresState.CRASHED));
                }
                return recover();
            }
            // step 12
            String ret;
            if (cluster.isUnlocked()) {
                ret = unhealthyCluster();
            } else {
                msg = healthyCluster();
                String restart = scheduledRestart();
                ret = restart != null ? restart : msg;
            }
            // step 13
            boolean promoting = plan.has(Action.Promote.class);
            boolean busy = plan.hasLong() && !promoting;
            if (!busy && !local.starting() && !plan.has(Action.Demote.class)) {
                plan.add(new Action.SyncSlots());
                if (!mem.onStartFired()) {
                    // NOT_NEEDED here: checked against the leader just before this start, or cloned from it
                    if (!promoting && !local.primary() && mem.rewind() != RewindState.NOT_NEEDED) {
                        mem = mem.triggerRewindCheck();
                        if (mem.rewind() == RewindState.CHECK) {
                            // check at once, while the leader we started under is there to be asked, rather
                            // than at a later wake-up (a switchover's, when that leader is shutting down)
                            nextCycleInMillis = 0L;
                        }
                    }
                    plan.add(new Action.FireCallback(CallbackAction.ON_START, local.role()));
                    mem = mem.withOnStartFired(true);
                }
            }
            return ret;
        }

        // ------------------------------------------------------------------ §3.8 DCS unreachable

        private String dcsUnavailable() {
            // the pause flag comes from the last view we had; without one assume not paused (the safe side
            // for a primary: it demotes)
            boolean paused = in.memory().wasPaused();
            if (!paused && local.running() && local.primary()) {
                boolean failsafe = lastConfig().failsafeMode();
                if (failsafe) {
                    if (in.failsafeTopologyOk() == null) {
                        throw new FailsafeCheckRequired();
                    }
                    if (in.failsafeTopologyOk()) {
                        plan.add(new Action.KeepLeaderByFailsafe());
                        return "continue to run as a leader because failsafe mode is enabled and all members are accessible";
                    }
                }
                // Safety rule 2: we cannot renew, so another node may be elected once our lease expires.
                // Stop accepting writes before that can happen.
                if (in.longAction() != null) {
                    plan.add(new Action.CancelLongAction());
                }
                plan.add(new Action.Demote(DemoteMode.OFFLINE));
                roleChange = new RoleChangeRecord(RoleChangeRecord.Kind.DEMOTE,
                        "demoting self because DCS is not accessible and I was a leader", me, 0, local.walPosition(),
                        java.util.List.of());
                return "demoting self because DCS is not accessible and I was a leader";
            }
            return "DCS is not accessible";
        }

        private DynamicConfig lastConfig() {
            return DynamicConfig.from(in.self().dynamicConfiguration());
        }

        // ------------------------------------------------------------------ step 5

        private String longActionInProgress() {
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

        private String startingInstance() {
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

        private String postBootstrap() {
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
                return "waiting for end of recovery after bootstrap";
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

        private String postRecover() {
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

        private String emptyDataDirectory() {
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

        private String bootstrap() {
            if (cluster.isUnlocked() && cluster.initialize() == null && !in.self().nofailover()
                    && in.self().bootstrapConfigured()) {
                plan.add(new Action.WriteInitialize("", true, "failed to acquire initialize lock"));
                if (cfg.isStandbyCluster()) {
                    var sc = cfg.standbyCluster();
                    plan.add(new Action.BootstrapStandbyLeader(
                            FollowTarget.remote(sc.host(), sc.port(), sc.primarySlotName())));
                    return "trying to bootstrap a new standby leader";
                }
                plan.add(new Action.Bootstrap());
                return "trying to bootstrap a new cluster";
            }
            Member clone = cloneMember();
            if (!cluster.isUnlocked() && clone != null) {
                boolean fromLeader = clone.name().equals(cluster.leaderName());
                String msg = "from " + (fromLeader ? "leader" : "replica") + " '" + clone.name() + "'";
                plan.add(new Action.CloneReplica(FollowTarget.member(clone.name(), clone.connUrl(), null), msg));
                return "trying to bootstrap " + msg;
            }
            if (in.self().replicaWithoutLeader() && !cluster.isInitializing()) {
                plan.add(new Action.CloneReplica(null, "(without leader)"));
                return "trying to bootstrap (without leader)";
            }
            return "waiting for " + (cfg.isStandbyCluster() ? "standby_" : "") + "leader to bootstrap";
        }

        /** {@link CloneSource}; a leader key naming no member still names the member to clone from. */
        private Member cloneMember() {
            Member m = CloneSource.pick(cluster, me);
            if (m == null && !cluster.isUnlocked()) {
                return Member.builder(cluster.leaderName()).build();
            }
            return m;
        }

        // ------------------------------------------------------------------ step 10, §1.7.8-9

        private String checkSystemId() {
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

        private String recover() {
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
            boolean checkFirst = mem.rewind() == RewindState.CHECK && !target.isNone() && !target.remote()
                    && canRewindOrReinitialize();
            // a node that was (or is leaving) another role announces the change; a replica restarting announces a start
            Role before = roleNow();
            CallbackAction callback = before.isPrimary() || before == Role.DEMOTED
                    || before != role && before != Role.REPLICA ? CallbackAction.ON_ROLE_CHANGE : CallbackAction.ON_START;
            plan.add(new Action.StartReplica(target, role, timeout, "restarting after failure", checkFirst, callback));
            mem = mem.withRecovering(true).withOnStartFired(false);
            return msg;
        }

        private String crashRecovery() {
            if (mem.crashRecoveryStartedNanos() == 0 && (cluster.isUnlocked() || local.canRewind())) {
                plan.add(new Action.CrashRecovery());
                mem = mem.withCrashRecoveryStarted(in.nowNanos());
                return "doing crash recovery in a single user mode";
            }
            return null;
        }

        /**
         * §4.7: the previous cycle asked whether we diverged (CHECK); with a primary leader to compare with, ask
         * for the check (second phase) and read its answer. Not while a long action runs (it may be the rewind or
         * the clone itself), nor when neither pg_rewind nor a re-clone could act on the answer.
         */
        private void divergenceCheck() {
            if (mem.rewind() != RewindState.CHECK || cluster.isUnlocked() || me.equals(cluster.leaderName())
                    || local.primary() || in.longAction() != null || !canRewindOrReinitialize()) {
                return;
            }
            Member leader = cluster.leaderMember().orElse(null);
            if (leader == null || leader.roleEnum() != Role.PRIMARY || leader.host() == null) {
                return;
            }
            if (in.divergence() == null) {
                throw new DivergenceCheckRequired(leader);
            }
            RewindState after = RewindState.after(in.divergence());
            if (after != null) {
                mem = mem.withRewind(after);
            }
        }

        private boolean canRewindOrReinitialize() {
            return local.canRewind() || in.self().removeDataDirectoryOnDivergedTimelines();
        }

        /** §4.7: rewind (or reinitialize) when the divergence check said so and a leader is known. */
        private String rewindOrReinitialize() {
            FollowTarget leader = cfg.isStandbyCluster() ? remoteMember() : leaderTarget();
            if (leader == null || leader.isNone() || mem.rewind() != RewindState.NEEDED) {
                return null;
            }
            if (local.canRewind()) {
                if (!local.running() && local.controlState() == ControlData.State.IN_ARCHIVE_RECOVERY) {
                    String msg = crashRecovery();
                    if (msg != null) {
                        return msg;
                    }
                }
                plan.add(new Action.Rewind(leader));
                return "running pg_rewind from " + leader.memberName();
            }
            if (in.self().removeDataDirectoryOnDivergedTimelines() && !cfg.isStandbyCluster()) {
                plan.add(new Action.Reinitialize(leader, "diverged timelines"));
                return "reinitializing due to diverged timelines";
            }
            return null;
        }

        // ------------------------------------------------------------------ follow

        private FollowTarget leaderTarget() {
            if (cluster.isUnlocked() || me.equals(cluster.leaderName())) {
                return null;
            }
            Member lm = cluster.leaderMember().orElse(null);
            return FollowTarget.member(cluster.leaderName(), lm == null ? null : lm.connUrl(), null);
        }

        private FollowTarget remoteMember() {
            var sc = cfg.standbyCluster();
            return sc == null ? FollowTarget.NONE : FollowTarget.remote(sc.host(), sc.port(), sc.primarySlotName());
        }

        /** Patroni's {@code _get_node_to_follow}. */
        private FollowTarget nodeToFollow() {
            if (in.self().tags().nostream()) {
                return FollowTarget.NONE;
            }
            if (cfg.isStandbyCluster()
                    && (me.equals(cluster.leaderName()) || cluster.isUnlocked() && !cluster.isPaused())) {
                return remoteMember();
            }
            String from = in.self().tags().replicatefrom();
            if (from != null && !from.equals(me)) {
                return cluster.member(from)
                        .map(m -> FollowTarget.member(m.name(), m.connUrl(), null))
                        .orElse(FollowTarget.NONE);
            }
            FollowTarget t = leaderTarget();
            return t == null ? FollowTarget.NONE : t;
        }

        private String follow(String demoteReason, String followReason) {
            boolean isPrimary = local.primary();
            FollowTarget target = nodeToFollow();
            if (cluster.isPaused()) {
                if (!(mem.rewind() == RewindState.NEEDED && canRewindOrReinitialize()) || cluster.isUnlocked()) {
                    if (isPrimary) {
                        if (local.role() != Role.PRIMARY) {
                            plan.add(new Action.SetRole(Role.PRIMARY));
                        }
                        return "continue to run as primary without lock";
                    } else if (local.role() != Role.STANDBY_LEADER && local.role() != Role.REPLICA) {
                        plan.add(new Action.SetRole(Role.REPLICA));
                    }
                    if (target.isNone()) {
                        return "no action. I am (" + me + ")";
                    }
                }
            } else if (isPrimary) {
                // Another node holds the lock (or nobody does and we lost it): stop writes now.
                plan.add(new Action.Demote(DemoteMode.IMMEDIATE_NOLOCK));
                recordDemote(RoleChangeRecord.Kind.DEMOTE, demoteReason);
                return demoteReason;
            }
            if (!local.starting()) {
                String msg = rewindOrReinitialize();
                if (msg != null) {
                    return msg;
                }
            }
            Role role = target.remote() && in.hasLock() ? Role.STANDBY_LEADER : Role.REPLICA;
            if (cfg.isStandbyCluster() && role == Role.REPLICA && (target.isNone() || target.connUrl() == null)) {
                return "continue following the old known standby leader";
            }
            if (local.walReplayPaused() && !cluster.isPaused()) {
                plan.add(new Action.ResumeWalReplay());
            }
            plan.add(new Action.Follow(target, role));
            reportRoleAfterFollow(role);
            return followReason;
        }

        /** The role the node has when the plan so far has run: the one read, unless the plan sets it. */
        private Role roleNow() {
            Role now = local.role();
            for (Action a : plan.actions()) {
                if (a instanceof Action.SetRole r) {
                    now = r.role();
                }
            }
            return now;
        }

        /**
         * The role this node reports once it follows as {@code role}: becoming or ceasing to be the standby leader
         * is a role change (on_role_change fires); any other non-replica role settles to replica silently. The role
         * it has at that point is the one read, unless this plan already set it.
         */
        private void reportRoleAfterFollow(Role role) {
            Role now = roleNow();
            if (role != now && (role == Role.STANDBY_LEADER || now == Role.STANDBY_LEADER)) {
                plan.add(new Action.SetRole(role));
                plan.add(new Action.FireCallback(CallbackAction.ON_ROLE_CHANGE, role));
            } else if (now != Role.REPLICA && role == Role.REPLICA && now != Role.STANDBY_LEADER) {
                plan.add(new Action.SetRole(Role.REPLICA));
            }
        }

        // ------------------------------------------------------------------ §3.4 no leader

        private Election election;

        private Election election() {
            if (election == null) {
                election = new Election(in);
            }
            return election;
        }

        private String unhealthyCluster() {
            boolean backoff = mem.prePromoteFailedNanos() != 0
                    && in.nowNanos() - mem.prePromoteFailedNanos() < TimeUnit.SECONDS.toNanos(cfg.ttl());
            Election e = election();
            FailoverRequest failover = cluster.failover();
            if (e.isHealthiestNode(backoff)) {
                plan.add(new Action.AcquireLock("following new leader after trying and failing to obtain lock"));
                if (failover != null) {
                    if (cluster.isPaused() && failover.leader() != null && failover.candidate() != null) {
                        plan.add(new Action.WriteFailover(
                                new FailoverRequest(null, failover.candidate(), failover.scheduledAt(), 0),
                                failover.modRevision()));
                    } else {
                        plan.add(new Action.WriteFailover(FailoverRequest.of(null, null, null), -1));
                    }
                }
                RoleChangeRecord.Kind kind = failover != null && failover.isSwitchover() ? RoleChangeRecord.Kind.SWITCHOVER
                        : RoleChangeRecord.Kind.FAILOVER;
                String summary;
                if (cfg.isStandbyCluster()) {
                    summary = follow("cannot be a real primary in standby cluster",
                            "promoted self to a standby leader by acquiring session lock");
                } else {
                    summary = enforcePrimaryRole("acquired session lock as a leader",
                            "promoted self to leader by acquiring session lock", true);
                }
                if (plan.has(Action.Promote.class) || cfg.isStandbyCluster()) {
                    roleChange = new RoleChangeRecord(kind, summary, null, cluster.timeline(), cluster.lastLsn(),
                            e.considered());
                }
                return summary;
            }
            if (failover != null || in.self().nofailover()) {
                mem = mem.triggerRewindCheck();
            }
            if (in.self().nofailover()) {
                return follow("demoting self because I am not allowed to become primary",
                        "following a different leader because I am not allowed to promote");
            }
            return follow("demoting self because i am not the healthiest node",
                    "following a different leader because i am not the healthiest node");
        }

        // ------------------------------------------------------------------ §3.3 leader key present

        private String healthyCluster() {
            if (in.hasLock()) {
                if (cluster.isPaused() && !local.primary()) {
                    FailoverRequest f = cluster.failover();
                    if (f != null && me.equals(f.candidate())) {
                        return "waiting to become primary after promote...";
                    }
                    if (!cfg.isStandbyCluster()) {
                        plan.add(new Action.ReleaseLock(null));
                        return "removed leader lock because postgres is not running as primary";
                    }
                }
                String msg = manualFailoverFromLeader();
                if (msg != null) {
                    return msg;
                }
                if (mem.checkpointAfterPromotePending() && local.primary()) {
                    plan.add(new Action.CheckpointAfterPromote());
                }
                if (cfg.isStandbyCluster()) {
                    String m = local.role() == Role.STANDBY_LEADER
                            ? "no action. I am (" + me + "), the standby leader with the lock"
                            : "promoted self to a standby leader because i had the session lock";
                    return follow("cannot be a real primary in standby cluster", m);
                }
                return enforcePrimaryRole("no action. I am (" + me + "), the leader with the lock",
                        "promoted self to leader because I had the session lock", false);
            }
            if (in.lock() == LockStatus.LOST) {
                if (local.primary()) {
                    if (cluster.isPaused()) {
                        return "continue to run as primary after failing to update leader lock in DCS";
                    }
                    plan.add(new Action.Demote(DemoteMode.IMMEDIATE_NOLOCK));
                    recordDemote(RoleChangeRecord.Kind.DEMOTE, "demoted self because failed to update leader lock in DCS");
                    return "demoted self because failed to update leader lock in DCS";
                }
                return "not promoting because failed to update leader lock in DCS";
            }
            String owner = cluster.leaderName();
            if (owner.equals(in.cluster().leaderName()) && cluster.member(owner).isEmpty()) {
                return unusableLeader(owner);
            }
            if (cfg.isStandbyCluster()) {
                return follow("cannot be a real primary in a standby cluster",
                        "no action. I am (" + me + "), a secondary, and following a standby leader (" + owner + ")");
            }
            return follow("demoting self because I do not have the lock and I was a leader",
                    "no action. I am (" + me + "), a secondary, and following a leader (" + owner + ")");
        }

        /**
         * A leader key that names no member is no usable leader (keys from etcd are data, never trusted): nobody can
         * follow it, and nobody can take the lock while it exists. The agent whose lease it sits on deletes it (that
         * agent renews its lease every cycle with its member key, so the key would never expire), as does any agent
         * when it sits on no lease at all; the deletion is a CAS on the key's mod_revision, so a lock somebody takes
         * meanwhile is never touched. A primary demotes first (safety rule 1: without the lock it must stop writes
         * before another node can be elected once the key is gone); the election follows in the next cycles.
         * Patroni follows such a leader (a member with no data) and keeps the key alive for as long as its lease.
         */
        private String unusableLeader(String owner) {
            String named = "the leader key names '" + SafeText.of(owner, 64) + "', which is not a member";
            Leader key = cluster.leader();
            long myLease = cluster.member(me).map(Member::lease).orElse(0L);
            boolean onMyLease = key.lease() != 0 && key.lease() == myLease;
            if (local.primary() && !cluster.isPaused()) {
                plan.add(new Action.Demote(DemoteMode.IMMEDIATE_NOLOCK));
                recordDemote(RoleChangeRecord.Kind.DEMOTE, "demoting self because " + named);
                return "demoting self because " + named;
            }
            if (onMyLease || key.lease() == 0) {
                plan.add(new Action.DeleteUnusableLeader(key.modRevision()));
                return "deleting the leader key: " + named + ", and " + (onMyLease ? "my lease keeps it alive"
                        : "no lease would ever expire it");
            }
            return "no action. I am (" + me + "), and " + named + ": not following it until it expires";
        }

        /** Patroni's {@code enforce_primary_role}. */
        private String enforcePrimaryRole(String message, String promoteMessage, boolean justAcquired) {
            if (!cluster.isPaused()) {
                if (!in.self().watchdogHealthy()) {
                    if (local.primary()) {
                        plan.add(new Action.Demote(DemoteMode.IMMEDIATE));
                        return "Demoting self because watchdog could not be activated";
                    }
                    plan.add(new Action.ReleaseLock(null));
                    return "Not promoting self because watchdog could not be activated";
                }
                if (Boolean.FALSE.equals(mem.promoteResult())) {
                    plan.add(new Action.ReleaseLock(null));
                    mem = mem.withPrePromoteFailed(in.nowNanos());
                    return "Promotion cancelled because the pre-promote script failed";
                }
            }
            if (local.primary()) {
                if (local.role() != Role.PRIMARY) {
                    plan.add(new Action.SetRole(Role.PRIMARY));
                }
                synchronousReplication();
                plan.add(new Action.UpdateHistory(local.timeline()));
                return message;
            }
            if (local.role() == Role.PRIMARY || local.role() == Role.PROMOTED) {
                synchronousReplication();
                return message;
            }
            if (cfg.synchronousModeEffective()) {
                // We are the authoritative source now; standbys are verified in later cycles.
                plan.add(new Action.WriteSync(new io.haagent.cluster.SyncState(me, java.util.List.of(), 0),
                        cluster.sync().modRevision(),
                        "Postponing promotion because synchronous replication state was updated by somebody else"));
                plan.add(new Action.SetSynchronousStandbyNames(java.util.List.of(), cfg.synchronousModeStrict(), 0));
            }
            mem = mem.withPromoteResult(null).withCheckpointAfterPromotePending(true);
            plan.add(new Action.Promote());
            return promoteMessage;
        }

        // ------------------------------------------------------------------ §4.9

        private void synchronousReplication() {
            SyncStandbys.Plan p = SyncStandbys.plan(me, local, cluster, mem.syncTracking());
            p.actions().forEach(plan::add);
            mem = mem.withSyncTracking(p.tracking());
            if (p.nextCycleInMillis() != null) {
                nextCycleInMillis = nextCycleInMillis == null ? p.nextCycleInMillis()
                        : Math.min(nextCycleInMillis, p.nextCycleInMillis());
            }
        }

        // ------------------------------------------------------------------ §3.5

        private String failoverActionName(FailoverRequest f) {
            return f.leader() != null ? "switchover" : "manual failover";
        }

        /** Patroni's {@code process_manual_failover_from_leader}; null when it does not demote us. */
        private String manualFailoverFromLeader() {
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

        /** Scheduled restart (§3.5); null when none is due. */
        private String scheduledRestart() {
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
            if (!restartMatches(r)) {
                return "restart conditions are not satisfied";
            }
            plan.add(new Action.Restart(r.timeoutSeconds()));
            mem = mem.withStartTimeout(r.timeoutSeconds());
            return "restarting after scheduled restart";
        }

        private boolean restartMatches(ScheduledRestart r) {
            if (r.role() != null && !r.role().equals(local.role().wire())) {
                return false;
            }
            if (r.postgresVersion() != null && local.serverVersion() >= r.postgresVersion()) {
                return false;
            }
            return !r.restartPending() || local.pendingRestart();
        }

        // ------------------------------------------------------------------ helpers

        private void recordDemote(RoleChangeRecord.Kind kind, String decision) {
            roleChange = new RoleChangeRecord(kind, decision, me, cluster == null ? 0 : cluster.timeline(),
                    cluster == null ? 0 : cluster.lastLsn(), election == null ? java.util.List.of() : election.considered());
        }

        private static long seconds(long nanos) {
            return TimeUnit.NANOSECONDS.toSeconds(nanos);
        }

        private static ClusterView withLeader(ClusterView c, String leader) {
            return new ClusterView(c.initialize(), c.config(), new Leader(leader, 0, 0), c.status(), c.members(),
                    c.failover(), c.sync(), c.history(), c.failsafe(), c.revision());
        }
    }

    /** Actions in order, with a few queries the steps need. */
    private static final class Plan {
        private final java.util.List<Action> actions = new java.util.ArrayList<>();

        void add(Action a) {
            actions.add(a);
        }

        boolean has(Class<? extends Action> type) {
            return actions.stream().anyMatch(type::isInstance);
        }

        boolean hasLong() {
            return actions.stream().anyMatch(Action.LongRunning.class::isInstance);
        }

        java.util.List<Action> actions() {
            return actions;
        }
    }
}
