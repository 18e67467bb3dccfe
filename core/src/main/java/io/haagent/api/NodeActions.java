package io.haagent.api;

import io.haagent.cluster.ClusterView;
import io.haagent.cluster.FailoverRequest;
import io.haagent.cluster.Member;
import io.haagent.dcs.DcsUnavailableException;
import java.util.List;
import java.util.Map;

/**
 * The port through which the REST API hands write requests to the agent (§2.6). The REST API never talks to
 * etcd or postgres itself: everything that changes state, or needs a fresh read, goes through here. The agent
 * implements it (and may run the work on its own threads); tests use the fake in core's test-jar.
 *
 * <p>Methods that touch etcd throw {@link DcsUnavailableException} when it cannot be reached; {@code false}
 * means etcd answered and the condition did not hold (a CAS lost), as in {@link io.haagent.dcs.Dcs}.
 */
public interface NodeActions {

    /** A fresh read of the whole cluster from etcd (Patroni's {@code dcs.get_cluster()}). */
    ClusterView readCluster();

    /**
     * Write the {@code config} key: compare-and-set on {@code expectedRevision}, or unconditionally with
     * {@link io.haagent.dcs.Dcs#ANY_REVISION}.
     *
     * @return false when the revision no longer matched
     */
    boolean writeConfig(Map<String, Object> config, long expectedRevision);

    /**
     * Write the {@code failover} key ({@code {}} for an empty request): compare-and-set on
     * {@code expectedRevision}, or unconditionally with {@link io.haagent.dcs.Dcs#ANY_REVISION}.
     */
    boolean writeFailover(FailoverRequest request, long expectedRevision);

    /** Run the HA loop now instead of at its next tick (after a config or failover write). */
    void wakeUp();

    /** Re-read the local configuration file soon (Patroni's SIGHUP handler). Never blocks. */
    void scheduleReload();

    /**
     * Restart postgres now and wait for the result. The agent applies the request's filters
     * ({@link RestartRequest#mismatch}) and answers with Patroni's messages: ok {@code restarted successfully};
     * refused {@code restart conditions are not satisfied}, {@code <action> already in progress},
     * {@code postgres is still starting} or {@code restart failed}.
     */
    ActionOutcome restart(RestartRequest request);

    /** Remember a scheduled restart. @return false when another restart is already scheduled */
    boolean scheduleRestart(RestartRequest request);

    /** Forget the scheduled restart. @return false when none was scheduled */
    boolean cancelScheduledRestart();

    /**
     * Start re-cloning this replica ({@code force}: cancel a running long action first; {@code fromLeader}: from the
     * leader by pg_basebackup, Patroni 4.1's {@code from_leader}, else as a new replica is cloned).
     * Refusals use Patroni's messages: {@code Cluster has no leader, can not reinitialize},
     * {@code I am the leader, can not reinitialize}, {@code <action> already in progress}.
     */
    ActionOutcome reinitialize(boolean force, boolean fromLeader);

    /**
     * The primary's failsafe heartbeat while etcd is unreachable (§3.8). Refused with {@code Running as a leader}
     * when this node runs as primary; ok ({@code Accepted}) otherwise.
     */
    ActionOutcome acceptFailsafe(FailsafeHeartbeat heartbeat);

    /**
     * Could each of these members take over from the leader now? The agent asks each one's {@code /patroni}
     * (short deadline, in parallel) and applies the decider's rules (reachable, not {@code nofailover},
     * watchdog, and its own lag/timeline checks). One result per given member, in the same order.
     */
    List<CandidateCheck> checkCandidates(ClusterView cluster, List<Member> members);
}
