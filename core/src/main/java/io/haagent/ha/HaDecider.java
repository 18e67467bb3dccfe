package io.haagent.ha;

import io.haagent.cluster.FailoverRequest;
import io.haagent.cluster.Leader;
import io.haagent.cluster.Member;
import io.haagent.cluster.PostgresState;
import io.haagent.cluster.Role;
import io.haagent.config.DynamicConfig;
import io.haagent.pg.CallbackAction;
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

    /** One cycle: the steps of §3.2 in order, the leader-key rules (§3.3, §3.4). */
    private static final class Cycle extends DecisionCycleRequests {

        Cycle(HaInput in) {
            super(in);
        }

        Decision run() {
            String summary = restartRequest(steps());
            statusKeys();
            failsafeBookkeeping();
            if (in.self().watchdogEnabled() && !plan.has(Action.KeepWatchdogAlive.class)) {
                // §7.1: only a leader that is not paused keeps the watchdog armed
                plan.add(new Action.DisableWatchdog());
            }
            if (cluster != null && cluster.isPaused()) {
                summary = "PAUSE: " + summary;
            }
            return new Decision(plan.actions(), summary, mem, roleChange, nextCycleInMillis,
                    election == null ? java.util.List.of() : election.notes());
        }

        /**
         * §4.8.1: the permanent logical slots the last slot sync found missing on this replica are copied from the
         * leader (a long action), not while failsafe stands in for the leader or another long action runs; the next
         * slot sync looks again either way.
         */
        private boolean copyLogicalSlots() {
            java.util.List<io.haagent.slots.SlotAction.CopyLogical> missing = mem.logicalSlotsToCopy();
            if (missing.isEmpty()) {
                return false;
            }
            mem = mem.withLogicalSlotsToCopy(java.util.List.of());
            if (failsafeLeader != null || in.longAction() != null || plan.hasLong() || cluster.isUnlocked()
                    || me.equals(cluster.leaderName()) || !local.running() || local.primary()
                    || cluster.leaderMember().isEmpty()) {
                return false;
            }
            Member l = cluster.leaderMember().get();
            plan.add(new Action.CopyLogicalSlots(FollowTarget.member(l.name(), l.connUrl(), null), missing));
            return true;
        }

        /**
         * §1.2, §3.8: a running primary that holds the lock after this decision writes the {@code status} key (its
         * WAL position) and, with {@code failsafe_mode}, the {@code failsafe} key, each cycle, after the history.
         */
        private void statusKeys() {
            boolean leadsAfter = plan.has(Action.AcquireLock.class) || plan.has(Action.TakeLeader.class)
                    || in.hasLock() && !plan.has(Action.Demote.class) && !plan.has(Action.ReleaseLock.class);
            if (cluster == null || !in.dcsAvailable() || !local.running() || !local.primary() || !leadsAfter) {
                return;
            }
            java.util.List<Action> keys = new java.util.ArrayList<>();
            keys.add(new Action.WriteStatus(local.walPosition()));
            if (cfg.failsafeMode()) {
                keys.add(new Action.WriteFailsafe());
            }
            plan.insertAfter(Action.UpdateHistory.class, keys);
        }

        private String steps() {
            if (mem.startAfterDemote() != null && local.running()) {
                mem = mem.withStartAfterDemote(null);
            }
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
            } else if (cfg.failsafeMode() && failsafeContactCounts(cfg) && !in.failsafeContact().name().equals(me)) {
                // §3.2.1: the primary that recently called our POST /failsafe counts as the leader
                cluster = withLeader(cluster, in.failsafeContact());
                failsafeLeader = in.failsafeContact();
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

            // a reinitialize asked for through the REST API (§3.11)
            String requested = reinitializeRequest();
            if (requested != null) {
                return requested;
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
            // step 11 (a switchover's old primary starts as a replica even in pause: Patroni's graceful demote
            // starts it itself, before any pause rule applies)
            DemoteMode steppedDown = mem.startAfterDemote();
            boolean afterSwitchover = steppedDown != null && !steppedDown.startsReplicaAtOnce();
            if (afterSwitchover) {
                // once only: a replica stopped later in the same pause is left alone
                mem = mem.withStartAfterDemote(null);
            }
            if (!local.healthy()) {
                if (steppedDown != null && steppedDown.startsReplicaAtOnce() && !cluster.isPaused() && !in.hasLock()) {
                    return startAfterDemotion(nodeToFollow());
                }
                if (cluster.isPaused() && !afterSwitchover) {
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
                if (!copyLogicalSlots()) {
                    // (while the copy runs, the slot sync waits: it would find the slots still missing)
                    syncSlots(failsafeLeader);
                }
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

        // ------------------------------------------------------------------ §3.4 no leader


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
                keepWatchdogAlive();
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
            if (cluster.isQuorumCommitActive()) {
                // quorum commit: keep the quorum intact through the promotion; the first cycle as primary makes
                // us the sync key's leader (QuorumResolver's failover step)
                plan.add(QuorumSync.prePromote(me, cluster));
            } else if (cfg.synchronousModeEffective()) {
                // We are the authoritative source now; standbys are verified in later cycles.
                plan.add(new Action.WriteSync(new io.haagent.cluster.SyncState(me, java.util.List.of(),
                        cfg.quorumCommit() ? Integer.valueOf(0) : null, 0), cluster.sync().modRevision(),
                        "Postponing promotion because synchronous replication state was updated by somebody else"));
                plan.add(new Action.SetSynchronousStandbyNames(java.util.List.of(), cfg.synchronousModeStrict(), 0));
            }
            mem = mem.withPromoteResult(null).withCheckpointAfterPromotePending(true);
            plan.add(new Action.Promote());
            return promoteMessage;
        }
    }
}
