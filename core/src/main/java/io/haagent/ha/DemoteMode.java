package io.haagent.ha;

import io.haagent.pg.StopMode;

/**
 * How a primary steps down (§3.7). Each mode's stop mode, checkpoint and lock release are fixed here so the
 * executor and the decider cannot disagree.
 */
public enum DemoteMode {
    /** DCS unreachable: fast stop, keep no lock (we cannot write anyway), restart read-only with no upstream. */
    OFFLINE("offline", StopMode.FAST, false, false),
    /** Manual switchover/failover: checkpoint, fast stop, release the lock (early, once a candidate has our WAL). */
    GRACEFUL("graceful", StopMode.FAST, true, true),
    /** Unsuitable as primary (crash with primary_start_timeout 0, start timeout): immediate stop, release. */
    IMMEDIATE("immediate", StopMode.IMMEDIATE, false, true),
    /**
     * We lost the lock or another node holds it. Stop immediately: every moment we keep accepting writes
     * without the lock risks writes the new primary will never see (split brain).
     */
    IMMEDIATE_NOLOCK("immediate-nolock", StopMode.IMMEDIATE, false, false),
    /**
     * Patroni 4.1's clean demotion to a standby cluster ({@code agentctl demote-cluster}, a {@code standby_cluster}
     * section added to the config key): a fast stop (the replicas receive all WAL), the lock released with the
     * shutdown checkpoint's position; the healthiest member then takes it as the standby leader.
     */
    DEMOTE_CLUSTER("demote-cluster", StopMode.FAST, false, true);

    private final String wire;
    private final StopMode stopMode;
    private final boolean checkpoint;
    private final boolean releaseLock;

    DemoteMode(String wire, StopMode stopMode, boolean checkpoint, boolean releaseLock) {
        this.wire = wire;
        this.stopMode = stopMode;
        this.checkpoint = checkpoint;
        this.releaseLock = releaseLock;
    }

    public String wire() {
        return wire;
    }

    public StopMode stopMode() {
        return stopMode;
    }

    public boolean checkpoint() {
        return checkpoint;
    }

    /**
     * The next decision starts the stepped-down postgres at once as a replica ('starting after demotion', §3.7):
     * offline and the immediate modes. After a graceful step-down or a demote-cluster it is recovered by the rules
     * every stopped replica goes through (§3.6), in pause too.
     */
    public boolean startsReplicaAtOnce() {
        return this == OFFLINE || this == IMMEDIATE || this == IMMEDIATE_NOLOCK;
    }

    /**
     * The step-down runs on the background runner (a graceful one, a demote-cluster, an offline one); the immediate
     * modes stop inline, in the cycle that decided them: they exist to stop writes now. The decider overrides it for
     * an offline step-down while a long action runs ({@link Action.Demote#inBackground()}).
     */
    public boolean inBackground() {
        return this == GRACEFUL || this == DEMOTE_CLUSTER || this == OFFLINE;
    }

    public boolean releaseLock() {
        return releaseLock;
    }
}
