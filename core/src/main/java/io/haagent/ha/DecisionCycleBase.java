package io.haagent.ha;

import io.haagent.cluster.ClusterView;
import io.haagent.cluster.Leader;
import io.haagent.cluster.Member;
import io.haagent.cluster.Role;
import io.haagent.config.DynamicConfig;
import io.haagent.pg.CallbackAction;
import io.haagent.pg.ControlData;
import java.util.concurrent.TimeUnit;

/**
 * The working state of one decision cycle (the input, the plan so far, the memory to carry on) and the rules every
 * part of the cycle shares: etcd unreachable (§3.8), divergence and rewind (§4.7), whom to follow and as what role,
 * synchronous replication (§4.9). {@link HaDecider} runs the cycle; the parts are split over
 * {@link DecisionCycleSetup} and {@code HaDecider.Cycle} by the step of §3.2 they belong to.
 */
abstract class DecisionCycleBase {
    final HaInput in;
    final String me;
    final LocalState local;
    final Plan plan = new Plan();
    ClusterView cluster;
    /** The primary that called our POST /failsafe, when it stands in for the leader this cycle. */
    FailsafeContact failsafeLeader;
    DynamicConfig cfg;
    HaMemory mem;
    RoleChangeRecord roleChange;
    Long nextCycleInMillis;
    String pgState;
    Election election;

    DecisionCycleBase(HaInput in) {
        this.in = in;
        this.me = in.name();
        this.local = in.local();
        this.mem = in.memory();
        this.pgState = local.pgState();
    }

    // ------------------------------------------------------------------ §3.8 DCS unreachable

    String dcsUnavailable() {
        // the pause flag comes from the last view we had; without one assume not paused
        boolean paused = in.memory().wasPaused();
        // A primary demotes in pause too (Patroni's does not: differences.md, 'A paused primary that loses etcd'). It
        // cannot see the resume or a manual failover the operator makes meanwhile, nor renew its lock: once the lock
        // expires, another member takes it (after a resume) or is named (in pause) and promotes beside it, with no
        // watchdog to stop it (disarmed in pause). The member that takes over cannot tell it from a dead host.
        if (local.running() && local.primary()) {
            boolean failsafe = lastConfig().failsafeMode();
            if (failsafe) {
                if (in.failsafeTopologyOk() == null) {
                    throw new HaDecider.FailsafeCheckRequired();
                }
                if (in.failsafeTopologyOk()) {
                    // every member of the failsafe key accepted our POST /failsafe: none of them will race for
                    // the lock while we run (they take us for the leader for ttl), so keep leading for a ttl
                    plan.add(new Action.HoldLeadershipInFailsafe());
                    keepWatchdogAlive();
                    failsafeActivated = true;
                    return "continue to run as a leader because failsafe mode is enabled and all members are accessible";
                }
            }
            failsafeEnded = true;
            // Safety rule 2: we cannot renew, so another node may be elected once our lease expires.
            // Stop accepting writes before that can happen.
            if (in.longAction() != null) {
                plan.add(new Action.CancelLongAction());
            }
            // inline while the cancelled action still holds the runner: it may take its time to end
            plan.add(new Action.Demote(DemoteMode.OFFLINE, in.longAction() == null));
            roleChange = new RoleChangeRecord(RoleChangeRecord.Kind.DEMOTE,
                    "demoting self because DCS is not accessible and I was a leader", me, 0, local.walPosition(),
                    java.util.List.of());
            return "demoting self because DCS is not accessible and I was a leader";
        }
        DynamicConfig last = lastConfig();
        if (!paused && local.running() && !local.primary() && in.longAction() == null && last.failsafeMode()
                && failsafeContactCounts(last)) {
            // §3.8: a replica keeps the permanent slots advanced to the positions the primary sends with its
            // POST /failsafe, so that they are current when it is promoted after the outage
            syncSlots(in.failsafeContact());
        }
        // (in pause too: the stop was our own step-down, not one the operator made)
        if (mem.startAfterDemote() != null && mem.startAfterDemote().startsReplicaAtOnce()
                && !local.running() && in.longAction() == null) {
            // stepped down for want of etcd (or lost it right after an immediate step-down): read-only, of nobody
            return startAfterDemotion(FollowTarget.NONE);
        }
        return "DCS is not accessible";
    }

    /**
     * §3.7: the primary stepped down in an offline or immediate mode last cycle ({@link Outcome.SteppedDown}) and
     * postgres is stopped: start it as a replica of {@code target} now, announcing the role change, as Patroni's
     * demote does right after its stop ('starting after demotion'). No divergence check first, as there: the first
     * cycle it runs in checks (the step-down made the check due).
     */
    String startAfterDemotion(FollowTarget target) {
        mem = mem.withStartAfterDemote(null).withOnStartFired(false);
        if ((cfg != null ? cfg : lastConfig()).synchronousModeEffective()) {
            // a replica names no synchronous standbys (Patroni's demote clears them before the start)
            plan.add(new Action.SetSynchronousStandbyNames(java.util.List.of(), false, 0));
        }
        plan.add(new Action.StartReplica(target, Role.REPLICA, null, "starting after demotion",
                CallbackAction.ON_ROLE_CHANGE));
        return "starting after demotion";
    }

    // ------------------------------------------------------------------ §3.8, §7.5 failsafe state

    boolean failsafeActivated;
    boolean failsafeEnded;

    boolean failsafeContactCounts(DynamicConfig c) {
        return mem.failsafe().counts(in.failsafeContact(), in.nowNanos(), TimeUnit.SECONDS.toNanos(c.ttl()));
    }

    /**
     * Patroni's {@code Failsafe} bookkeeping, as data for the loop (it publishes {@code failsafe_mode_is_active}
     * from it, and keeps the lease guard off while it lasts): a primary that stays on failsafe is active for a
     * ttl from this cycle; a replica for a ttl from the last POST /failsafe it accepted; both end when this
     * node holds the lock with etcd in reach (the end of Patroni's cycle), or steps down for want of etcd.
     */
    void failsafeBookkeeping() {
        DynamicConfig c = cfg != null ? cfg : lastConfig();
        long ttl = TimeUnit.SECONDS.toNanos(c.ttl());
        FailsafeState fs = mem.failsafe();
        if (failsafeContactCounts(c)) {
            fs = fs.activeUntil(in.failsafeContact().atNanos() + ttl);
        }
        if (failsafeActivated) {
            fs = fs.activeUntil(in.nowNanos() + ttl);
        }
        boolean leaderWithEtcd = in.dcsAvailable() && (in.hasLock() || plan.has(Action.AcquireLock.class)
                || plan.has(Action.TakeLeader.class)) && !plan.has(Action.ReleaseLock.class);
        if (failsafeEnded || leaderWithEtcd) {
            fs = fs.reset(in.nowNanos());
        }
        mem = mem.withFailsafe(fs);
        if (fs.activeAt(in.nowNanos())) {
            // publish the end of it on time, not at the next tick after it
            long left = TimeUnit.NANOSECONDS.toMillis(fs.activeUntilNanos() - in.nowNanos()) + 1;
            nextCycleInMillis = nextCycleInMillis == null ? left : Math.min(nextCycleInMillis, left);
        }
    }

    void keepWatchdogAlive() {
        if (in.self().watchdogEnabled()) {
            plan.add(new Action.KeepWatchdogAlive());
        }
    }

    /**
     * §4.8: the slots this node should have ({@link SlotChoice}); the logical ones it lacks are copied by the next
     * decision, at once (not while failsafe stands in for the leader: nothing is copied from it).
     */
    void syncSlots(FailsafeContact failsafe) {
        Role role = SlotChoice.roleAfter(plan.actions(), local.role() == null ? Role.REPLICA : local.role());
        io.haagent.slots.SlotPlan slots = SlotChoice.plan(in, cluster, failsafe, role);
        plan.add(new Action.SyncSlots(slots == null ? io.haagent.slots.SlotPlan.EMPTY : slots));
        java.util.List<io.haagent.slots.SlotAction.CopyLogical> copies =
                slots == null || failsafe != null ? java.util.List.of() : slots.copies();
        mem = mem.withLogicalSlotsToCopy(copies);
        if (!copies.isEmpty()) {
            nextCycleInMillis = 0L;
        }
    }

    DynamicConfig lastConfig() {
        return DynamicConfig.from(in.self().dynamicConfiguration());
    }


    String crashRecovery() {
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
    void divergenceCheck() {
        if (behindLeaderTimeline()) {
            mem = mem.triggerRewindCheck();
        }
        if (mem.rewind() != RewindState.CHECK || cluster.isUnlocked() || me.equals(cluster.leaderName())
                || local.primary() || in.longAction() != null || !canRewindOrReinitialize()) {
            return;
        }
        Member leader = cluster.leaderMember().orElse(null);
        if (leader == null || leader.roleEnum() != Role.PRIMARY || leader.host() == null) {
            return;
        }
        if (in.divergence() == null) {
            throw new HaDecider.DivergenceCheckRequired(leader);
        }
        RewindState after = RewindState.after(in.divergence());
        if (after != null) {
            mem = mem.withRewind(after);
        }
    }

    /**
     * Patroni's follow: a running replica on an older timeline than the one its leader publishes checks for
     * divergence again ({@code _last_timeline < _leader_timeline}), whatever an earlier check concluded: a check
     * made before that leader's promotion, or reset by a pause, cannot have seen the fork.
     */
    private boolean behindLeaderTimeline() {
        if (cluster.isUnlocked() || me.equals(cluster.leaderName()) || local.primary() || !local.running()
                || local.timeline() <= 0) {
            return false;
        }
        Member leader = cluster.leaderMember().orElse(null);
        return leader != null && leader.timeline() != null && leader.timeline() > local.timeline();
    }

    boolean canRewindOrReinitialize() {
        return local.canRewind() || in.self().removeDataDirectoryOnDivergedTimelines();
    }

    /** §4.7: rewind (or reinitialize) when the divergence check said so and a leader is known. */
    String rewindOrReinitialize() {
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
            plan.add(new Action.Reinitialize(leader, nodeToFollow(), "diverged timelines"));
            return "reinitializing due to diverged timelines";
        }
        return null;
    }

    // ------------------------------------------------------------------ follow

    FollowTarget leaderTarget() {
        if (cluster.isUnlocked() || me.equals(cluster.leaderName())) {
            return null;
        }
        Member lm = cluster.leaderMember().orElse(null);
        return FollowTarget.member(cluster.leaderName(), lm == null ? null : lm.connUrl(), null);
    }

    FollowTarget remoteMember() {
        var sc = cfg.standbyCluster();
        return sc == null ? FollowTarget.NONE : FollowTarget.remote(sc.host(), sc.port(), sc.primarySlotName());
    }

    /** Patroni's {@code _get_node_to_follow}. */
    FollowTarget nodeToFollow() {
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

    String follow(String demoteReason, String followReason) {
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
            // Another node holds the lock (or nobody does and we lost it): stop writes now. Holding the lock in a
            // cluster that has just been made a standby cluster: Patroni 4.1's clean demotion.
            plan.add(new Action.Demote(cfg.isStandbyCluster() && in.hasLock() ? DemoteMode.DEMOTE_CLUSTER
                    : DemoteMode.IMMEDIATE_NOLOCK));
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
    Role roleNow() {
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
    void reportRoleAfterFollow(Role role) {
        Role now = roleNow();
        if (role != now && (role == Role.STANDBY_LEADER || now == Role.STANDBY_LEADER)) {
            plan.add(new Action.SetRole(role));
            plan.add(new Action.FireCallback(CallbackAction.ON_ROLE_CHANGE, role));
        } else if (now != Role.REPLICA && role == Role.REPLICA && now != Role.STANDBY_LEADER) {
            plan.add(new Action.SetRole(Role.REPLICA));
        }
    }

    // ------------------------------------------------------------------ §4.9

    void synchronousReplication() {
        SyncStandbys.Plan p = SyncStandbys.plan(me, local, cluster, mem.syncTracking());
        p.actions().forEach(plan::add);
        mem = mem.withSyncTracking(p.tracking());
        if (p.nextCycleInMillis() != null) {
            nextCycleInMillis = nextCycleInMillis == null ? p.nextCycleInMillis()
                    : Math.min(nextCycleInMillis, p.nextCycleInMillis());
        }
    }

    // ------------------------------------------------------------------ helpers

    /** The election of §3.4, made once per cycle when a rule needs it (it may ask for the peers' answers). */
    Election election() {
        if (election == null) {
            election = new Election(in);
        }
        return election;
    }

    void recordDemote(RoleChangeRecord.Kind kind, String decision) {
        roleChange = new RoleChangeRecord(kind, decision, me, cluster == null ? 0 : cluster.timeline(),
                cluster == null ? 0 : cluster.lastLsn(), election == null ? java.util.List.of() : election.considered());
    }

    static long seconds(long nanos) {
        return TimeUnit.NANOSECONDS.toSeconds(nanos);
    }

    /**
     * The cluster as Patroni's {@code Failsafe.update_cluster} makes it: the primary that called our POST
     * /failsafe is the leader, with the addresses it sent (its member key may have expired with its lease), and
     * the slot positions it sent are the status' (permanent slots advance to them).
     */
    static ClusterView withLeader(ClusterView c, FailsafeContact f) {
        java.util.List<Member> members = new java.util.ArrayList<>(c.members());
        if (c.member(f.name()).isEmpty()) {
            members.add(Member.builder(f.name()).connUrl(f.connUrl()).apiUrl(f.apiUrl()).role(Role.PRIMARY)
                    .state(io.haagent.cluster.PostgresState.RUNNING).build());
        }
        io.haagent.cluster.ClusterStatus status = f.slots().isEmpty() ? c.status()
                : new io.haagent.cluster.ClusterStatus(c.status().optime(), f.slots(), c.status().modRevision());
        return new ClusterView(c.initialize(), c.config(), new Leader(f.name(), 0, 0), status, members,
                c.failover(), c.sync(), c.history(), c.failsafe(), c.revision());
    }
}
