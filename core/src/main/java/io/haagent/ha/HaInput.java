package io.haagent.ha;

import io.haagent.cluster.ClusterView;
import io.haagent.pg.Divergence;
import java.time.Instant;
import java.util.Map;

/**
 * Everything one decision depends on, read once at the top of the cycle (STYLE 3).
 *
 * @param cluster    the cluster view, or null when etcd could not be read this cycle (§3.8)
 * @param dcsError   why etcd could not be read, when {@code cluster} is null
 * @param lock       outcome of the lock renewal the loop made before deciding
 * @param longAction the long action running in the background, or null
 * @param peers      answers of the other members to {@code GET /patroni}, or null when not fetched: a decision
 *                   that needs them returns {@link Decision.Outcome#needPeers()} and the loop asks and decides again
 * @param failsafeContact the last {@code POST /failsafe} this node accepted, or null; the decider judges whether it
 *                   still counts ({@link FailsafeState#counts})
 * @param failsafeTopologyOk with etcd unreachable and failsafe_mode on: did every member of the failsafe key
 *                   accept our {@code POST /failsafe}? null when not checked yet
 * @param scheduledRestart a restart scheduled through the REST API, or null
 * @param nowNanos   monotonic time
 * @param now        wall time, for scheduled actions only
 * @param divergence the answer of the divergence check against the leader (§4.7) made this cycle because the
 *                   decider asked for it ({@link Decision.Outcome#divergenceCheckAgainst()}), or null when not made
 * @param request    a REST request ({@code POST /restart}, {@code POST /reinitialize}) waiting for this decision, or null
 * @param lastCluster the last cluster view read, for a decision made while etcd is out of reach (the slots a
 *                   replica keeps for the primary that called its POST /failsafe, §3.8); null when none
 */
public record HaInput(
        NodeSettings self,
        ClusterView cluster,
        String dcsError,
        LockStatus lock,
        LocalState local,
        LongAction longAction,
        Map<String, PeerStatus> peers,
        HaMemory memory,
        FailsafeContact failsafeContact,
        Boolean failsafeTopologyOk,
        ScheduledRestart scheduledRestart,
        long nowNanos,
        Instant now,
        Divergence divergence,
        NodeRequest request,
        ClusterView lastCluster) {

    /** The input before any second-phase answer (peers, failsafe check, divergence check). */
    public HaInput(NodeSettings self, ClusterView cluster, String dcsError, LockStatus lock, LocalState local,
            LongAction longAction, Map<String, PeerStatus> peers, HaMemory memory, FailsafeContact failsafeContact,
            Boolean failsafeTopologyOk, ScheduledRestart scheduledRestart, long nowNanos, Instant now) {
        this(self, cluster, dcsError, lock, local, longAction, peers, memory, failsafeContact, failsafeTopologyOk,
                scheduledRestart, nowNanos, now, null, null, null);
    }

    public HaInput withRequest(NodeRequest r) {
        return new HaInput(self, cluster, dcsError, lock, local, longAction, peers, memory, failsafeContact,
                failsafeTopologyOk, scheduledRestart, nowNanos, now, divergence, r, lastCluster);
    }

    public HaInput withLastCluster(ClusterView v) {
        return new HaInput(self, cluster, dcsError, lock, local, longAction, peers, memory, failsafeContact,
                failsafeTopologyOk, scheduledRestart, nowNanos, now, divergence, request, v);
    }

    public boolean dcsAvailable() {
        return cluster != null;
    }

    public boolean hasLock() {
        return lock.held();
    }

    public String name() {
        return self.name();
    }

    public HaInput withPeers(Map<String, PeerStatus> p) {
        return new HaInput(self, cluster, dcsError, lock, local, longAction, p, memory, failsafeContact,
                failsafeTopologyOk, scheduledRestart, nowNanos, now, divergence, request, lastCluster);
    }

    public HaInput withFailsafeTopologyOk(Boolean ok) {
        return new HaInput(self, cluster, dcsError, lock, local, longAction, peers, memory, failsafeContact, ok,
                scheduledRestart, nowNanos, now, divergence, request, lastCluster);
    }

    public HaInput withDivergence(Divergence d) {
        return new HaInput(self, cluster, dcsError, lock, local, longAction, peers, memory, failsafeContact,
                failsafeTopologyOk, scheduledRestart, nowNanos, now, d, request, lastCluster);
    }
}
