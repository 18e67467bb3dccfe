package io.haagent.ha;

import io.haagent.cluster.FailoverRequest;
import io.haagent.cluster.Role;
import io.haagent.cluster.SyncState;
import io.haagent.pg.CallbackAction;
import io.haagent.pg.StopMode;
import java.util.List;
import java.util.Map;

/**
 * What the decider asks the executor to do (STYLE 2: work out the steps, then apply them). The executor
 * applies a decision's actions in order and stops at the first one that does not succeed (a lost race or CAS:
 * the cycle's summary becomes the action's {@code ifNotDone} sentence when it has one); {@link LongRunning}
 * actions run on the background runner. Every type here must be handled by the executor (a test walks them).
 */
public sealed interface Action {

    /**
     * The cycle's sentence when this action does not succeed and stops the chain (a lost race or CAS), or null for
     * the decision's own summary. The records that can lose a race carry it as a component.
     */
    default String ifNotDone() {
        return null;
    }

    /**
     * An action that runs on the background runner, one at a time (Patroni's async executor): while it runs the
     * decider only keeps the lock (§3.2 step 5). Its result comes back to the next cycle as the runner's finished
     * record, never as a value the chain waits for.
     */
    sealed interface LongRunning extends Action {
    }

    // ---------------------------------------------------------------- DCS

    /** Leader race: create the leader key with our lease. Not succeeding stops the chain. */
    record AcquireLock(String ifNotDone) implements Action {
    }

    /** After bootstrapping a new cluster: put the leader key unconditionally. */
    record TakeLeader() implements Action {
    }

    /**
     * Delete a leader key that names no member, only while its mod_revision is {@code expectedRevision} (see
     * {@link HaDecider}: a key on our lease would never expire, since we keep the lease alive).
     */
    record DeleteUnusableLeader(long expectedRevision) implements Action {
    }

    /** Delete the leader key if it names us, writing {@code status.optime} first when given. */
    record ReleaseLock(Long lastLsn) implements Action {
    }

    /** Write {@code initialize}; createNew = create-only (the bootstrap race, not succeeding stops the chain). */
    record WriteInitialize(String sysid, boolean createNew, String ifNotDone) implements Action {
    }

    /**
     * With etcd out of reach and failsafe mode on, every member accepted our POST /failsafe: keep believing in the
     * lock for another {@code ttl} (Patroni's {@code set_is_leader(True)}) and keep the watchdog fed.
     */
    record HoldLeadershipInFailsafe() implements Action {
    }

    /**
     * This node leads and the cluster is not paused (§7.1, Patroni's {@code watchdog.activate} in
     * {@code enforce_primary_role} and {@code keepalive} with each lock renewal): open the watchdog device if it is
     * not open, its timeout {@code ttl - safety_margin}, and write a keepalive.
     */
    record KeepWatchdogAlive() implements Action {
    }

    /**
     * This node does not lead this cycle, or the cluster is paused: disarm the watchdog with the magic close if it is
     * open (Patroni's {@code watchdog.disable}).
     */
    record DisableWatchdog() implements Action {
    }

    /** Delete {@code initialize} after a failed bootstrap. */
    record CancelInitialization() implements Action {
    }

    /** Put {@code config} unconditionally (bootstrap, or repair of a missing key by the leader). */
    record WriteConfig(Map<String, Object> config) implements Action {
    }

    /** Write {@code failover} (an empty request clears it) with CAS on the revision or unconditionally (-1). */
    record WriteFailover(FailoverRequest request, long expectedRevision) implements Action {
    }

    /** CAS-write {@code sync}. A conflict stops the chain (somebody else changed it: maybe we lost the lock). */
    record WriteSync(SyncState state, long expectedRevision, String ifNotDone) implements Action {
    }

    /** CAS-delete {@code sync} (synchronous mode turned off). */
    record DeleteSync(long expectedRevision) implements Action {
    }

    /** Bring {@code history} in line with the primary's timeline history files (§1.2). */
    record UpdateHistory(long primaryTimeline) implements Action {
    }

    /**
     * The primary holding the lock writes {@code status} (§1.2): its WAL position and its permanent slots'
     * positions, which replicas copy. A failed write is logged and tried again next cycle; it never stops the chain.
     */
    record WriteStatus(long walPosition) implements Action {
    }

    /**
     * With {@code failsafe_mode}, the primary holding the lock writes {@code failsafe} (§3.8): every member's
     * {@code api_url}, the members it must reach to stay primary while etcd is gone. Never stops the chain.
     */
    record WriteFailsafe() implements Action {
    }

    // ---------------------------------------------------------------- local bookkeeping

    /** The role this node reports (member key, /patroni, callbacks). */
    record SetRole(Role role) implements Action {
    }

    /** The postgres state this node reports. */
    record SetState(String state) implements Action {
    }

    /** Fire a callback ({@code on_start}, {@code on_role_change}, ...) without waiting for it. */
    record FireCallback(CallbackAction action, Role role) implements Action {
    }

    // ---------------------------------------------------------------- postgres, quick

    /**
     * Make recovery settings point at {@code target} and reload. {@code role} is the role it follows as; the role
     * reported and the on_role_change callback follow as SetRole and FireCallback actions when they change. The
     * decider never asks a primary to follow (it demotes it): postgres found running as a primary when this is
     * applied (it was promoted after the cycle read it) does not succeed, and the next decision, which reads it as
     * the primary it is, demotes it.
     */
    record Follow(FollowTarget target, Role role) implements Action {
        @Override
        public String ifNotDone() {
            return "not following " + target + ": postgres runs as a primary";
        }
    }

    /**
     * Set {@code synchronous_standby_names} for these names ({@code *} alone when {@code star}), reload, and
     * nudge WAL so waiting commits see the change.
     */
    record SetSynchronousStandbyNames(List<String> names, boolean star, int numSync, boolean any) implements Action {
        /** Priority-based ({@code N (a,b)}), as outside quorum commit. */
        public SetSynchronousStandbyNames(List<String> names, boolean star, int numSync) {
            this(names, star, numSync, false);
        }

        /** Quorum commit: {@code ANY numSync (names)} (Patroni 4's {@code synchronous_mode: quorum}). */
        public static SetSynchronousStandbyNames anyOf(int numSync, List<String> names) {
            return new SetSynchronousStandbyNames(List.copyOf(names), false, numSync, true);
        }
    }

    /**
     * Create, advance and drop replication slots as the decider planned them ({@link SlotChoice}, §4.8): the
     * executor applies each step; one that fails is logged and planned again next cycle. The permanent logical
     * slots a replica lacks are in the plan too, for the next decision to copy ({@link CopyLogicalSlots}).
     *
     * @param plan what to change; {@link io.haagent.slots.SlotPlan#EMPTY} when there is nothing to plan (use_slots
     *             off, postgres not running or its slots not read)
     */
    record SyncSlots(io.haagent.slots.SlotPlan plan) implements Action {
        public SyncSlots {
            java.util.Objects.requireNonNull(plan, "plan");
        }

        /** Nothing to change. */
        public SyncSlots() {
            this(io.haagent.slots.SlotPlan.EMPTY);
        }
    }

    /**
     * Copy these permanent logical slots, which the last slot sync found missing here, from the leader (§4.8.1,
     * Patroni's {@code copy_logical_slots}): postgres is stopped, the slot files written, postgres started again.
     */
    record CopyLogicalSlots(FollowTarget leader, List<io.haagent.slots.SlotAction.CopyLogical> slots)
            implements LongRunning {
        public CopyLogicalSlots {
            slots = List.copyOf(slots);
        }
    }

    /** Resume WAL replay paused by somebody (PG 14+ pauses replay at a promotion of the upstream). */
    record ResumeWalReplay() implements Action {
    }

    /** Apply changed postgres parameters (reload; postmaster-context ones become pending restart). */
    record ApplyParameters() implements Action {
    }

    /** Run the post-promote CHECKPOINT (in its own thread: the lock is kept meanwhile). */
    record CheckpointAfterPromote() implements Action {
    }

    /** Stop postgres (empty data directory, bootstrap failure). Runs inline: it is bounded by its timeout. */
    record StopPostgres(StopMode mode) implements Action {
    }

    // ---------------------------------------------------------------- postgres, long

    /**
     * Create a new cluster and start it: initdb, or the custom method (§4.6) named by {@code method}. What is left
     * ({@link PostBootstrap}) is decided once postgres runs as a primary.
     */
    record Bootstrap(String method) implements LongRunning {
        public boolean custom() {
            return !"initdb".equals(method);
        }
    }

    /**
     * The bootstrapped postgres runs as a primary: create the roles, run {@code post_bootstrap}, and after a custom
     * bootstrap end its trusted access (§1.7 step 4). Its outcome is the bootstrap's result.
     */
    record PostBootstrap() implements LongRunning {
    }

    /**
     * The bootstrap of a standby cluster (§7.3): clone from the remote primary, start following it; the next
     * cycles finish it as a standby leader (initialize, config, leader key) as {@link Bootstrap} does.
     */
    record BootstrapStandbyLeader(FollowTarget remote) implements LongRunning {
    }

    /**
     * Clone a replica from {@code source} (null: only methods that work without a leader), then start it following
     * {@code follow} (the node to follow when it was decided; a leader that changed meanwhile is followed from the
     * next cycle on, as every replica's Follow does).
     */
    record CloneReplica(FollowTarget source, FollowTarget follow, String description) implements LongRunning {
    }

    /** Start postgres as the primary it was a moment ago (crash of the leader, timeline unchanged, §3.6). */
    record StartPrimary(int timeoutSeconds) implements LongRunning {
    }

    /**
     * Start postgres in recovery following {@code target} (or nobody), with the given reported role. A divergence
     * check due was made before this was decided (a diverged postgres is rewound instead). {@code callback}: the
     * callback the start fires (on_role_change when the node was or becomes another role, else on_start).
     */
    record StartReplica(FollowTarget target, Role role, Integer timeoutSeconds, String description,
            CallbackAction callback) implements LongRunning {
    }

    /** Run pre_promote; if it succeeds, promote and wait for production; fire on_role_change. */
    record Promote() implements LongRunning {
    }

    /**
     * Step down (§3.7): stop in the mode's way, release the lock if the mode says so (graceful: early, as soon
     * as a candidate has our shutdown checkpoint). It ends stopped: the next decision starts the replica
     * ({@link Outcome.SteppedDown}, or §3.6 recover after a graceful one).
     *
     * @param inBackground on the background runner ({@link DemoteMode#inBackground()}), or inline in this cycle: the
     *                     immediate modes, and an offline step-down while the long action it cancels still holds
     *                     the runner (waiting for it would keep a primary without etcd running)
     */
    record Demote(DemoteMode mode, boolean inBackground) implements LongRunning {
        public Demote(DemoteMode mode) {
            this(mode, mode.inBackground());
        }
    }

    /** Single-user crash recovery so that pg_controldata shows a clean shutdown. */
    record CrashRecovery() implements LongRunning {
    }

    /** pg_rewind from the leader, then start as its replica. */
    record Rewind(FollowTarget leader) implements LongRunning {
    }

    /**
     * Stop, wipe the data directory and clone again from {@code source}, then start following {@code follow};
     * {@code fromLeader}: from the leader by pg_basebackup only (Patroni 4.1's {@code from_leader}).
     */
    record Reinitialize(FollowTarget source, FollowTarget follow, String reason, boolean fromLeader)
            implements LongRunning {
        public Reinitialize(FollowTarget source, FollowTarget follow, String reason) {
            this(source, follow, reason, false);
        }
    }

    /**
     * Restart postgres (scheduled or asked for through the REST API), with the start timeout: as the primary when
     * {@code follow} is null, else in recovery following {@code follow} (or nobody), reporting {@code role}. Its
     * outcome is {@link Outcome.Restarted}.
     */
    record Restart(Integer timeoutSeconds, FollowTarget follow, Role role) implements LongRunning {
    }

    /**
     * Answer the REST request {@code id} ({@link NodeRequest}): {@code ok} with Patroni's success sentence (200), or
     * refused with the reason (503).
     */
    record AnswerRequest(long id, boolean ok, String text) implements Action {
    }

    /** Forget the scheduled restart (done, stale, or overtaken by another restart). */
    record ClearScheduledRestart() implements Action {
    }

    /** Cancel the running long action (lost the lock before promote, crash recovery too long). */
    record CancelLongAction() implements Action {
    }

    // ---------------------------------------------------------------- process

    /** Rename the data directory to {@code <data_dir>.failed} (failed bootstrap), never delete it. */
    record QuarantineDataDirectory() implements Action {
    }

    /** Stop the agent with a fatal error (system id mismatch, failed bootstrap); exit status 1. */
    record Exit(String reason) implements Action {
    }
}
