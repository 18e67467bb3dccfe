package io.haagent.ha;

import io.haagent.cluster.Member;
import java.util.List;
import java.util.Map;

/**
 * What the HA loop remembers between cycles. Immutable: the decider returns the next memory with its decision;
 * results of actions (rewind done, promote refused by pre_promote, bootstrap finished) are folded in by the loop
 * through {@link Outcome}s.
 *
 * @param bootstrapping          we won the {@code initialize} race and are creating the cluster
 * @param bootstrapResult        null while unknown; true/false once the bootstrap action finished
 * @param recovering             we just tried to (re)start postgres after it was found not running
 * @param startTimeoutSeconds    start timeout requested by a restart; null means {@code primary_start_timeout}
 * @param crashRecoveryStartedNanos when single-user crash recovery was started, 0 if not
 * @param prePromoteFailedNanos  when we released the lock because {@code pre_promote} failed (ttl backoff), 0 if never
 * @param promoteResult          null while unknown; false when the last promote was refused (pre_promote)
 * @param onStartFired           {@code on_start} was fired for the running postmaster
 * @param rewind                 divergence / rewind state (§4.7)
 * @param lastKnownMembers       members of the last cluster view that had a leader (election candidate set)
 * @param wasPaused              the previous cycle ran in pause
 * @param checkpointAfterPromotePending we promoted and the post-promote CHECKPOINT has not completed yet
 * @param syncTracking           the primary's synchronous replication bookkeeping (§4.9)
 * @param failsafe               whether failsafe mode is active, and since when contacts are ignored (§3.8)
 * @param cloneFailedNanos       when the last attempt to create this replica failed, 0 when none did: the next one
 *                               waits for loop_wait, as in Patroni's loop
 * @param logicalSlotsToCopy     permanent logical slots this replica lacks, as the last slot sync found (§4.8.1): the
 *                               next decision copies them from the primary
 * @param appliedParameters      the {@code postgresql.parameters} postgres last read (null until the first cycle
 *                               adopts the ones it runs with): a config key that changes them makes postgres reload
 * @param startAfterDemote       a primary stepped down in this mode (offline, immediate): postgres is stopped and the
 *                               next decision starts it as a replica (§3.7), as Patroni's demote does itself
 * @param requestInFlight        a REST request the decider accepted and has not answered yet ({@link NodeRequest})
 */
public record HaMemory(
        boolean bootstrapping,
        Boolean bootstrapResult,
        boolean recovering,
        Integer startTimeoutSeconds,
        long crashRecoveryStartedNanos,
        long prePromoteFailedNanos,
        Boolean promoteResult,
        boolean onStartFired,
        RewindState rewind,
        List<Member> lastKnownMembers,
        boolean wasPaused,
        boolean checkpointAfterPromotePending,
        SyncTracking syncTracking,
        FailsafeState failsafe,
        long cloneFailedNanos,
        Map<String, Object> appliedParameters,
        List<io.haagent.slots.SlotAction.CopyLogical> logicalSlotsToCopy,
        DemoteMode startAfterDemote,
        NodeRequest.InFlight requestInFlight) {

    public static final HaMemory INITIAL = new HaMemory(false, null, false, null, 0, 0, null, false,
            RewindState.INITIAL, List.of(), false, false, SyncTracking.EMPTY, FailsafeState.INACTIVE, 0, null, List.of(), null, null);

    public HaMemory {
        lastKnownMembers = lastKnownMembers == null ? List.of() : List.copyOf(lastKnownMembers);
        rewind = rewind == null ? RewindState.INITIAL : rewind;
        syncTracking = syncTracking == null ? SyncTracking.EMPTY : syncTracking;
        failsafe = failsafe == null ? FailsafeState.INACTIVE : failsafe;
        appliedParameters = appliedParameters == null ? null
                : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(appliedParameters));
    }

    public HaMemory withBootstrapping(boolean v, Boolean result) {
        return new HaMemory(v, result, recovering, startTimeoutSeconds, crashRecoveryStartedNanos,
                prePromoteFailedNanos, promoteResult, onStartFired, rewind, lastKnownMembers, wasPaused,
                checkpointAfterPromotePending, syncTracking, failsafe, cloneFailedNanos, appliedParameters, logicalSlotsToCopy, startAfterDemote, requestInFlight);
    }

    public HaMemory withRecovering(boolean v) {
        return new HaMemory(bootstrapping, bootstrapResult, v, startTimeoutSeconds, crashRecoveryStartedNanos,
                prePromoteFailedNanos, promoteResult, onStartFired, rewind, lastKnownMembers, wasPaused,
                checkpointAfterPromotePending, syncTracking, failsafe, cloneFailedNanos, appliedParameters, logicalSlotsToCopy, startAfterDemote, requestInFlight);
    }

    public HaMemory withStartTimeout(Integer v) {
        return new HaMemory(bootstrapping, bootstrapResult, recovering, v, crashRecoveryStartedNanos,
                prePromoteFailedNanos, promoteResult, onStartFired, rewind, lastKnownMembers, wasPaused,
                checkpointAfterPromotePending, syncTracking, failsafe, cloneFailedNanos, appliedParameters, logicalSlotsToCopy, startAfterDemote, requestInFlight);
    }

    public HaMemory withCrashRecoveryStarted(long nanos) {
        return new HaMemory(bootstrapping, bootstrapResult, recovering, startTimeoutSeconds, nanos,
                prePromoteFailedNanos, promoteResult, onStartFired, rewind, lastKnownMembers, wasPaused,
                checkpointAfterPromotePending, syncTracking, failsafe, cloneFailedNanos, appliedParameters, logicalSlotsToCopy, startAfterDemote, requestInFlight);
    }

    public HaMemory withPrePromoteFailed(long nanos) {
        return new HaMemory(bootstrapping, bootstrapResult, recovering, startTimeoutSeconds, crashRecoveryStartedNanos,
                nanos, null, onStartFired, rewind, lastKnownMembers, wasPaused, checkpointAfterPromotePending,
                syncTracking, failsafe, cloneFailedNanos, appliedParameters, logicalSlotsToCopy, startAfterDemote, requestInFlight);
    }

    public HaMemory withPromoteResult(Boolean v) {
        return new HaMemory(bootstrapping, bootstrapResult, recovering, startTimeoutSeconds, crashRecoveryStartedNanos,
                prePromoteFailedNanos, v, onStartFired, rewind, lastKnownMembers, wasPaused,
                checkpointAfterPromotePending, syncTracking, failsafe, cloneFailedNanos, appliedParameters, logicalSlotsToCopy, startAfterDemote, requestInFlight);
    }

    public HaMemory withOnStartFired(boolean v) {
        return new HaMemory(bootstrapping, bootstrapResult, recovering, startTimeoutSeconds, crashRecoveryStartedNanos,
                prePromoteFailedNanos, promoteResult, v, rewind, lastKnownMembers, wasPaused,
                checkpointAfterPromotePending, syncTracking, failsafe, cloneFailedNanos, appliedParameters, logicalSlotsToCopy, startAfterDemote, requestInFlight);
    }

    public HaMemory withRewind(RewindState v) {
        return new HaMemory(bootstrapping, bootstrapResult, recovering, startTimeoutSeconds, crashRecoveryStartedNanos,
                prePromoteFailedNanos, promoteResult, onStartFired, v, lastKnownMembers, wasPaused,
                checkpointAfterPromotePending, syncTracking, failsafe, cloneFailedNanos, appliedParameters, logicalSlotsToCopy, startAfterDemote, requestInFlight);
    }

    public HaMemory withLastKnownMembers(List<Member> v) {
        return new HaMemory(bootstrapping, bootstrapResult, recovering, startTimeoutSeconds, crashRecoveryStartedNanos,
                prePromoteFailedNanos, promoteResult, onStartFired, rewind, v, wasPaused,
                checkpointAfterPromotePending, syncTracking, failsafe, cloneFailedNanos, appliedParameters, logicalSlotsToCopy, startAfterDemote, requestInFlight);
    }

    public HaMemory withWasPaused(boolean v) {
        return new HaMemory(bootstrapping, bootstrapResult, recovering, startTimeoutSeconds, crashRecoveryStartedNanos,
                prePromoteFailedNanos, promoteResult, onStartFired, rewind, lastKnownMembers, v,
                checkpointAfterPromotePending, syncTracking, failsafe, cloneFailedNanos, appliedParameters, logicalSlotsToCopy, startAfterDemote, requestInFlight);
    }

    public HaMemory withCheckpointAfterPromotePending(boolean v) {
        return new HaMemory(bootstrapping, bootstrapResult, recovering, startTimeoutSeconds, crashRecoveryStartedNanos,
                prePromoteFailedNanos, promoteResult, onStartFired, rewind, lastKnownMembers, wasPaused, v,
                syncTracking, failsafe, cloneFailedNanos, appliedParameters, logicalSlotsToCopy, startAfterDemote, requestInFlight);
    }

    public HaMemory withSyncTracking(SyncTracking v) {
        return new HaMemory(bootstrapping, bootstrapResult, recovering, startTimeoutSeconds, crashRecoveryStartedNanos,
                prePromoteFailedNanos, promoteResult, onStartFired, rewind, lastKnownMembers, wasPaused,
                checkpointAfterPromotePending, v, failsafe, cloneFailedNanos, appliedParameters, logicalSlotsToCopy, startAfterDemote, requestInFlight);
    }

    public HaMemory withAppliedParameters(Map<String, Object> v) {
        return new HaMemory(bootstrapping, bootstrapResult, recovering, startTimeoutSeconds, crashRecoveryStartedNanos,
                prePromoteFailedNanos, promoteResult, onStartFired, rewind, lastKnownMembers, wasPaused,
                checkpointAfterPromotePending, syncTracking, failsafe, cloneFailedNanos, v, logicalSlotsToCopy, startAfterDemote, requestInFlight);
    }

    public HaMemory withFailsafe(FailsafeState v) {
        return new HaMemory(bootstrapping, bootstrapResult, recovering, startTimeoutSeconds, crashRecoveryStartedNanos,
                prePromoteFailedNanos, promoteResult, onStartFired, rewind, lastKnownMembers, wasPaused,
                checkpointAfterPromotePending, syncTracking, v, cloneFailedNanos, appliedParameters, logicalSlotsToCopy, startAfterDemote, requestInFlight);
    }

    public HaMemory withCloneFailed(long nanos) {
        return new HaMemory(bootstrapping, bootstrapResult, recovering, startTimeoutSeconds, crashRecoveryStartedNanos,
                prePromoteFailedNanos, promoteResult, onStartFired, rewind, lastKnownMembers, wasPaused,
                checkpointAfterPromotePending, syncTracking, failsafe, nanos, appliedParameters, logicalSlotsToCopy, startAfterDemote, requestInFlight);
    }

    public HaMemory withLogicalSlotsToCopy(List<io.haagent.slots.SlotAction.CopyLogical> v) {
        return new HaMemory(bootstrapping, bootstrapResult, recovering, startTimeoutSeconds, crashRecoveryStartedNanos,
                prePromoteFailedNanos, promoteResult, onStartFired, rewind, lastKnownMembers, wasPaused,
                checkpointAfterPromotePending, syncTracking, failsafe, cloneFailedNanos, appliedParameters,
                v == null ? List.of() : List.copyOf(v), startAfterDemote, requestInFlight);
    }

    /** Trigger a divergence check (Patroni's {@code trigger_check_diverged_lsn}) unless one already concluded. */
    public HaMemory triggerRewindCheck() {
        if (rewind == RewindState.NEEDED || rewind.executed()) {
            return this;
        }
        return withRewind(RewindState.CHECK);
    }

    public HaMemory withStartAfterDemote(DemoteMode v) {
        return new HaMemory(bootstrapping, bootstrapResult, recovering, startTimeoutSeconds, crashRecoveryStartedNanos,
                prePromoteFailedNanos, promoteResult, onStartFired, rewind, lastKnownMembers, wasPaused,
                checkpointAfterPromotePending, syncTracking, failsafe, cloneFailedNanos, appliedParameters,
                logicalSlotsToCopy, v, requestInFlight);
    }

    public HaMemory withRequestInFlight(NodeRequest.InFlight v) {
        return new HaMemory(bootstrapping, bootstrapResult, recovering, startTimeoutSeconds, crashRecoveryStartedNanos,
                prePromoteFailedNanos, promoteResult, onStartFired, rewind, lastKnownMembers, wasPaused,
                checkpointAfterPromotePending, syncTracking, failsafe, cloneFailedNanos, appliedParameters,
                logicalSlotsToCopy, startAfterDemote, v);
    }
}
