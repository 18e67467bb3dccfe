package io.haagent.dcs;

import io.haagent.cluster.ClusterStatus;
import io.haagent.cluster.ClusterView;
import io.haagent.cluster.FailoverRequest;
import io.haagent.cluster.Member;
import io.haagent.cluster.SyncState;
import io.haagent.cluster.TimelineHistory;
import java.time.Duration;
import java.util.Map;

/**
 * The distributed configuration store as the HA loop sees it (Patroni's layout, §1). One instance belongs to
 * one member: it owns that member's lease (TTL = {@code ttl}), which carries both {@code members/<name>} and,
 * while this member leads, {@code leader}. If the process dies, both keys vanish when the lease expires.
 *
 * <p>The contract, for every method: a result of {@code false} means the store answered and the condition
 * did not hold (somebody else holds the lock, a CAS revision changed): it is safe to act on. A
 * {@link DcsUnavailableException} means the store could not be reached within {@code retry_timeout}: the
 * outcome is unknown and the caller must treat the store as unreachable (§3.8). Implementations resolve an
 * ambiguous transaction outcome (the request may have been applied) by re-reading before they answer.
 * No call blocks longer than {@code retry_timeout} (plus a small margin).
 */
public interface Dcs extends AutoCloseable {

    /**
     * Revision argument of the CAS writes meaning "write unconditionally". Any other value is compared with the
     * key's {@code mod_revision}; {@code 0} therefore means "only if the key does not exist".
     */
    long ANY_REVISION = -1;

    String memberName();

    /**
     * The cluster as of the watch cache, once per HA cycle (STYLE 3). The cache is served only while the store
     * is known to be reachable (the watch stream answered recently); otherwise this is a fresh read, and it
     * throws {@link DcsUnavailableException} when that read fails: a member cut off from the store never acts
     * on a silently stale view.
     */
    ClusterView cluster();

    /** A linearizable read of the whole cluster, bypassing the cache (for operators' tools). */
    ClusterView freshCluster();

    /**
     * Leader race: create {@code leader} = our name with our lease, only if it does not exist. A lease that
     * disappeared is re-granted once within the same {@code retry_timeout}.
     *
     * @return true iff we now hold the lock (also when an earlier attempt whose answer was lost created it)
     */
    boolean acquireLeader();

    /** Right after bootstrapping a brand-new cluster: put {@code leader} unconditionally with our lease. */
    boolean takeLeader();

    /**
     * Renew the lock: keep our lease alive (a new lease if it expired) and, if the leader key carries another
     * lease, repair it only if it still names us (or no longer exists). Never overwrites another member's key.
     *
     * @return true iff we still hold the lock with a live lease
     */
    boolean renewLeader();

    /**
     * Voluntary release: write {@code status.optime = lastLsn} first when given, then delete {@code leader}
     * only if it still names us.
     *
     * @return true iff the key named us and was deleted
     */
    boolean releaseLeader(Long lastLsn);

    /**
     * Delete the leader key only while its mod_revision is {@code expectedModRevision}: for a key that names no
     * member (garbage written by hand or by a broken tool), never for a lock somebody holds.
     *
     * @return true when it was deleted (or was already gone); false when it changed meanwhile
     */
    boolean deleteLeader(long expectedModRevision);

    /**
     * Write our member key with our lease (skipped when the encoded value and the lease are unchanged). Only
     * the member JSON fields are written; {@code name}, {@code modRevision} and {@code lease} of the argument
     * are ignored (the key is named after {@link #memberName()}).
     */
    void touchMember(Member member);

    /**
     * {@code initialize}: with {@code createNew}, create it only if absent (the bootstrap race); otherwise put.
     *
     * @return true iff written
     */
    boolean initialize(boolean createNew, String sysid);

    /** Delete {@code initialize} after a failed bootstrap. */
    boolean cancelInitialization();

    /** Write {@code config}: CAS on {@code expectedRevision}, or unconditionally with {@link #ANY_REVISION}. */
    boolean setConfig(Map<String, Object> config, long expectedRevision);

    /**
     * Write {@code failover} ({@code {}} when the request is null or empty): CAS on {@code expectedRevision}
     * or unconditional with {@link #ANY_REVISION}. {@code scheduled_at} is written as Python's
     * {@code isoformat()} writes it.
     */
    boolean setFailover(FailoverRequest request, long expectedRevision);

    /** Write {@code sync}: CAS on {@code expectedRevision} (0 = only if absent) or unconditional. */
    boolean setSync(SyncState state, long expectedRevision);

    /** Delete {@code sync}: CAS on {@code expectedRevision} or unconditional. */
    boolean deleteSync(long expectedRevision);

    void setHistory(TimelineHistory history);

    /**
     * Write {@code status} = {@code {"optime":..,"slots":{..}}} ({@code slots} omitted when empty, slot names in
     * sorted order), only when it differs from what this member wrote last.
     */
    void writeStatus(ClusterStatus status);

    /**
     * Write {@code failsafe} = {@code {"<name>":"<api_url>",...}} in the map's iteration order, only when it
     * differs (as a map) from what this member wrote last.
     */
    void writeFailsafe(Map<String, String> failsafe);

    /** Delete every key of the cluster ({@code agentctl remove}). */
    void deleteCluster();

    /**
     * Apply new dynamic timeouts. A new {@code ttl} drops the current lease so the next renew grants one with
     * the new TTL, and the next {@link #awaitChange} returns at once (so the loop renews without sleeping).
     */
    void setTimeouts(int ttl, int retryTimeout);

    /**
     * Block until something the HA loop must react to changes, or {@code timeout} passes: {@code leader} or
     * {@code config} for everybody (including the leader lease's expiry), {@code status} for non-leaders,
     * or a local {@link #wakeUp()} (rules in {@link WakeRule}). A change that happened since the previous
     * call returns at once. Patroni's extra half second for non-leaders is the caller's choice of timeout.
     *
     * @return true if woken by a change, false on timeout
     */
    boolean awaitChange(Duration timeout) throws InterruptedException;

    /** Wake a thread blocked in {@link #awaitChange} (REST handlers that wrote {@code failover} or {@code config}). */
    void wakeUp();

    @Override
    void close();
}
